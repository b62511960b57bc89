package bertadapt.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.custom.DistributionUniform;
import org.nd4j.linalg.api.ops.random.impl.TruncatedNormalDistribution;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The building blocks a graph is made of (dense, LayerNorm, dropout) and the registry of its
 * parameters. {@link Bert} builds the encoder with them; a head-only graph, trained on cached
 * encoder features, builds the same head with the same parameter names.
 */
public final class Layers {

    public final SameDiff sd = SameDiff.create();
    public final DataType dtype;
    /** Whether dropout is part of the graph. */
    public final boolean training;
    private final double initializerRange;
    private final List<String> parameterNames = new ArrayList<>();
    private final SameDiffFixes.FreshRandomness dropoutRandomness = new SameDiffFixes.FreshRandomness();

    /** @param initializerRange standard deviation of the truncated normal that new weights are drawn from */
    public Layers(DataType dtype, boolean training, double initializerRange) {
        this.dtype = dtype;
        this.training = training;
        this.initializerRange = initializerRange;
        if (training) {
            sd.addListeners(dropoutRandomness);
        }
    }

    /** x W^T + b: [rows, in] -> [rows, out], with a new weight [out, in] and bias [out] named {@code name + ".weight"/".bias"}. */
    public SDVariable dense(String name, SDVariable x, int in, int out) {
        SDVariable w = weight(name + ".weight", out, in);
        SDVariable b = parameter(name + ".bias", Nd4j.zeros(dtype, out));
        return SameDiffFixes.linear(x, w, b);
    }

    /** LayerNorm over the last axis (width {@code h}) with weight (gamma) and bias (beta) named {@code name + ".weight"/".bias"}. */
    public SDVariable layerNorm(String name, SDVariable x, int h, double epsilon) {
        return SameDiffFixes.layerNorm(x, layerNormGain(name, h), layerNormBias(name, h), epsilon);
    }

    /** {@link #layerNorm} of x + residual, both [rows, h]: a Transformer sublayer's "Add &amp; Norm". */
    public SDVariable addAndNorm(String name, SDVariable x, SDVariable residual, int h, double epsilon) {
        return SameDiffFixes.addLayerNorm(x, residual, layerNormGain(name, h), layerNormBias(name, h), epsilon);
    }

    private SDVariable layerNormGain(String name, int h) {
        return parameter(name + ".weight", Nd4j.ones(dtype, h));
    }

    private SDVariable layerNormBias(String name, int h) {
        return parameter(name + ".bias", Nd4j.zeros(dtype, h));
    }

    /** Inverted dropout in a training graph: zero each element with probability {@code rate}, scale the rest by 1 / (1 - rate). */
    public SDVariable dropout(SDVariable x, double rate) {
        if (!training || rate == 0) {
            return x;
        }
        SDVariable uniform = new DistributionUniform(sd, sd.shape(x), 0.0, 1.0, dtype).outputVariable();
        SDVariable keep = uniform.gte(rate).castTo(dtype).div(1.0 - rate);
        return x.mul(keep);
    }

    /** Restarts the sequence dropout masks are drawn from; the same seed gives the same masks. */
    public void seedDropout(long seed) {
        dropoutRandomness.reseed(seed);
    }

    /** A new weight drawn from a normal distribution truncated at two standard deviations, as Google initialises. */
    public SDVariable weight(String name, long... shape) {
        INDArray values = Nd4j.createUninitialized(dtype, shape);
        Nd4j.getExecutioner().exec(new TruncatedNormalDistribution(values, 0.0, initializerRange));
        return parameter(name, values);
    }

    /** A new parameter, as a trainable variable. */
    public SDVariable parameter(String name, INDArray initial) {
        parameterNames.add(name);
        return sd.var(name, initial);
    }

    /** Every parameter by name, in the order the graph was built, whether trainable or frozen. */
    public Map<String, INDArray> parameters() {
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String name : parameterNames) {
            out.put(name, sd.getVariable(name).getArr());
        }
        return out;
    }
}
