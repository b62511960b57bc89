package bertadapt.cli;

import java.io.PrintWriter;

import bertadapt.infer.PretrainedBert;

/** {@code --max-length} against what the loaded model can take. */
final class MaxLength {

    private static final int SHOWN_CHARACTERS = 60;

    private MaxLength() {
    }

    /**
     * {@code requested}, or the model's number of positions when that is smaller: longer inputs would index past
     * the position embedding. Says so on stderr, since the user asked for more.
     */
    static int fitToModel(int requested, PretrainedBert model, PrintWriter err) {
        int positions = model.bert().config.maxPositions();
        if (requested <= positions) {
            return requested;
        }
        err.println("bertadapt: warning: --max-length " + requested + " is more than the model's " + positions
                + " positions; using " + positions);
        err.flush();
        return positions;
    }

    /** The start of {@code text}, short enough for a one-line warning. */
    static String abbreviate(String text) {
        return text.length() <= SHOWN_CHARACTERS ? text : text.substring(0, SHOWN_CHARACTERS) + "...";
    }
}
