package bertadapt.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import bertadapt.infer.FillMask;
import bertadapt.infer.FillMask.Candidate;
import bertadapt.infer.FillMask.MaskedPosition;
import bertadapt.infer.PretrainedBert;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bertadapt fill-mask}: the most likely tokens behind each {@code [MASK]} of each text. */
@Command(name = "fill-mask", mixinStandardHelpOptions = true,
        description = "Print the top-k tokens, with probabilities, for each [MASK] of each TEXT.")
final class FillMaskCommand implements Callable<Integer> {

    static final String MASK = "[MASK]";

    @Spec
    CommandSpec spec;

    @Mixin
    DefaultModelOption modelOption;

    @Option(names = "--top-k", defaultValue = "5", paramLabel = "K", converter = Checked.Positive.class, description = "Candidates per [MASK]. Default: ${DEFAULT-VALUE}.")
    int topK;

    @Option(names = "--max-length", defaultValue = "512", paramLabel = "N",
            description = "Tokens kept per text, [CLS] and [SEP] included. Default: ${DEFAULT-VALUE}.")
    int maxLength;

    @Parameters(arity = "1..*", paramLabel = "TEXT", description = "Texts with one or more [MASK] tokens.")
    List<String> texts;

    @Override
    public Integer call() throws IOException {
        // Checked before the model loads, which takes seconds; the tokenizer would keep a literal [MASK] whole.
        for (String text : texts) {
            if (!text.contains(MASK)) {
                throw new IllegalArgumentException("the text has no [MASK] token: " + text);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        FillMask fillMask = FillMask.load(modelOption.model);
        try (PretrainedBert pretrained = fillMask.model()) {
            WeightReport.printIfIncomplete(pretrained, "the fill-mask model (encoder and MLM head)", name -> false, err);
            int length = MaxLength.fitToModel(maxLength, pretrained, err);
            for (String text : texts) {
                if (pretrained.tokenizer().encode(text, length).truncated()) {
                    err.println("bertadapt: warning: text cut to " + length + " tokens: " + MaxLength.abbreviate(text));
                    err.flush();
                }
                print(text, fillMask.predict(text, topK, length), out);
            }
        }
        out.flush();
        return 0;
    }

    private static void print(String text, List<MaskedPosition> masks, PrintWriter out) {
        out.println(text);
        for (int m = 0; m < masks.size(); m++) {
            String indent = "  ";
            if (masks.size() > 1) {
                out.println(indent + MASK + " " + (m + 1) + " of " + masks.size() + ":");
                indent = "    ";
            }
            List<Candidate> candidates = masks.get(m).candidates();
            int width = Math.max(10, candidates.stream().mapToInt(candidate -> candidate.token().length()).max().orElse(0));
            for (Candidate candidate : candidates) {
                out.printf("%s%-" + width + "s %.4f%n", indent, candidate.token(), candidate.probability());
            }
        }
    }
}
