package bertadapt.train;

import java.util.HashMap;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

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
    private long steps;

    public AdamW(Settings settings) {
        this.settings = settings;
    }

    /** Whether a parameter decays: every weight matrix and embedding, not LayerNorm parameters or biases. */
    public static boolean decays(String name) {
        return !(name.contains("LayerNorm") || name.endsWith(".bias"));
    }

    /** Applies one update, in place, to every parameter that has a gradient. */
    public void step(Map<String, INDArray> parameters, Map<String, INDArray> gradients, double learningRate) {
        steps++;
        double firstCorrection = 1 - Math.pow(settings.beta1(), steps);
        double secondCorrection = 1 - Math.pow(settings.beta2(), steps);
        gradients.forEach((name, gradient) -> {
            INDArray parameter = parameters.get(name);
            if (parameter == null) {
                throw new IllegalArgumentException("gradient for " + name + ", which is not a parameter of the model");
            }
            INDArray m = firstMoments.computeIfAbsent(name, n -> parameter.ulike().assign(0));
            INDArray v = secondMoments.computeIfAbsent(name, n -> parameter.ulike().assign(0));
            m.muli(settings.beta1()).addi(gradient.mul(1 - settings.beta1()));
            v.muli(settings.beta2()).addi(gradient.mul(gradient).muli(1 - settings.beta2()));
            INDArray denominator = Transforms.sqrt(v.div(secondCorrection), false).addi(settings.epsilon());
            INDArray update = m.div(firstCorrection).divi(denominator);
            if (decays(name) && settings.weightDecay() > 0) {
                parameter.muli(1 - learningRate * settings.weightDecay());
            }
            parameter.subi(update.muli(learningRate));
        });
    }

    /** Updates applied so far. */
    public long steps() {
        return steps;
    }
}
