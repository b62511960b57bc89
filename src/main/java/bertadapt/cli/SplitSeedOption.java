package bertadapt.cli;

import bertadapt.data.DatasetRegistry;
import picocli.CommandLine.Option;

/**
 * {@code --split-seed}: which train/test split of a dataset published without one (mqp, a description without a
 * test file) a run trains and scores on. {@code evaluate} needs the seed its model was fine-tuned with, or it scores
 * pairs the model trained on.
 */
final class SplitSeedOption {

    @Option(names = "--split-seed", defaultValue = "42", paramLabel = "S",
            description = "Seed of the stratified 80/20 train/test split of a dataset published without a test split "
                    + "(mqp); published splits ignore it. Default: ${DEFAULT-VALUE}.")
    long splitSeed;

    DatasetRegistry.Options apply(DatasetRegistry.Options options) {
        return options.withSplitSeed(splitSeed);
    }
}
