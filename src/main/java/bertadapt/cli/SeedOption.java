package bertadapt.cli;

import picocli.CommandLine.Option;

/** {@code --seed}: one seed for everything random in a run, so the same command repeats the same run. */
final class SeedOption {

    @Option(names = "--seed", defaultValue = "42", paramLabel = "S",
            description = "Seeds data order, sampling, masking, dropout and new weights. Default: ${DEFAULT-VALUE}.")
    long seed;
}
