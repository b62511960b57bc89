package bertadapt.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Accuracy, precision, recall and F1 of a classifier, with its confusion matrix. With two classes,
 * precision, recall and F1 are those of class 1 (the positive class, as GLUE reports MRPC); with more,
 * both macro averages (each class counts the same) and micro averages (each example counts the same).
 *
 * @param confusion [gold][predicted] counts
 */
public record ClassificationMetrics(int[][] confusion, double accuracy, double precision, double recall, double f1,
                                    double macroPrecision, double macroRecall, double macroF1, double microF1) {

    /** Computes every metric from gold and predicted class ids in [0, numClasses). */
    public static ClassificationMetrics of(int[] gold, int[] predicted, int numClasses) {
        if (gold.length != predicted.length) {
            throw new IllegalArgumentException(gold.length + " gold labels but " + predicted.length + " predictions");
        }
        if (gold.length == 0) {
            throw new IllegalArgumentException("no examples to score");
        }
        int[][] confusion = new int[numClasses][numClasses];
        for (int i = 0; i < gold.length; i++) {
            confusion[gold[i]][predicted[i]]++;
        }
        long correct = 0;
        double[] precision = new double[numClasses];
        double[] recall = new double[numClasses];
        double[] f1 = new double[numClasses];
        for (int c = 0; c < numClasses; c++) {
            correct += confusion[c][c];
            long predictedAsC = 0;
            long goldC = 0;
            for (int other = 0; other < numClasses; other++) {
                predictedAsC += confusion[other][c];
                goldC += confusion[c][other];
            }
            precision[c] = ratio(confusion[c][c], predictedAsC);
            recall[c] = ratio(confusion[c][c], goldC);
            f1[c] = harmonicMean(precision[c], recall[c]);
        }
        double accuracy = (double) correct / gold.length;
        int positive = numClasses == 2 ? 1 : -1;
        // Single-label classification: micro precision = micro recall = micro F1 = accuracy.
        return new ClassificationMetrics(confusion, accuracy,
                positive >= 0 ? precision[positive] : mean(precision),
                positive >= 0 ? recall[positive] : mean(recall),
                positive >= 0 ? f1[positive] : mean(f1),
                mean(precision), mean(recall), mean(f1), accuracy);
    }

    /** The metrics by name, for reports and early stopping ({@code accuracy}, {@code f1}, {@code macro_f1}, ...). */
    public Map<String, Double> asMap() {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("accuracy", accuracy);
        out.put("precision", precision);
        out.put("recall", recall);
        out.put("f1", f1);
        out.put("macro_precision", macroPrecision);
        out.put("macro_recall", macroRecall);
        out.put("macro_f1", macroF1);
        out.put("micro_f1", microF1);
        return out;
    }

    private static double ratio(long numerator, long denominator) {
        return denominator == 0 ? 0 : (double) numerator / denominator;
    }

    private static double harmonicMean(double a, double b) {
        return a + b == 0 ? 0 : 2 * a * b / (a + b);
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        return sum / values.length;
    }
}
