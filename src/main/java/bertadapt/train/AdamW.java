package bertadapt.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;

import bertadapt.model.SameDiffFixes;
import bertadapt.model.VectorOps;
import bertadapt.weights.Safetensors;
import bertadapt.weights.Tensor;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter 2019), as PyTorch's {@code AdamW}: bias-corrected
 * moments, and decay applied to the weights directly rather than through the gradient. LayerNorm
 * parameters and biases do not decay, as in BERT's pre-training and fine-tuning code.
 *
 * <p>SameDiff 1.0.0-M2.1 has no AdamW, and its Adam with weight decay decays every variable.
 */
public final class AdamW {

    /** @param epsilon added to the root of the second moment; BERT used 1e-6 */
    public record Settings(double beta1, double beta2, double epsilon, double weightDecay) {
        public static Settings bert(double weightDecay) {
            return new Settings(0.9, 0.999, 1e-6, weightDecay);
        }
    }

    private final Settings settings;
    private final Map<String, INDArray> firstMoments = new HashMap<>();
    private final Map<String, INDArray> secondMoments = new HashMap<>();
    private final Map<List<Long>, INDArray> scratchByShape = new HashMap<>();
    private long steps;

    public AdamW(Settings settings) {
        this.settings = settings;
    }

    /** Whether a parameter decays: every weight matrix and embedding, not LayerNorm parameters or biases. */
    public static boolean decays(String name) {
        return !(name.contains("LayerNorm") || name.endsWith(".bias"));
    }

    /**
     * Applies one update, in place, to every parameter that has a gradient. Where the vector ops are available (float
     * arrays on the CPU) that is one pass over parameter, gradient and moments ({@link VectorOps#adamW}); elsewhere
     * ND4J's fused Adam op, a scaling for the decay and an axpy. That op scales the step by sqrt(1 - b2^t) / (1 - b1^t)
     * and adds epsilon to the uncorrected root of the second moment; given epsilon * sqrt(1 - b2^t), its step is
     * PyTorch's m^ / (sqrt(v^) + eps) exactly. It is called with a learning rate of 1 (it replaces a zero rate by
     * epsilon) and the step is scaled by the rate afterwards.
     */
    public void step(Map<String, INDArray> parameters, Map<String, INDArray> gradients, double learningRate) {
        steps++;
        double secondCorrection = 1 - Math.pow(settings.beta2(), steps);
        double correctedEpsilon = settings.epsilon() * Math.sqrt(secondCorrection);
        double correctedRate = learningRate * Math.sqrt(secondCorrection) / (1 - Math.pow(settings.beta1(), steps));
        double[] adamArguments = {1, settings.beta1(), settings.beta2(), correctedEpsilon};
        gradients.forEach((name, gradient) -> {
            INDArray parameter = parameters.get(name);
            if (parameter == null) {
                throw new IllegalArgumentException("gradient for " + name + ", which is not a parameter of the model");
            }
            INDArray m = firstMoments.computeIfAbsent(name, n -> parameter.ulike().assign(0));
            INDArray v = secondMoments.computeIfAbsent(name, n -> parameter.ulike().assign(0));
            double decay = decays(name) ? 1 - learningRate * settings.weightDecay() : 1;
            if (VectorOps.updateInPlace(parameter, gradient, m, v)) {
                VectorOps.adamW(parameter, gradient, m, v, new VectorOps.AdamWStep((float) settings.beta1(),
                        (float) settings.beta2(), (float) correctedRate, (float) correctedEpsilon, (float) decay));
                return;
            }
            INDArray adamStep = scratchByShape.computeIfAbsent(Arrays.stream(parameter.shape()).boxed().toList(),
                    shape -> parameter.ulike());
            // m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; step = m^ / (sqrt(v^) + eps)
            SameDiffFixes.exec("adam_updater", new INDArray[] {gradient, v, m}, new INDArray[] {adamStep, v, m},
                    adamArguments, steps - 1);
            if (decay != 1) {
                parameter.muli(decay);
            }
            Gradients.addScaled(parameter, -learningRate, adamStep);                   // p -= lr step
        });
    }

    /** Updates applied so far. */
    public long steps() {
        return steps;
    }

    /** Writes the moments and the step count, so a resumed run continues exactly. */
    public void save(Path file) throws IOException {
        Map<String, INDArray> moments = new LinkedHashMap<>();
        firstMoments.forEach((name, m) -> moments.put("m." + name, m));
        secondMoments.forEach((name, v) -> moments.put("v." + name, v));
        Safetensors.writeArrays(file, moments, Map.of("steps", Long.toString(steps)));
    }

    /** Restores what {@link #save} wrote; moments must match the parameters' shapes. */
    public void load(Path file, Map<String, INDArray> parameters) throws IOException {
        firstMoments.clear();
        secondMoments.clear();
        for (Map.Entry<String, Tensor> entry : Safetensors.read(file).entrySet()) {
            String name = entry.getKey().substring(2);
            INDArray parameter = parameters.get(name);
            Tensor tensor = entry.getValue();
            if (parameter == null || !tensor.hasShape(parameter.shape())) {
                throw new IOException(file + ": optimiser state " + entry.getKey() + " " + tensor
                        + " does not fit the model's parameter " + name);
            }
            (entry.getKey().startsWith("m.") ? firstMoments : secondMoments).put(name, tensor.toArray(parameter.dataType()));
        }
        String stepCount = Safetensors.metadata(file).get("steps");
        if (stepCount == null) {
            throw new IOException(file + ": no 'steps' in the optimiser state's metadata");
        }
        steps = Long.parseLong(stepCount);
    }
}
