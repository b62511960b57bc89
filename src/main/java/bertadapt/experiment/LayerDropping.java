package bertadapt.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import bertadapt.weights.Checkpoint;

/**
 * Keeps only the bottom K encoder layers of a model (Sajjad et al. 2020, "On the effect of dropping layers of
 * pre-trained transformer models"): quick experiments at a fraction of the cost that still start from pretrained
 * weights. Embeddings, pooler and pretraining heads are kept as they are.
 */
public final class LayerDropping {

    private static final Pattern LAYER = Pattern.compile("bert\\.encoder\\.layer\\.(\\d+)\\..*");

    private LayerDropping() {
    }

    /**
     * Writes {@code model} cut to its bottom {@code layers} layers into {@code target}, unless {@code target} already
     * holds a model (it is written whole or not at all, so one that exists is complete).
     *
     * @return {@code target}
     */
    public static Path truncate(Path model, int layers, Path target) throws IOException {
        if (Files.isRegularFile(target.resolve(Checkpoint.CONFIG))) {
            return target;
        }
        Checkpoint source = Checkpoint.read(model);
        int available = source.config().numLayers();
        if (layers < 1 || layers > available) {
            throw new IllegalArgumentException("model_layers: expected 1 to " + available + " for " + model + ", got " + layers);
        }
        Map<String, INDArray> kept = new LinkedHashMap<>();
        source.weights().forEach((name, tensor) -> {
            Matcher layer = LAYER.matcher(name);
            if (!layer.matches() || Integer.parseInt(layer.group(1)) < layers) {
                kept.put(name, Nd4j.create(tensor.values(), tensor.shape(), 'c'));
            }
        });
        Checkpoint.write(kept, source.config().withLayers(layers), model.resolve(Checkpoint.VOCAB), source.doLowerCase(), target);
        return target;
    }
}
