package bertadapt.pretrain;

/**
 * Accumulates masked-token accuracy and perplexity over held-out batches: call {@link #add} per
 * batch with the MLM head's logits, then {@link #score()}. Pure Java, so it is testable without ND4J.
 */
public final class MaskedLmEvaluation {

    private double weightSum;
    private double correctWeight;
    private double crossEntropySum;

    /**
     * Adds one batch's predictions.
     *
     * @param logits    [M * vocabSize] row-major, row m the logits of prediction m
     * @param labels    [M] the true ids
     * @param weights   [M] 1 for a real prediction, 0 for a padding slot (ignored)
     */
    public void add(float[] logits, int vocabSize, int[] labels, float[] weights) {
        if (labels.length != weights.length || logits.length != (long) labels.length * vocabSize) {
            throw new IllegalArgumentException("expected " + labels.length + " x " + vocabSize + " logits and "
                    + labels.length + " weights, got " + logits.length + " logits and " + weights.length + " weights");
        }
        for (int m = 0; m < labels.length; m++) {
            if (weights[m] == 0) {
                continue;
            }
            int rowStart = m * vocabSize;
            int label = labels[m];
            if (label < 0 || label >= vocabSize) {
                throw new IllegalArgumentException("label " + label + " outside the vocabulary of " + vocabSize);
            }
            int best = 0;
            float max = logits[rowStart];
            for (int v = 1; v < vocabSize; v++) {
                if (logits[rowStart + v] > max) {
                    max = logits[rowStart + v];
                    best = v;
                }
            }
            // log-sum-exp shifted by the maximum, so large logits do not overflow.
            double sumExp = 0;
            for (int v = 0; v < vocabSize; v++) {
                sumExp += Math.exp(logits[rowStart + v] - max);
            }
            double crossEntropy = max + Math.log(sumExp) - logits[rowStart + label];
            weightSum += weights[m];
            correctWeight += best == label ? weights[m] : 0;
            crossEntropySum += weights[m] * crossEntropy;
        }
    }

    /** The scores so far; NaN fields when nothing was added. */
    public MaskedLmScore score() {
        return new MaskedLmScore(weightSum, correctWeight / weightSum, crossEntropySum / weightSum);
    }

    /**
     * @param predictions      weighted count of the predictions scored
     * @param accuracy         share whose highest logit is the label (ties go to the lowest id)
     * @param meanCrossEntropy mean negative log-likelihood of the label, in nats
     */
    public record MaskedLmScore(double predictions, double accuracy, double meanCrossEntropy) {

        /** exp(mean cross-entropy over masked tokens). */
        public double perplexity() {
            return Math.exp(meanCrossEntropy);
        }
    }
}
