package bertadapt.cli;

import java.nio.file.Path;

import bertadapt.hub.ModelStore;
import picocli.CommandLine.Option;

/** {@code --model} of the commands that train or inspect a model: required, since there is no sensible default. */
final class ModelOption {

    @Option(names = "--model", required = true, paramLabel = "MODEL", completionCandidates = KnownModelNames.class,
            description = "Known name (${COMPLETION-CANDIDATES}), model directory, or Hugging Face id org/name.")
    String model;

    /** The model's local directory, downloaded and unpacked into the model cache first if needed. */
    Path resolve() {
        return ModelStore.fromEnvironment().resolve(model);
    }
}
