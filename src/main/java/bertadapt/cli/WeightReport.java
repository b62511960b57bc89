package bertadapt.cli;

import java.io.PrintWriter;
import java.util.function.Predicate;

import bertadapt.infer.PretrainedBert;
import bertadapt.weights.WeightMatch;

/** Tells the user, on stderr, when a checkpoint did not fit the graph a command built from it. */
final class WeightReport {

    private WeightReport() {
    }

    /**
     * Prints the load report when weights are missing, or unused other than those the command chose to leave out
     * (the embedder has no pre-training heads, so their weights are expected to be unused).
     */
    static void printIfIncomplete(PretrainedBert model, String modelDescription, Predicate<String> expectedUnused,
            PrintWriter err) {
        WeightMatch match = model.match();
        WeightMatch reported = new WeightMatch(match.matched(), match.missing(),
                match.unused().stream().filter(expectedUnused.negate()).toList());
        if (!reported.missing().isEmpty() || !reported.unused().isEmpty()) {
            err.print(reported.describe(model.directory().toString(), modelDescription));
            err.flush();
        }
    }
}
