package bertadapt.weights;

import java.io.IOException;
import java.nio.file.Path;

import bertadapt.model.BertConfig;

/**
 * What a model directory says about its model without reading the weights: the configuration and
 * how its text is cased. Training tasks keep this rather than the {@link Checkpoint}, whose weights
 * would otherwise stay in memory beside the graph's copy.
 */
public record ModelDirectory(Path directory, BertConfig config, boolean doLowerCase) {

    public static ModelDirectory read(Path directory) throws IOException {
        return new ModelDirectory(directory, Checkpoint.readConfig(directory), Checkpoint.doLowerCase(directory));
    }

    /** Google's vocabulary file, copied into every checkpoint written from this model. */
    public Path vocab() {
        return directory.resolve(Checkpoint.VOCAB);
    }
}
