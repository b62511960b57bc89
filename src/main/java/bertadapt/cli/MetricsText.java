package bertadapt.cli;

import java.io.PrintWriter;

import bertadapt.data.LabelVocabulary;
import bertadapt.eval.ClassificationMetrics;

/** How {@code finetune} and {@code evaluate} print a classifier's scores. */
final class MetricsText {

    private MetricsText() {
    }

    /**
     * Accuracy, precision, recall and F1 on one line each; with two classes those of class 1 (as GLUE reports them),
     * with more the macro averages.
     */
    static void printScores(ClassificationMetrics metrics, LabelVocabulary labels, PrintWriter out) {
        String averaged = labels.size() == 2 ? " (class " + labels.name(1) + ")" : " (macro)";
        out.printf("accuracy   %.4f%n", metrics.accuracy());
        out.printf("precision  %.4f%s%n", metrics.precision(), averaged);
        out.printf("recall     %.4f%s%n", metrics.recall(), averaged);
        out.printf("f1         %.4f%s%n", metrics.f1(), averaged);
    }

    /** The confusion matrix with gold classes as rows and predicted classes as columns. */
    static void printConfusion(ClassificationMetrics metrics, LabelVocabulary labels, PrintWriter out) {
        int width = Math.max(6, labels.names().stream().mapToInt(String::length).max().orElse(0));
        for (int[] row : metrics.confusion()) {
            for (int count : row) {
                width = Math.max(width, String.valueOf(count).length());
            }
        }
        String cell = " %" + width + "s";
        out.println("confusion (rows: gold, columns: predicted)");
        out.printf("%-" + width + "s", "");
        labels.names().forEach(name -> out.printf(cell, name));
        out.println();
        for (int gold = 0; gold < labels.size(); gold++) {
            out.printf("%-" + width + "s", labels.name(gold));
            for (int count : metrics.confusion()[gold]) {
                out.printf(cell, count);
            }
            out.println();
        }
    }
}
