package bertadapt.cli;

import picocli.CommandLine.Option;

/** {@code --max-length} of the commands that train or classify. */
final class MaxLengthOption {

    @Option(names = "--max-length", defaultValue = "128", paramLabel = "N", converter = Checked.Positive.class,
            description = "Tokens kept per input, [CLS] and [SEP] included; longer inputs are cut. "
                    + "Default: ${DEFAULT-VALUE}.")
    int maxLength;
}
