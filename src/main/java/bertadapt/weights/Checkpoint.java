package bertadapt.weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.nd4j.linalg.api.ndarray.INDArray;

import bertadapt.io.FileTrees;
import bertadapt.model.BertConfig;

/**
 * A model directory read into memory: its configuration, its weights under Hugging Face names, and
 * whether its vocabulary expects lower-cased text. Reads Hugging Face ({@code config.json} +
 * {@code model.safetensors}) and Google ({@code bert_config.json} + a TensorFlow checkpoint) layouts;
 * writes the Hugging Face layout.
 *
 * @param ignored checkpoint entries that are not weights (optimiser slots, step counters)
 */
public record Checkpoint(Path directory, BertConfig config, Map<String, Tensor> weights, boolean doLowerCase, List<String> ignored) {

    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String GOOGLE_CONFIG = "bert_config.json";
    public static final String VOCAB = "vocab.txt";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    /** Written by the model store beside a downloaded model; says how the model's text is cased. */
    public static final String STORE_MANIFEST = "bertadapt.json";

    /** Hugging Face stores the tied MLM decoder separately; it is the word embedding and {@code cls.predictions.bias}. */
    private static final String TIED_DECODER_WEIGHT = "cls.predictions.decoder.weight";
    private static final String TIED_DECODER_BIAS = "cls.predictions.decoder.bias";
    private static final String DECODER_BIAS = "cls.predictions.bias";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads the configuration only, without the weights. */
    public static BertConfig readConfig(Path directory) throws IOException {
        Path hf = directory.resolve(CONFIG);
        Path google = directory.resolve(GOOGLE_CONFIG);
        if (Files.isRegularFile(hf)) {
            return BertConfig.read(hf);
        }
        if (Files.isRegularFile(google)) {
            return BertConfig.read(google);
        }
        throw new IOException("model directory " + directory + " has neither " + CONFIG + " nor " + GOOGLE_CONFIG);
    }

    /** Reads configuration, weights and casing from a model directory. */
    public static Checkpoint read(Path directory) throws IOException {
        BertConfig config = readConfig(directory);
        Map<String, Tensor> weights;
        List<String> ignored = List.of();
        Path safetensors = directory.resolve(WEIGHTS);
        Path tfCheckpoint = tensorFlowCheckpoint(directory);
        if (Files.isRegularFile(safetensors)) {
            weights = GoogleCheckpointNames.normaliseHuggingFace(Safetensors.read(safetensors));
        } else if (tfCheckpoint != null) {
            TensorBundleReader.Contents contents = TensorBundleReader.readAll(tfCheckpoint);
            GoogleCheckpointNames.Conversion conversion = GoogleCheckpointNames.convert(contents.tensors());
            weights = conversion.tensors();
            ignored = new ArrayList<>(conversion.ignored());
            ignored.addAll(contents.skipped());
        } else {
            throw new IOException("model directory " + directory + " has no weights: expected " + WEIGHTS
                    + ", variables/variables.index or bert_model.ckpt.index");
        }
        return new Checkpoint(directory, config, untie(weights), doLowerCase(directory), List.copyOf(ignored));
    }

    private static Path tensorFlowCheckpoint(Path directory) {
        for (String prefix : List.of("variables/variables", "bert_model.ckpt")) {
            if (Files.isRegularFile(directory.resolve(prefix + ".index"))) {
                return directory.resolve(prefix);
            }
        }
        return null;
    }

    /** Drops the copy of the tied decoder weight and names the decoder bias as the graph does. */
    private static Map<String, Tensor> untie(Map<String, Tensor> weights) {
        Map<String, Tensor> out = new LinkedHashMap<>(weights);
        out.remove(TIED_DECODER_WEIGHT);
        Tensor bias = out.remove(TIED_DECODER_BIAS);
        if (bias != null) {
            out.putIfAbsent(DECODER_BIAS, bias);
        }
        return out;
    }

    /**
     * Whether the vocabulary expects lower-cased text: from {@code tokenizer_config.json}, else from the
     * model store's manifest, else true (the default of BERT's tokenizer).
     */
    public static boolean doLowerCase(Path directory) throws IOException {
        for (String file : List.of(TOKENIZER_CONFIG, STORE_MANIFEST)) {
            Path path = directory.resolve(file);
            if (Files.isRegularFile(path)) {
                JsonNode flag = JSON.readTree(path.toFile()).get("do_lower_case");
                if (flag != null && flag.isBoolean()) {
                    return flag.asBoolean();
                }
            }
        }
        return true;
    }

    /**
     * Copies the weights into the model's parameters of the same name. Parameters the checkpoint
     * lacks keep their initial values (a new head); the returned match lists them.
     *
     * @param parameters the model's parameters by name, as {@code Bert.parameters()} gives them
     * @throws WeightMatch.ShapeMismatchException naming every weight whose shape differs
     */
    public WeightMatch loadInto(Map<String, INDArray> parameters) {
        Map<String, long[]> expected = new LinkedHashMap<>();
        parameters.forEach((name, values) -> expected.put(name, values.shape()));
        WeightMatch match = WeightMatch.of(expected, weights);
        for (String name : match.matched()) {
            weights.get(name).copyInto(parameters.get(name));
        }
        return match;
    }

    /**
     * Writes the graph's parameters, the configuration and the vocabulary as a Hugging Face model
     * directory. The directory is replaced only once everything is written, so a crash leaves the
     * previous checkpoint intact.
     */
    public static void write(Map<String, INDArray> parameters, BertConfig config, Path vocab, boolean doLowerCase, Path directory)
            throws IOException {
        write(parameters, config, vocab, doLowerCase, directory, Map.of());
    }

    /** As {@link #write(Map, BertConfig, Path, boolean, Path)}, with more files (name to text content), such as the label names. */
    public static void write(Map<String, INDArray> parameters, BertConfig config, Path vocab, boolean doLowerCase, Path directory,
                             Map<String, String> extraFiles) throws IOException {
        FileTrees.writeDirectory(directory, staging -> {
            Safetensors.writeArrays(staging.resolve(WEIGHTS), parameters, Map.of());
            config.write(staging.resolve(CONFIG));
            Files.copy(vocab, staging.resolve(VOCAB));
            Files.writeString(staging.resolve(TOKENIZER_CONFIG), "{\"do_lower_case\": " + doLowerCase + "}\n");
            for (Map.Entry<String, String> extra : extraFiles.entrySet()) {
                Files.writeString(staging.resolve(extra.getKey()), extra.getValue());
            }
        });
    }
}
