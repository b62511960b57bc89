package bertadapt.weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Compares the parameters a model expects (names and shapes) with the tensors a checkpoint provides:
 * which match, which the model misses, which the checkpoint has in excess. Shape mismatches are errors,
 * since loading them would silently produce a broken model.
 */
public record WeightMatch(List<String> matched, List<String> missing, List<String> unused) {

    public WeightMatch {
        matched = List.copyOf(matched);
        missing = List.copyOf(missing);
        unused = List.copyOf(unused);
    }

    /** Thrown when names match but shapes do not; lists every mismatch, so one run shows them all. */
    public static final class ShapeMismatchException extends IllegalArgumentException {
        private final List<String> mismatches;

        ShapeMismatchException(List<String> mismatches) {
            super(mismatches.size() + " weight(s) have a different shape in the checkpoint than in the model:\n  "
                    + String.join("\n  ", mismatches));
            this.mismatches = List.copyOf(mismatches);
        }

        /** One line per mismatch: {@code name: checkpoint [a, b] vs model [c, d]}. */
        public List<String> mismatches() {
            return mismatches;
        }
    }

    /**
     * Matches by name. Lists keep the order of {@code expected} (matched, missing) and of
     * {@code provided} (unused).
     *
     * @throws ShapeMismatchException if any provided tensor's shape differs from the expected shape
     */
    public static WeightMatch of(Map<String, long[]> expected, Map<String, Tensor> provided) {
        List<String> matched = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> mismatches = new ArrayList<>();
        expected.forEach((name, shape) -> {
            Tensor tensor = provided.get(name);
            if (tensor == null) {
                missing.add(name);
            } else if (!tensor.hasShape(shape)) {
                mismatches.add(name + ": checkpoint " + Arrays.toString(tensor.shape()) + " vs model " + Arrays.toString(shape));
            } else {
                matched.add(name);
            }
        });
        if (!mismatches.isEmpty()) {
            throw new ShapeMismatchException(mismatches);
        }
        List<String> unused = provided.keySet().stream().filter(name -> !expected.containsKey(name)).toList();
        return new WeightMatch(matched, missing, unused);
    }

    public boolean isComplete() {
        return missing.isEmpty();
    }

    /** A report in the words Hugging Face's {@code from_pretrained} uses, for a generic checkpoint and model. */
    public String describe() {
        return describe("the checkpoint", "the model");
    }

    /**
     * A report like Hugging Face's: unused checkpoint weights, then newly initialised model weights,
     * or a single line when everything matched.
     */
    public String describe(String checkpoint, String model) {
        StringBuilder out = new StringBuilder();
        if (!unused.isEmpty()) {
            out.append("Some weights of ").append(checkpoint).append(" were not used when initializing ").append(model)
                    .append(": ").append(unused).append('\n');
        }
        if (!missing.isEmpty()) {
            out.append("Some weights of ").append(model).append(" were not initialized from ").append(checkpoint)
                    .append(" and are newly initialized: ").append(missing).append('\n');
        }
        if (out.isEmpty()) {
            out.append("All ").append(matched.size()).append(" weights of ").append(model)
                    .append(" were initialized from ").append(checkpoint).append(".\n");
        }
        return out.toString();
    }
}
