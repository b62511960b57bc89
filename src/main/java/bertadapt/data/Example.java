package bertadapt.data;

import java.util.Objects;

/**
 * One input to a model: a single text, or a pair of texts for sentence-pair tasks, with its label name.
 *
 * @param textA the (first) text; never null
 * @param textB the second text of a pair, or null for single-text tasks
 * @param label the label name as the dataset's {@link LabelVocabulary} knows it, or null when unlabelled
 * @param source where the example came from ({@code file:line} or a file path), for error messages and reports
 */
public record Example(String textA, String textB, String label, String source) {

    public Example {
        Objects.requireNonNull(textA, "textA");
        Objects.requireNonNull(source, "source");
    }

    public boolean isPair() {
        return textB != null;
    }

    public boolean isLabelled() {
        return label != null;
    }
}
