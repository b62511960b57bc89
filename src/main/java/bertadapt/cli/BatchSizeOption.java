package bertadapt.cli;

import picocli.CommandLine.Option;

/** {@code --batch-size} of the commands that train or classify. */
final class BatchSizeOption {

    @Option(names = "--batch-size", defaultValue = "32", paramLabel = "B", converter = Checked.Positive.class,
            description = "Examples per optimiser update when training, per forward pass otherwise. "
                    + "Default: ${DEFAULT-VALUE}.")
    int batchSize;
}
