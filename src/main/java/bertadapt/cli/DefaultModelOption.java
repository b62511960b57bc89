package bertadapt.cli;

import picocli.CommandLine.Option;

/** {@code --model} of the inference commands, which default to BERT-Base uncased. */
final class DefaultModelOption {

    @Option(names = "--model", defaultValue = "bert-base-uncased", paramLabel = "MODEL",
            description = "Known name (${COMPLETION-CANDIDATES}), model directory, or Hugging Face id org/name. "
                    + "Default: ${DEFAULT-VALUE}.", completionCandidates = KnownModelNames.class)
    String model;
}
