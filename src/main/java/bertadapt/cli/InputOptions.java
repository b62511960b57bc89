package bertadapt.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import bertadapt.text.TextInput;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The texts a command runs on, single or paired, from arguments or a file: {@code embed} and {@code predict}. */
final class InputOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--pair", description = "Inputs are text pairs: two TEXT arguments each, or two tab-separated "
            + "texts a line of the --input file.")
    boolean pairs;

    @Option(names = "--input", paramLabel = "FILE",
            description = "Read texts from FILE (- for stdin), one a line; blank lines are skipped.")
    String inputFile;

    @Parameters(arity = "0..*", paramLabel = "TEXT", description = "Texts, unless --input is given.")
    List<String> texts = new ArrayList<>();

    List<TextInput> read() throws IOException {
        if (inputFile != null && !texts.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "give texts as arguments or with --input, not both");
        }
        if (inputFile != null) {
            return InputTexts.read(inputFile, pairs);
        }
        if (texts.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "no texts: give TEXT arguments or --input FILE");
        }
        if (!pairs) {
            return texts.stream().map(TextInput::single).toList();
        }
        if (texts.size() % 2 != 0) {
            throw new ParameterException(spec.commandLine(), "--pair takes texts two at a time, but " + texts.size()
                    + " were given");
        }
        List<TextInput> inputs = new ArrayList<>();
        for (int i = 0; i < texts.size(); i += 2) {
            inputs.add(TextInput.pair(texts.get(i), texts.get(i + 1)));
        }
        return inputs;
    }
}
