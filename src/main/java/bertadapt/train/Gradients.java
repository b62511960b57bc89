package bertadapt.train;

import java.util.HashMap;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Accumulates gradients over micro-batches and clips them by their global norm. */
final class Gradients {

    private final Map<String, INDArray> sums = new HashMap<>();
    private double weight;

    /**
     * Adds the gradients of a micro-batch whose loss is a mean over {@code examples} examples. Weighting
     * by size makes the average equal the gradient of the mean loss over all accumulated examples.
     */
    void add(Map<String, INDArray> gradients, int examples) {
        gradients.forEach((name, gradient) -> {
            INDArray sum = sums.get(name);
            if (sum == null) {
                // SameDiff reuses its gradient arrays on the next call: keep a copy.
                sums.put(name, gradient.mul(examples));
            } else {
                sum.addi(gradient.mul(examples));
            }
        });
        weight += examples;
    }

    /** The weighted mean of the added gradients; empties the accumulator. */
    Map<String, INDArray> mean() {
        Map<String, INDArray> out = new HashMap<>(sums);
        out.values().forEach(sum -> sum.divi(weight));
        sums.clear();
        weight = 0;
        return out;
    }

    /** The L2 norm of all gradients together. */
    static double globalNorm(Map<String, INDArray> gradients) {
        double squares = 0;
        for (INDArray gradient : gradients.values()) {
            double norm = gradient.norm2Number().doubleValue();
            squares += norm * norm;
        }
        return Math.sqrt(squares);
    }

    /** Scales all gradients so their global norm is at most {@code maxNorm}; returns the norm before clipping. */
    static double clipGlobalNorm(Map<String, INDArray> gradients, double maxNorm) {
        double norm = globalNorm(gradients);
        if (maxNorm > 0 && norm > maxNorm) {
            double scale = maxNorm / (norm + 1e-6);
            gradients.values().forEach(gradient -> gradient.muli(scale));
        }
        return norm;
    }
}
