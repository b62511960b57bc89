package bertadapt.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The attention softmax, LayerNorm, GELU and the softmax cross-entropy of a float graph on the CPU as one op each way,
 * forward and backward, computed by {@link VectorKernels}. libnd4j computes each as 4 to 9 ops over the whole array,
 * its exponentials and erf one element at a time (BERT-mini at batch 32: its attention softmax took 5.2 ms a layer
 * against 1.7 ms here). The additions before the attention softmax (the padding mask) and before each encoder
 * LayerNorm (the residual) are part of those ops, so that their sums are never a pass of their own.
 * {@link SameDiffFixes#softmax}, {@link SameDiffFixes#attentionSoftmax}, {@link SameDiffFixes#layerNorm},
 * {@link SameDiffFixes#addLayerNorm}, {@link SameDiffFixes#gelu} and {@link SameDiffFixes#crossEntropy} build these
 * ops where {@link #appliesTo} holds, and the library's ops elsewhere (double precision, another backend, a JVM without
 * {@code --add-modules jdk.incubator.vector}). The optimiser's update ({@link #adamW}) is a kernel of the same kind,
 * called directly rather than from a graph.
 */
public final class VectorOps {
    /** The system property that turns these ops off when set to {@code false}, to compare with the library's ops. */
    public static final String ENABLED_PROPERTY = "bertadapt.vectorOps";
    /**
     * Whether the JVM has the Vector API with vectorised exponentials: Java 17 compiles those (with Intel's SVML) on
     * x86-64 only, and elsewhere computes them lane by lane, which this project has not measured.
     */
    private static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && "amd64".equals(System.getProperty("os.arch"));

    private VectorOps() {
    }

    /** Whether the JVM has the Vector API (on x86-64) and the graph computes x in single precision on the CPU. */
    public static boolean appliesTo(SDVariable x) {
        return available() && x.dataType() == DataType.FLOAT;
    }

    /** Whether the JVM has the Vector API, on the CPU backend, and the ops are not turned off. */
    public static boolean available() {
        return VECTOR_API && Nd4j.getEnvironment().isCPU()
                && Boolean.parseBoolean(System.getProperty(ENABLED_PROPERTY, "true"));
    }

    /**
     * The coefficients of one AdamW update (see {@link #adamW}), in single precision as the arrays are.
     *
     * @param rate    the learning rate times the bias corrections' ratio sqrt(1 - b2^t) / (1 - b1^t)
     * @param epsilon added to sqrt(v), with the second moment's bias correction folded in
     * @param decay   the factor the parameter is multiplied by before the step: 1 - learning rate * weight decay, or 1
     */
    public record AdamWStep(float beta1, float beta2, float rate, float epsilon, float decay) {
    }

    /** Whether {@link #adamW} can update these arrays: vector ops {@link #available}, every array contiguous float. */
    public static boolean updateInPlace(INDArray... arrays) {
        return available() && Arrays.stream(arrays).allMatch(array -> array.dataType() == DataType.FLOAT
                && VectorOp.isPlain(array) && array.length() == arrays[0].length());
    }

    /**
     * One AdamW update of a parameter and its moments m and v in place, from its gradient:
     * m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p = decay p - rate m / (sqrt(v) + epsilon). A single pass over the
     * four arrays, where libnd4j's Adam op, a scaling and an axpy make three: BERT-Base's 110M parameters take 0.15 s
     * on two cores instead of 0.40 (bench/README.md, "The optimiser's update as one vector kernel"). Only for arrays
     * that {@link #updateInPlace} accepts.
     */
    public static void adamW(INDArray parameter, INDArray gradient, INDArray m, INDArray v, AdamWStep step) {
        if (!updateInPlace(parameter, gradient, m, v)) {
            throw new IllegalArgumentException("AdamW's vector update needs contiguous float arrays of one length: got "
                    + Stream.of(parameter, gradient, m, v).map(array -> array.dataType() + Arrays.toString(array.shape()))
                    .toList());
        }
        VectorKernels.adamW(flat(parameter), flat(gradient), flat(m), flat(v), step);
    }

    /** A contiguous float array as one row. */
    private static VectorKernels.Rows flat(INDArray array) {
        return new VectorKernels.Rows(array.data().asNio(), array.offset(), 1, (int) array.length());
    }

    /** softmax(x) along {@code axis}, counted from the first (0). */
    static SDVariable softmax(SDVariable x, int axis) {
        return new VectorOp(Kernel.SOFTMAX, 0, x).along(axis).outputVariable();
    }

    /** softmax(scores + bias) along the keys, the last axis of scores [B, N, T, T]; bias [B, 1, 1, T]. */
    static SDVariable attentionSoftmax(SDVariable scores, SDVariable bias) {
        return new VectorOp(Kernel.ATTENTION_SOFTMAX, 0, scores, bias).outputVariable();
    }

    /** (x - mean) / sqrt(var + eps) * gamma + beta along the last axis of x [rows, H]; gamma and beta [H]. */
    static SDVariable layerNorm(SDVariable x, SDVariable gamma, SDVariable beta, double eps) {
        return new VectorOp(Kernel.LAYER_NORM, eps, x, gamma, beta).outputVariable();
    }

    /** LayerNorm of x + residual, both [rows, H]. */
    static SDVariable addLayerNorm(SDVariable x, SDVariable residual, SDVariable gamma, SDVariable beta, double eps) {
        return new VectorOp(Kernel.ADD_LAYER_NORM, eps, x, residual, gamma, beta).outputVariable();
    }

    /** x Phi(x). */
    static SDVariable gelu(SDVariable x) {
        return new VectorOp(Kernel.GELU, 0, x).outputVariable();
    }

    /** Per-row softmax cross-entropy of logits [rows, C] against integer labels [rows]: [rows]. */
    static SDVariable crossEntropy(SDVariable logits, SDVariable labels) {
        return new VectorOp(Kernel.CROSS_ENTROPY, 0, logits, labels).outputVariables()[0];
    }

    /** What a {@link VectorOp} computes: its inputs, and its outputs, which have the shapes of the first inputs but for the cross-entropy's. */
    enum Kernel {
        /** (x) -> softmax(x) along the axis of the second integer argument. */
        SOFTMAX(1),
        /** (y, dy) -> dx, y the softmax's output. */
        SOFTMAX_GRADIENT(1),
        /** (scores [B, N, T, T], bias [B, 1, 1, T]) -> softmax(scores + bias) along the last axis. */
        ATTENTION_SOFTMAX(1),
        /** (x, gamma, beta) -> y; the real argument is epsilon. */
        LAYER_NORM(1),
        /** (x, gamma, dy) -> (dx, dgamma, dbeta); the real argument is epsilon. */
        LAYER_NORM_GRADIENT(3),
        /** (x, residual, gamma, beta) -> LayerNorm(x + residual); the real argument is epsilon. */
        ADD_LAYER_NORM(1),
        /** (x, residual, gamma, dy) -> (dx, dgamma, dbeta), dx the gradient of x and of the residual alike. */
        ADD_LAYER_NORM_GRADIENT(3),
        /** (x) -> x Phi(x). */
        GELU(1),
        /** (x, dy) -> dx. */
        GELU_GRADIENT(1),
        /** (logits [rows, C], labels [rows]) -> (loss [rows], log-sum-exp [rows]). */
        CROSS_ENTROPY(2),
        /** (logits, labels, log-sum-exp, dloss) -> dlogits. */
        CROSS_ENTROPY_GRADIENT(1);

        final int outputs;

        Kernel(int outputs) {
            this.outputs = outputs;
        }

        /** The op's name in graphs and op profiles, e.g. {@code bertadapt_layer_norm_gradient}. */
        String opName() {
            return "bertadapt_" + name().toLowerCase(Locale.ROOT);
        }
    }

    /** One {@link Kernel}, chosen by its first integer argument and named after it. */
    public static final class VectorOp extends SameDiffFixes.JavaOp {
        public VectorOp() {
        }

        VectorOp(Kernel kernel, double eps, SDVariable... inputs) {
            super(inputs[0].getSameDiff(), inputs);
            addIArgument(kernel.ordinal());
            addTArgument(eps);
        }

        /** The op along {@code axis} instead of the last axis: (a softmax's) second integer argument. */
        private VectorOp along(int axis) {
            addIArgument(axis);
            return this;
        }

        /** The axis the kernel runs along in arrays of x's rank. */
        private int axis(int rank) {
            return iArguments.size() > 1 ? iArguments.get(1).intValue() : rank - 1;
        }

        /** The kernel's name; while SameDiff constructs the op (naming its output), before the kernel is set, a generic one. */
        @Override
        public String opName() {
            return iArguments == null || iArguments.isEmpty() ? "bertadapt_vector_op" : kernel().opName();
        }

        private Kernel kernel() {
            return Kernel.values()[iArguments.get(0).intValue()];
        }

        private float eps() {
            return tArguments.get(0).floatValue();
        }

        @Override
        public int getNumOutputs() {
            return kernel().outputs;
        }

        @Override
        public List<DataType> calculateOutputDataTypes(List<DataType> dataTypes) {
            return Collections.nCopies(getNumOutputs(), dataTypes.get(0));
        }

        /** The first input's shape; LayerNorm's gradients add gamma's twice, the cross-entropy has two of the labels'. */
        @Override
        public List<LongShapeDescriptor> calculateOutputShape(OpContext context) {
            INDArray x = context.getInputArray(0);
            LongShapeDescriptor xShape = LongShapeDescriptor.fromShape(x.shape(), x.dataType());
            return switch (kernel()) {
                case LAYER_NORM_GRADIENT, ADD_LAYER_NORM_GRADIENT -> {
                    INDArray gamma = context.getInputArray(kernel() == Kernel.LAYER_NORM_GRADIENT ? 1 : 2);
                    LongShapeDescriptor gammaShape = LongShapeDescriptor.fromShape(gamma.shape(), x.dataType());
                    yield List.of(xShape, gammaShape, gammaShape);
                }
                case CROSS_ENTROPY -> {
                    LongShapeDescriptor perRow = LongShapeDescriptor.fromShape(context.getInputArray(1).shape(), x.dataType());
                    yield List.of(perRow, perRow);
                }
                default -> List.of(xShape);
            };
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> gradients) {
            SDVariable dy = gradients.get(0);
            return switch (kernel()) {
                case SOFTMAX -> List.of(new VectorOp(Kernel.SOFTMAX_GRADIENT, 0, outputVariable(), dy)
                        .along(iArguments.get(1).intValue()).outputVariable());
                case ATTENTION_SOFTMAX -> {
                    SDVariable dScores = new VectorOp(Kernel.SOFTMAX_GRADIENT, 0, outputVariable(), dy).outputVariable();
                    // The bias's gradient sums the scores' over heads and queries; computed only where it is asked for.
                    yield List.of(dScores, dScores.sum(true, 1, 2));                                // [B, N, T, T], [B, 1, 1, T]
                }
                case LAYER_NORM -> List.of(new VectorOp(Kernel.LAYER_NORM_GRADIENT, eps(), arg(0), arg(1), dy).outputVariables());
                case ADD_LAYER_NORM -> {
                    SDVariable[] dxGammaBeta = new VectorOp(Kernel.ADD_LAYER_NORM_GRADIENT, eps(), arg(0), arg(1), arg(2), dy)
                            .outputVariables();
                    // The residual's gradient is x's: an identity, which the session hands on without a copy.
                    yield List.of(dxGammaBeta[0], sameDiff.identity(dxGammaBeta[0]), dxGammaBeta[1], dxGammaBeta[2]);
                }
                case GELU -> List.of(new VectorOp(Kernel.GELU_GRADIENT, 0, arg(0), dy).outputVariable());
                case CROSS_ENTROPY -> List.of(new VectorOp(Kernel.CROSS_ENTROPY_GRADIENT, 0, arg(0), arg(1),
                        outputVariables()[1], dy).outputVariable(), sameDiff.zerosLike(arg(1)));
                default -> throw new UnsupportedOperationException(kernel() + " is not differentiated twice");
            };
        }

        /**
         * Computes the kernel over rows along its axis. Where that is not the last axis (a softmax along another),
         * x-shaped arrays are copied with the axis moved last, and the outputs moved back.
         */
        @Override
        void compute(OpContext context) {
            List<INDArray> inputs = context.getInputArrays();
            List<INDArray> outputs = context.getOutputArrays();
            if (kernel() == Kernel.ATTENTION_SOFTMAX) {
                requireAttentionBias(inputs.get(0), inputs.get(1));
            }
            int rank = inputs.get(0).rank();
            int axis = axis(rank);
            if (axis == rank - 1) {
                computeRows(inputs.stream().map(array -> isPlain(array) ? array : array.dup('c')).toList(),
                        outputs.stream().map(VectorOp::requirePlain).toList());
                return;
            }
            int[] axisLast = IntStream.concat(IntStream.range(0, rank).filter(a -> a != axis), IntStream.of(axis)).toArray();
            int[] back = new int[rank];
            for (int a = 0; a < rank; a++) {
                back[axisLast[a]] = a;
            }
            List<INDArray> moved = outputs.stream().map(array -> array.permute(axisLast).dup('c')).toList();
            computeRows(inputs.stream().map(array -> array.permute(axisLast).dup('c')).toList(), moved);
            for (int i = 0; i < outputs.size(); i++) {
                outputs.get(i).assign(moved.get(i).permute(back));
            }
        }

        /** The attention softmax's bias has one row of keys for each example of the scores: [B, 1, 1, T] for [B, N, T, T]. */
        private static void requireAttentionBias(INDArray scores, INDArray bias) {
            long[] expected = {scores.size(0), 1, 1, scores.size(-1)};
            if (scores.rank() != 4 || !Arrays.equals(bias.shape(), expected)) {
                throw new IllegalArgumentException("attention bias of shape " + Arrays.toString(bias.shape())
                        + " for scores of shape " + Arrays.toString(scores.shape()) + ": expected scores [B, N, T, T] and a bias "
                        + Arrays.toString(expected));
            }
        }

        private void computeRows(List<INDArray> inputs, List<INDArray> outputs) {
            if (kernel() == Kernel.CROSS_ENTROPY || kernel() == Kernel.CROSS_ENTROPY_GRADIENT) {
                computeCrossEntropy(inputs, outputs);
                return;
            }
            VectorKernels.Rows[] in = inputs.stream().map(VectorOp::rows).toArray(VectorKernels.Rows[]::new);
            VectorKernels.Rows[] out = outputs.stream().map(VectorOp::rows).toArray(VectorKernels.Rows[]::new);
            switch (kernel()) {
                case SOFTMAX -> VectorKernels.softmax(in[0], null, out[0]);
                case SOFTMAX_GRADIENT -> VectorKernels.softmaxGradient(in[0], in[1], out[0]);
                case ATTENTION_SOFTMAX -> VectorKernels.softmax(in[0], in[1], out[0]);
                case LAYER_NORM -> VectorKernels.layerNorm(in[0], null, in[1], in[2], eps(), out[0]);
                case LAYER_NORM_GRADIENT -> VectorKernels.layerNormGradient(in[0], null, in[1], in[2], eps(), out[0], out[1], out[2]);
                case ADD_LAYER_NORM -> VectorKernels.layerNorm(in[0], in[1], in[2], in[3], eps(), out[0]);
                case ADD_LAYER_NORM_GRADIENT -> VectorKernels.layerNormGradient(in[0], in[1], in[2], in[3], eps(), out[0],
                        out[1], out[2]);
                case GELU -> VectorKernels.gelu(in[0], out[0]);
                case GELU_GRADIENT -> VectorKernels.geluGradient(in[0], in[1], out[0]);
                default -> throw new IllegalStateException(kernel() + " is not computed row by row");
            }
        }

        /** The cross-entropy and its gradient, whose second input is the integer labels, one a row. */
        private void computeCrossEntropy(List<INDArray> inputs, List<INDArray> outputs) {
            VectorKernels.Rows logits = rows(inputs.get(0));
            int[] labels = inputs.get(1).reshape(-1).toIntVector();
            for (int r = 0; r < labels.length; r++) {
                if (labels[r] < 0 || labels[r] >= logits.width()) {
                    throw new IllegalArgumentException("label " + labels[r] + " of row " + r + " is not one of the "
                            + logits.width() + " classes 0.." + (logits.width() - 1));
                }
            }
            if (kernel() == Kernel.CROSS_ENTROPY) {
                VectorKernels.crossEntropy(logits, labels, rows(outputs.get(0)), rows(outputs.get(1)));
            } else {
                VectorKernels.crossEntropyGradient(logits, labels, rows(inputs.get(2)), rows(inputs.get(3)),
                        rows(outputs.get(0)));
            }
        }

        /** A contiguous row-major float array as rows along its last axis. */
        private static VectorKernels.Rows rows(INDArray array) {
            if (array.dataType() != DataType.FLOAT) {
                throw new IllegalArgumentException("vector ops compute float arrays, not " + array.dataType());
            }
            int width = array.rank() == 0 ? 1 : (int) array.size(-1);
            int rows = width == 0 ? 0 : (int) (array.length() / width);
            return new VectorKernels.Rows(array.data().asNio(), array.offset(), rows, width);
        }

        /** Whether the array's elements lie in row-major order one after the other; an input that is not is copied. */
        static boolean isPlain(INDArray array) {
            return array.ordering() == 'c' && (array.length() <= 1 || array.elementWiseStride() == 1);
        }

        /** The session gives every op output an array of its own. */
        private static INDArray requirePlain(INDArray output) {
            if (!isPlain(output)) {
                throw new IllegalStateException("an output array of shape " + Arrays.toString(output.shape())
                        + " is not contiguous and row-major");
            }
            return output;
        }
    }
}
