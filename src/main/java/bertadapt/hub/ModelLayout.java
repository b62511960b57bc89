package bertadapt.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The two on-disk layouts of a BERT model directory that the rest of bertadapt can read, and the check that a
 * directory really holds a config, weights and a vocabulary in one of them.
 */
public enum ModelLayout {

    /** {@code config.json}, {@code model.safetensors}, and {@code vocab.txt} and/or {@code tokenizer.json}. */
    HUGGING_FACE,

    /**
     * {@code bert_config.json}, {@code vocab.txt}, and a TensorFlow checkpoint: either
     * {@code variables/variables.index} + {@code variables/variables.data-*} (SavedModel) or
     * {@code bert_model.ckpt.index} + {@code bert_model.ckpt.data-*} (Google's release zips).
     */
    GOOGLE;

    static final String HF_CONFIG = "config.json";
    static final String HF_WEIGHTS = "model.safetensors";
    static final String VOCAB = "vocab.txt";
    static final String TOKENIZER = "tokenizer.json";
    static final String GOOGLE_CONFIG = "bert_config.json";
    static final String SAVED_MODEL_INDEX = "variables/variables.index";
    static final String SAVED_MODEL_DATA = "variables/variables.data-00000-of-00001";
    private static final String CHECKPOINT_INDEX = "bert_model.ckpt.index";

    /** One line per layout, for error messages that explain what a model directory must contain. */
    static final String DESCRIPTION = "Hugging Face layout (config.json, model.safetensors, vocab.txt and/or "
            + "tokenizer.json) or Google layout (bert_config.json, vocab.txt, and variables/variables.index + "
            + "variables/variables.data-* or bert_model.ckpt.index + bert_model.ckpt.data-*)";

    /**
     * Returns the layout of {@code directory}.
     *
     * @throws ModelStoreException naming the directory and the missing file(s) if it is not a complete model
     */
    public static ModelLayout of(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new ModelStoreException("Model directory " + directory + " does not exist");
        }
        List<String> missingForHuggingFace = missingHuggingFaceFiles(directory);
        if (missingForHuggingFace.isEmpty()) {
            return HUGGING_FACE;
        }
        List<String> missingForGoogle = missingGoogleFiles(directory);
        if (missingForGoogle.isEmpty()) {
            return GOOGLE;
        }
        // Report against the layout whose config is present: that is the one the user meant.
        String problem;
        if (Files.isRegularFile(directory.resolve(HF_CONFIG))) {
            problem = "is missing " + String.join(", ", missingForHuggingFace) + " (Hugging Face layout)";
        } else if (Files.isRegularFile(directory.resolve(GOOGLE_CONFIG))) {
            problem = "is missing " + String.join(", ", missingForGoogle) + " (Google layout)";
        } else {
            problem = "has neither config.json nor bert_config.json";
        }
        throw new ModelStoreException("Model directory " + directory + " " + problem + "; expected " + DESCRIPTION);
    }

    private static List<String> missingHuggingFaceFiles(Path directory) {
        List<String> missing = new ArrayList<>();
        requireFile(directory, HF_CONFIG, missing);
        requireFile(directory, HF_WEIGHTS, missing);
        if (!isFile(directory, VOCAB) && !isFile(directory, TOKENIZER)) {
            missing.add(VOCAB + " or " + TOKENIZER);
        }
        return missing;
    }

    private static List<String> missingGoogleFiles(Path directory) {
        List<String> missing = new ArrayList<>();
        requireFile(directory, GOOGLE_CONFIG, missing);
        requireFile(directory, VOCAB, missing);
        boolean savedModel = isFile(directory, SAVED_MODEL_INDEX) && hasDataShard(directory.resolve("variables"), "variables");
        boolean checkpoint = isFile(directory, CHECKPOINT_INDEX) && hasDataShard(directory, "bert_model.ckpt");
        if (!savedModel && !checkpoint) {
            if (isFile(directory, SAVED_MODEL_INDEX)) {
                missing.add("variables/variables.data-*");
            } else if (isFile(directory, CHECKPOINT_INDEX)) {
                missing.add("bert_model.ckpt.data-*");
            } else {
                missing.add(SAVED_MODEL_INDEX + " or " + CHECKPOINT_INDEX + " (with its .data-* shards)");
            }
        }
        return missing;
    }

    private static void requireFile(Path directory, String name, List<String> missing) {
        if (!isFile(directory, name)) {
            missing.add(name);
        }
    }

    private static boolean isFile(Path directory, String name) {
        return Files.isRegularFile(directory.resolve(name));
    }

    private static boolean hasDataShard(Path directory, String prefix) {
        if (!Files.isDirectory(directory)) {
            return false;
        }
        try (DirectoryStream<Path> shards = Files.newDirectoryStream(directory, prefix + ".data-*")) {
            return shards.iterator().hasNext();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + directory, e);
        }
    }
}
