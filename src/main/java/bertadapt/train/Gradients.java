package bertadapt.train;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.nd4j.linalg.api.ndarray.INDArray;

import bertadapt.model.SameDiffFixes;

/** Accumulates gradients over micro-batches and clips them by their global norm. */
final class Gradients {

    private final Map<String, INDArray> sums = new HashMap<>();
    /** The parameters with a gradient since the last {@link #mean}; their sums are reused, not reallocated. */
    private final Set<String> added = new HashSet<>();
    private double weight;

    /**
     * Adds the gradients of a micro-batch whose loss is a mean over {@code examples} examples. Weighting
     * by size makes the average equal the gradient of the mean loss over all accumulated examples.
     */
    void add(Map<String, INDArray> gradients, int examples) {
        gradients.forEach((name, gradient) -> {
            INDArray sum = sums.get(name);
            if (sum == null) {
                // The pass's arrays go back to SameDiff's cache after this micro-batch: keep a copy.
                sums.put(name, gradient.mul(examples));
            } else if (added.contains(name)) {
                addScaled(sum, examples, gradient);
            } else {
                sum.assign(gradient).muli(examples);
            }
            added.add(name);
        });
        weight += examples;
    }

    /**
     * The weighted mean of the gradients added since the last call, in arrays that the next {@link #add}
     * overwrites: one set of arrays for the whole run rather than a new one for every update.
     */
    Map<String, INDArray> mean() {
        Map<String, INDArray> out = new HashMap<>();
        added.forEach(name -> out.put(name, sums.get(name).divi(weight)));
        added.clear();
        weight = 0;
        return out;
    }

    /** {@code target += scale * x} in one pass, without a temporary array. */
    static void addScaled(INDArray target, double scale, INDArray x) {
        // ND4J's axpy: input 0 + scale * input 1
        SameDiffFixes.exec("axpy", new INDArray[] {target, x}, new INDArray[] {target}, new double[] {scale});
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
