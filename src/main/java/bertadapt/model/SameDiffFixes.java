package bertadapt.model;

import java.io.FilterOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.config.ExecutionResult;
import org.nd4j.autodiff.samediff.config.SDValue;
import org.nd4j.autodiff.samediff.internal.AbstractSession;
import org.nd4j.autodiff.samediff.internal.FrameIter;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.SessionMemMgr;
import org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.ops.random.custom.DistributionUniform;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.imports.converters.DifferentialFunctionClassHolder;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.BaseNDArray;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ops.impl.scatter.ScatterAdd;
import org.nd4j.linalg.api.ops.impl.scatter.ScatterNdAdd;
import org.nd4j.linalg.api.ops.impl.shape.Gather;
import org.nd4j.linalg.api.ops.impl.shape.GatherNd;
import org.nd4j.linalg.api.ops.impl.controlflow.compat.StopGradient;
import org.nd4j.linalg.api.ops.impl.transforms.same.Identity;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.broadcast.BiasAdd;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

/**
 * Every workaround for a bug or a slow op of SameDiff 1.0.0-M2.1 that the BERT graph needs, in one place.
 * Each correctness fix has a test in {@code SameDiffFixesTest} that fails against the library's own op; the
 * speed fixes ({@link #linear}, {@link #broadcastProduct}, {@link #biasSum}, {@link #softmax}, {@link #layerNorm},
 * {@link #gelu}, {@link #crossEntropy}, {@link HeadProduct}, {@link #exec}, {@link DistinctIdArrayCache}) are checked
 * against finite differences, the library's uncached gradients, the ops they run, and the reuse of arrays they exist
 * for.
 *
 * <ul>
 *   <li>{@link #gather}: the library's gather gradient counts a repeated index once instead of
 *       summing, and a graph with two gathers fails to fit.</li>
 *   <li>{@link #broadcastProduct}: the library's gradient of a broadcast product is 60 times slower than the product.</li>
 *   <li>{@link #linear}: the library's xw_plus_b gradient is wrong for a transposed weight, it adds the bias in a pass
 *       of its own after a product onto zeros, and the gradient of a product plus a bias as two ops copies the
 *       incoming gradient.</li>
 *   <li>{@link #biasSum}: the library's gradient of a bias add copies the incoming gradient and sums the bias's over
 *       axis 0 at under 1 GB/s.</li>
 *   <li>{@link #softmax}: the library's softmax gradient recomputes the softmax, five times slower than from its output.</li>
 *   <li>{@link #layerNorm}: the library's layerNorm has no epsilon (BERT uses 1e-12); differentiated op by op, its
 *       statistics' gradient takes 12 ops over the whole array.</li>
 *   <li>{@link #gelu}: the library's gelu is the sigmoid approximation; BERT uses the exact erf form, whose gradient
 *       the library builds from 11 ops.</li>
 *   <li>{@link HeadProduct} ({@link #headScores}, {@link #headContext}): the library's batched matmul runs its own
 *       loops, at half the speed of a BLAS call per head, on heads that reshapes and permutes first copy out.</li>
 *   <li>{@link VectorOps}: in a float graph on the CPU, {@link #softmax}, {@link #layerNorm}, {@link #gelu} and
 *       {@link #crossEntropy} are one op each way, computed in Java with the Vector API, where the library runs
 *       several ops, its exponentials and erf one element at a time; the library's ops (as above) elsewhere.</li>
 *   <li>{@link FreshRandomness}: random ops draw the same numbers on every run.</li>
 *   <li>{@link #crossEntropy}: the library's softmax cross-entropy ignores ops applied after it, so a
 *       masked or weighted mean of its per-example losses gets wrong gradients; its sparse form takes 216 ms for
 *       BERT-mini's masked-LM loss.</li>
 *   <li>{@link #gradientPass}: the library's gradient calls turn off its array cache, so every op
 *       output of a training step is a fresh native allocation.</li>
 *   <li>{@link DistinctIdArrayCache}: the library's array cache gives a reused array the id of the next new array,
 *       and the session then skips handing one of the two back, so hundreds of op outputs a pass are never reused.</li>
 *   <li>{@link #freeArrays}: sessions keep their array caches and last outputs as long as the graph lives,
 *       even after its gradient function is dropped.</li>
 *   <li>{@link #freeUnreachableArrays}: ND4J frees an array nobody closed only when the garbage collector finds
 *       it, which a small heap puts off for gigabytes of native memory.</li>
 *   <li>{@link #exec}: an op run outside a graph keeps its inputs referenced until the garbage collector runs,
 *       so the array cache frees, rather than reuses, the gradients an optimiser has read.</li>
 * </ul>
 */
public final class SameDiffFixes {

    /** The name under which SameDiff keeps a graph's gradient function. */
    private static final String GRADIENT_FUNCTION = "grad";

    private SameDiffFixes() {
    }

    /** params[indices] along axis 0, with the gradient summed over repeated indices. */
    public static SDVariable gather(SameDiff sd, String name, SDVariable params, SDVariable indices) {
        registerReplacements();
        return new SummingGather(sd, params, indices).outputVariable().rename(name);
    }

    /**
     * The library's Gather, with a gradient that sums over repeated indices:
     * d params = scatter_add(zeros, indices, d out), with scatter_add's lock on so that concurrent
     * adds to the same row are not lost.
     */
    public static final class SummingGather extends Gather {
        public SummingGather() {
        }

        SummingGather(SameDiff sd, SDVariable params, SDVariable indices) {
            super(sd, params, indices, 0);
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> gradients) {
            return List.of(scatterRows(sameDiff.zerosLike(arg(0)), gradients.get(0)), sameDiff.zerosLike(arg(1)));
        }

        /**
         * Where params already have a gradient from another consumer (BERT's word embeddings, whose tied masked-LM
         * decoder is differentiated first), scatters the rows into it rather than into zeros that are then added
         * to it: one [V, H] array and two passes over it fewer.
         */
        @Override
        public List<SDVariable> diff(List<SDVariable> gradients) {
            SDVariable params = arg(0);
            if (!params.hasGradient()) {
                return super.diff(gradients);
            }
            SDVariable total = scatterRows(params.getGradient(), gradients.get(0));   // [V, H]
            sameDiff.setGradientForVariableName(params.name(), total);
            return List.of(total);
        }

        /** base with each row of rowGradients added at its index: [V, H] + [N, H] at indices [N] -> [V, H]. */
        private SDVariable scatterRows(SDVariable base, SDVariable rowGradients) {
            ScatterAdd sum = new ScatterAdd(sameDiff, base, arg(1), rowGradients);
            sum.addBArgument(true); // lock: serialise adds that hit the same row
            return sum.outputVariable();
        }
    }

    /**
     * x W^T + b for rows x [rows, in], a weight W [out, in] as checkpoints store it and a bias b [out], as one op
     * ({@link Linear}).
     */
    public static SDVariable linear(SDVariable x, SDVariable weight, SDVariable bias) {
        registerReplacements();
        return new Linear(x.getSameDiff(), x, weight, bias).outputVariable();
    }

    /**
     * x W^T + b, computed by this project's session as one BLAS call onto rows that hold the bias (beta 1), as
     * PyTorch's addmm computes it. The library's xw_plus_b has a gradient that ignores a transposed weight, and it
     * runs the product onto zeros and then adds the bias in a pass of its own: timed alone at BERT-Base's shapes, 5-13%
     * slower than the one call. Its gradient is two products and the bias's column sums, with no copy of the incoming
     * gradient (as a product followed by an add has).
     */
    public static final class Linear extends JavaOp {
        public Linear() {
        }

        Linear(SameDiff sd, SDVariable x, SDVariable weight, SDVariable bias) {
            super(sd, x, weight, bias);
        }

        @Override
        public String opName() {
            return "bertadapt_linear";
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> gradients) {
            SDVariable x = arg(0);                                               // [rows, in]
            SDVariable weight = arg(1);                                          // [out, in]
            SDVariable gradient = gradients.get(0);                              // [rows, out]
            return List.of(sameDiff.mmul(gradient, weight),                      // [rows, in]
                    sameDiff.mmul(gradient, x, true, false, false),              // [out, in]
                    columnSums(gradient));                                       // [out]
        }

        @Override
        public int getNumOutputs() {
            return 1;
        }

        @Override
        public List<DataType> calculateOutputDataTypes(List<DataType> dataTypes) {
            return List.of(dataTypes.get(0));
        }

        @Override
        public List<LongShapeDescriptor> calculateOutputShape(OpContext context) {
            INDArray x = context.getInputArray(0);                               // [rows, in]
            INDArray weight = context.getInputArray(1);                          // [out, in]
            return List.of(LongShapeDescriptor.fromShape(new long[] {x.size(0), weight.size(0)}, x.dataType()));
        }

        @Override
        void compute(OpContext context) {
            INDArray x = rowMajor(context.getInputArray(0));                     // [rows, in]
            INDArray weight = rowMajor(context.getInputArray(1));                // [out, in]
            INDArray bias = context.getInputArray(2);                            // [out]
            INDArray out = context.getOutputArray(0);                            // [rows, out]
            INDArray target = rowMajor(out);
            if (target.isEmpty()) {
                return;
            }
            if (!usesBlas(target)) {
                target.assign(x.mmul(weight.transpose())).addiRowVector(bias);
            } else {
                fillRows(target, rowMajor(bias));
                int rows = (int) x.size(0);
                int in = (int) x.size(1);
                int outputs = (int) weight.size(0);
                if (target.dataType() == DataType.FLOAT) {
                    openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans,
                            openblas_nolapack.CblasTrans, rows, outputs, in, 1f, new FloatPointer(x.data().addressPointer()),
                            in, new FloatPointer(weight.data().addressPointer()), in, 1f,
                            new FloatPointer(target.data().addressPointer()), outputs);
                } else {
                    openblas_nolapack.cblas_dgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans,
                            openblas_nolapack.CblasTrans, rows, outputs, in, 1.0,
                            new DoublePointer(x.data().addressPointer()), in,
                            new DoublePointer(weight.data().addressPointer()), in, 1.0,
                            new DoublePointer(target.data().addressPointer()), outputs);
                }
            }
            if (target != out) {
                out.assign(target);
            }
        }

        /** Every row of the row-major matrix [rows, C] set to row [C]: one copy of the row, then doubling copies. */
        private static void fillRows(INDArray matrix, INDArray row) {
            long rowBytes = row.length() * row.dataType().width();
            long rows = matrix.size(0);
            Pointer start = matrix.data().addressPointer();
            Pointer.memcpy(start, row.data().addressPointer(), rowBytes);
            for (long filled = 1; filled < rows; filled *= 2) {
                long copied = Math.min(filled, rows - filled);
                Pointer.memcpy(new BytePointer(start).position(filled * rowBytes), start, copied * rowBytes);
            }
        }
    }

    /**
     * The sums of the columns of a matrix [rows, C], as the product of a row of ones with it: [C]. The library's sums
     * over axis 0 run at under 1 GB/s (27 ms for [4096, 1024] against 1.7 ms for the product), and its legacy sum
     * fails with a NullPointerException in a session when the matrix is a single row.
     */
    static SDVariable columnSums(SDVariable matrix) {
        SameDiff sd = matrix.getSameDiff();
        SDVariable ones = sd.onesLike(matrix.get(SDIndex.all(), SDIndex.point(0)));   // [rows]
        return sd.mmul(ones, matrix);                                                  // [C]
    }

    /** How the second factor of a {@link #broadcastProduct} is broadcast against the first, [rows, C]. */
    public enum Broadcast {
        /** A row [C], the same for every row (LayerNorm's gain). */
        ROW,
        /** A column [rows, 1], one number for each row (LayerNorm's normalisation). */
        COLUMN
    }

    /**
     * x [rows, C] times y broadcast as a {@link Broadcast#ROW row} [C] or a {@link Broadcast#COLUMN column} [rows, 1].
     * The library's gradient of a broadcast product takes 15 ms on [4096, 256] against 0.25 ms for the product itself
     * (it tiles y to x's shape first); this one is written as products and sums.
     */
    public static SDVariable broadcastProduct(SDVariable x, SDVariable y, Broadcast broadcast) {
        registerReplacements();
        return new FastGradientProduct(x.getSameDiff(), x, y, broadcast.name()).outputVariable();
    }

    /**
     * The library's multiply, with a fast gradient when it was built by {@link #broadcastProduct} or {@link #gelu},
     * which record in a property how to differentiate it (SameDiff no longer knows the shapes when it differentiates).
     * Other multiplies keep the library's gradient.
     */
    public static final class FastGradientProduct extends MulOp {
        private static final String GRADIENT = "gradient";
        /** GELU's x * Phi(x), y being Phi(x) computed from a {@link #CONSTANT} product. */
        private static final String GELU = "GELU";
        /** A product through which no gradient flows, as if it were a constant. */
        private static final String CONSTANT = "CONSTANT";
        /**
         * LayerNorm's centred input times its inverse standard deviation [rows, 1], both computed from statistics that
         * pass no gradient back: the gradient is LayerNorm's whole input gradient, that of the centring included.
         */
        private static final String LAYER_NORM = "LAYER_NORM";
        /** A {@link Broadcast} name, {@link #GELU}, {@link #LAYER_NORM}, {@link #CONSTANT}, or null for the library's gradient. */
        private String gradient;

        public FastGradientProduct() {
        }

        FastGradientProduct(SameDiff sd, SDVariable x, SDVariable y, String gradient) {
            super(sd, x, y);
            this.gradient = gradient;
        }

        @Override
        public Map<String, Object> propertiesForFunction() {
            Map<String, Object> properties = new LinkedHashMap<>(super.propertiesForFunction());
            if (gradient != null) {
                properties.put(GRADIENT, gradient);
            }
            return properties;
        }

        @Override
        public void setPropertiesForFunction(Map<String, Object> properties) {
            super.setPropertiesForFunction(properties);
            Object recorded = properties.get(GRADIENT);
            gradient = recorded == null ? null : recorded.toString();
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> gradients) {
            if (gradient == null) {
                return super.doDiff(gradients);
            }
            if (gradient.equals(CONSTANT)) {
                return List.of();
            }
            SDVariable x = arg(0);                                               // [rows, C]
            SDVariable y = arg(1);                                               // [C], [rows, 1], or x's shape for GELU
            SDVariable incoming = gradients.get(0);                              // [rows, C]
            if (gradient.equals(LAYER_NORM)) {
                // d = g / std; dx = d - mean(d) - xhat mean(d xhat), xhat the output; the statistics get none
                SDVariable normalised = outputVariable();                        // [rows, H]
                SDVariable scaled = incoming.mul(y);                             // [rows, H]
                SDVariable alongNormalised = scaled.mul(normalised).mean(true, 1); // [rows, 1]
                SDVariable xGradient = scaled.sub(scaled.mean(true, 1)).sub(normalised.mul(alongNormalised)); // [rows, H]
                return List.of(xGradient, sameDiff.zerosLike(y));                // [rows, H], never run
            }
            if (gradient.equals(GELU)) {
                // d/dx x Phi(x) = Phi(x) + x phi(x), phi(x) = exp(-x^2 / 2) / sqrt(2 pi); Phi's own inputs get none
                SDVariable density = sameDiff.math.exp(x.mul(x).mul(-0.5)).mul(1 / Math.sqrt(2 * Math.PI)); // [rows, C]
                return List.of(incoming.mul(y.add(x.mul(density))), sameDiff.zerosLike(y)); // [rows, C], never run
            }
            SDVariable products = incoming.mul(x);                               // [rows, C]
            SDVariable yGradient = switch (Broadcast.valueOf(gradient)) {
                case ROW -> columnSums(products);                                // [C]
                case COLUMN -> products.sum(true, 1);                            // [rows, 1]
            };
            return List.of(incoming.mul(y), yGradient);                          // [rows, C], y's shape
        }
    }

    /** x [.., C] plus a bias [C] along its last axis, whose gradient is the incoming gradient's column sums. */
    public static SDVariable biasSum(SDVariable x, SDVariable bias) {
        registerReplacements();
        return new ColumnSummingBiasAdd(x.getSameDiff(), x, bias).outputVariable();
    }

    /**
     * The library's bias add, with the bias's gradient as the column sums of the incoming gradient, a product with a
     * row of ones, and the input's as the incoming gradient itself through an identity: the library's gradient
     * copies the incoming one and sums it over its leading axes at under 1 GB/s. A bias along the channels of NCHW
     * images keeps the library's gradient.
     */
    public static final class ColumnSummingBiasAdd extends BiasAdd {
        public ColumnSummingBiasAdd() {
        }

        ColumnSummingBiasAdd(SameDiff sd, SDVariable x, SDVariable bias) {
            super(sd, x, bias, false);
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> gradients) {
            if (bArguments.isEmpty() || bArguments.get(0)) { // channels first, NCHW (the field is not restored)
                return super.doDiff(gradients);
            }
            SDVariable incoming = gradients.get(0);                                                // x's shape
            SDVariable columns = sameDiff.sizeAt(arg(1), 0).castTo(DataType.INT64).reshape(1);    // (C)
            SDVariable rows = incoming.reshape(sameDiff.concat(0,
                    sameDiff.constant(Nd4j.createFromArray(-1L)), columns));                       // [rows, C]
            return List.of(sameDiff.identity(incoming), columnSums(rows));                          // x's shape, [C]
        }
    }

    /** softmax(x) along {@code axis}, counted from the first (0), with a gradient computed from the output. */
    public static SDVariable softmax(SDVariable x, int axis) {
        if (axis < 0) {
            throw new IllegalArgumentException("softmax axis " + axis + ": count it from the first axis (0)");
        }
        registerReplacements();
        if (VectorOps.appliesTo(x)) {
            return VectorOps.softmax(x, axis);
        }
        return new OutputGradientSoftmax(x.getSameDiff(), x, axis).outputVariable();
    }

    /**
     * The attention's probabilities, softmax(scores + bias) along the keys: scores [B, N, T, T], bias [B, 1, 1, T] (0
     * for a real key, -10000 for padding). The vector op adds the bias row by row inside the softmax.
     */
    public static SDVariable attentionSoftmax(SDVariable scores, SDVariable bias) {
        registerReplacements();
        if (VectorOps.appliesTo(scores)) {
            return VectorOps.attentionSoftmax(scores, bias);
        }
        return softmax(scores.add(bias), 3);
    }

    /**
     * The library's softmax, with its gradient written as y * (g - sum(g * y)) from the output y. The library's
     * softmax_bp recomputes the softmax and takes 11 ms for the attention probabilities of BERT-mini at batch 32
     * ([32, 4, 128, 128]) against about 2 ms for these four ops. A softmax along a negative axis keeps the library's
     * gradient: the library's sums that keep their dimensions are wrong along a negative axis of a rank-3 array.
     */
    public static final class OutputGradientSoftmax extends SoftMax {
        public OutputGradientSoftmax() {
        }

        OutputGradientSoftmax(SameDiff sd, SDVariable x, int axis) {
            super(sd, new SDVariable[] {x}, axis);
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> gradients) {
            if (iArguments.isEmpty() || iArguments.get(0) < 0) {
                return super.doDiff(gradients);
            }
            int axis = iArguments.get(0).intValue();
            SDVariable y = outputVariable();                                     // x's shape
            SDVariable gradient = gradients.get(0);                              // x's shape
            SDVariable alongY = gradient.mul(y).sum(true, axis);                 // x's shape, 1 along the axis
            return List.of(gradient.sub(alongY).mul(y));                         // x's shape
        }
    }

    /**
     * An op that this project's {@link Session} computes in Java instead of libnd4j, which has no op of its name.
     * SameDiff copies a graph (for its gradient function) through its serialised form, looking each op's class up by
     * name; {@link #registerReplacements} registers every such class. Its arguments are the integer and real ones,
     * which the copy keeps, and no properties.
     */
    public abstract static class JavaOp extends DynamicCustomOp {
        protected JavaOp() {
        }

        protected JavaOp(SameDiff sd, SDVariable... inputs) {
            super(null, sd, inputs);
            // SameDiff creates a thread's session when a variable first gets an array, which may have been before
            // this project's session factory was bound; only that session computes these ops.
            sd.getSessions().replaceAll((thread, session) -> session instanceof Session ? session : new Session(sd));
        }

        /** Writes the op's outputs into the context's output arrays, which have the shapes it declared. */
        abstract void compute(OpContext context);

        @Override
        public Map<String, Object> propertiesForFunction() {
            return new LinkedHashMap<>();
        }

        @Override
        public void setPropertiesForFunction(Map<String, Object> properties) {
        }
    }

    /** Whether the products of these arrays are BLAS calls (else products of views). */
    private static boolean usesBlas(INDArray array) {
        return Nd4j.getEnvironment().isCPU()
                && (array.dataType() == DataType.FLOAT || array.dataType() == DataType.DOUBLE);
    }

    /** The array itself where it is a row-major array of its own from the start of its buffer, else such a copy. */
    private static INDArray rowMajor(INDArray array) {
        boolean plain = array.ordering() == 'c' && array.offset() == 0 && !array.isView()
                && Arrays.equals(array.stride(), Nd4j.getStrides(array.shape(), 'c'));
        return plain ? array : array.dup('c');
    }

    /**
     * Attention scores of every head, scale * q_bn k_bn^T: query and key [B*T, H] -> [B, N, T, T], where q_bn is head
     * n's columns of example b's rows. The heads are read where the projections wrote them ({@link HeadProduct}).
     */
    public static SDVariable headScores(SDVariable query, SDVariable key, int heads, double scale,
                                        SDVariable batchAndLength) {
        registerReplacements();
        return new HeadProduct(query.getSameDiff(), HeadProduct.SCORES, query, key, batchAndLength, heads, scale)
                .outputVariable();
    }

    /**
     * Every head's attention-weighted values, p_bn v_bn: probabilities [B, N, T, T] and value [B*T, H] -> [B*T, H],
     * each head's context written into its own columns, where the output projection reads it ({@link HeadProduct}).
     */
    public static SDVariable headContext(SDVariable probabilities, SDVariable value, int heads,
                                         SDVariable batchAndLength) {
        registerReplacements();
        return new HeadProduct(probabilities.getSameDiff(), HeadProduct.CONTEXT, probabilities, value, batchAndLength,
                heads, 1.0).outputVariable();
    }

    /**
     * The attention's products, one matrix product per example and head, computed by this project's session
     * ({@link Session}) with a BLAS call per head on the arrays as they lie: head n of example b is the block of
     * rows b*T..(b+1)*T and columns n*D..(n+1)*D of a [B*T, H] array. The library's way, reshaping to [B, T, N, D],
     * permuting to [B, N, T, D] (a copy), and a batched matmul, which libnd4j runs with its own loops, copied the
     * queries, keys, values and context, and their gradients, once more each: those products and copies took about
     * 0.67 s of a profiled BERT-Base training step (batch 8, length 128), these products 0.20 s.
     *
     * <p>Three forms, each the gradient of the others: {@link #SCORES} scale * x_bn y_bn^T [B, N, T, T];
     * {@link #CONTEXT} scale * p_bn y_bn [B*T, H]; {@link #TRANSPOSED_CONTEXT} scale * p_bn^T y_bn [B*T, H]. The
     * inputs are (x or p, y, (B, T)); integer arguments (form, N), the real one the scale.
     */
    public static final class HeadProduct extends JavaOp {
        static final int SCORES = 0;
        static final int CONTEXT = 1;
        static final int TRANSPOSED_CONTEXT = 2;

        public HeadProduct() {
        }

        HeadProduct(SameDiff sd, int form, SDVariable x, SDVariable y, SDVariable batchAndLength, int heads,
                    double scale) {
            super(sd, x, y, batchAndLength);
            addIArgument(form, heads);
            addTArgument(scale);
        }

        @Override
        public String opName() {
            return "bertadapt_head_product";
        }

        private int form() {
            return iArguments.get(0).intValue();
        }

        private int heads() {
            return iArguments.get(1).intValue();
        }

        private double scale() {
            return tArguments.get(0);
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> gradients) {
            SDVariable x = arg(0);
            SDVariable y = arg(1);                                               // [B*T, H]
            SDVariable g = gradients.get(0);                                     // the output's shape
            return switch (form()) {
                // out = s x y^T: dx = s g y, dy = s g^T x
                case SCORES -> List.of(product(CONTEXT, g, y, scale()), product(TRANSPOSED_CONTEXT, g, x, scale()));
                // out = s p y: dp = s g y^T, dy = s p^T g
                case CONTEXT -> List.of(product(SCORES, g, y, scale()), product(TRANSPOSED_CONTEXT, x, g, scale()));
                // out = s p^T y: dp = s y g^T, dy = s p g
                case TRANSPOSED_CONTEXT -> List.of(product(SCORES, y, g, scale()), product(CONTEXT, x, g, scale()));
                default -> throw new IllegalStateException("HeadProduct form " + form());
            };
        }

        private SDVariable product(int form, SDVariable x, SDVariable y, double scale) {
            return new HeadProduct(sameDiff, form, x, y, arg(2), heads(), scale).outputVariable();
        }

        @Override
        public int getNumOutputs() {
            return 1;
        }

        @Override
        public List<DataType> calculateOutputDataTypes(List<DataType> dataTypes) {
            return List.of(dataTypes.get(1));
        }

        @Override
        public List<LongShapeDescriptor> calculateOutputShape(OpContext context) {
            INDArray x = context.getInputArray(0);
            INDArray y = context.getInputArray(1);                               // [B*T, H]
            INDArray batchAndLength = context.getInputArray(2);                  // (B, T)
            long batch = batchAndLength.getLong(0);
            long length = batchAndLength.getLong(1);
            long[] shape = form() == SCORES ? new long[] {batch, heads(), length, length} : y.shape();
            return List.of(LongShapeDescriptor.fromShape(shape, x.dataType()));
        }

        /**
         * Writes the product into the context's output array, one product per example and head. OpenBLAS threads a
         * product of a head's size ([128, 64] x [64, 128]) over the cores at half the rate of one core alone, so on
         * the CPU each call runs single-threaded and the heads are shared out among as many Java threads as OpenBLAS
         * had.
         */
        @Override
        void compute(OpContext context) {
            INDArray x = rowMajor(context.getInputArray(0));
            INDArray y = rowMajor(context.getInputArray(1));                     // [B*T, H]
            INDArray out = context.getOutputArray(0);
            INDArray target = rowMajor(out);
            INDArray batchAndLength = context.getInputArray(2);
            int batch = batchAndLength.getInt(0);
            int length = batchAndLength.getInt(1);
            int heads = heads();
            int hidden = (int) y.size(1);
            int headSize = hidden / heads;
            IntConsumer headProduct = bn -> {
                int b = bn / heads;
                int n = bn % heads;
                long head = (long) b * length * hidden + (long) n * headSize;      // block (b, n) of [B*T, H]
                long square = (long) bn * length * length;                          // block (b, n) of [B, N, T, T]
                if (form() == SCORES) {
                    Block q = new Block(x, head, length, headSize, hidden);         // [T, D]
                    Block k = new Block(y, head, length, headSize, hidden);         // [T, D]
                    multiply(q, false, k, true, new Block(target, square, length, length, length), scale()); // [T, T]
                } else {
                    Block p = new Block(x, square, length, length, length);        // [T, T]
                    Block v = new Block(y, head, length, headSize, hidden);         // [T, D]
                    multiply(p, form() == TRANSPOSED_CONTEXT, v, false,
                            new Block(target, head, length, headSize, hidden), scale()); // [T, D]
                }
            };
            if (usesBlas(target)) {
                int blasThreads = OpenBlasThreads.get();
                int workers = Math.max(1, blasThreads);
                OpenBlasThreads.set(1);
                try {
                    IntStream.range(0, workers).parallel().forEach(worker -> {
                        for (int bn = worker; bn < batch * heads; bn += workers) {
                            headProduct.accept(bn);
                        }
                    });
                } finally {
                    OpenBlasThreads.set(blasThreads);
                }
            } else {
                IntStream.range(0, batch * heads).forEach(headProduct);
            }
            if (target != out) {
                out.assign(target);
            }
        }

        /** A rows x columns block of a row-major array, from element {@code offset}, its rows {@code stride} apart. */
        private record Block(INDArray array, long offset, int rows, int columns, int stride) {
            INDArray view() {
                return Nd4j.create(array.data(), new long[] {rows, columns}, new long[] {stride, 1}, offset, 'c');
            }
        }

        /**
         * out = scale * op(a) op(b), op transposing where asked: a BLAS call on the CPU backend in single or double
         * precision, else (another backend, half precision) a product of views.
         */
        private static void multiply(Block a, boolean transposeA, Block b, boolean transposeB, Block out, double scale) {
            int m = transposeA ? a.columns() : a.rows();
            int k = transposeA ? a.rows() : a.columns();
            int n = transposeB ? b.rows() : b.columns();
            int transA = transposeA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
            int transB = transposeB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
            if (!usesBlas(out.array())) {
                INDArray left = transposeA ? a.view().transpose() : a.view();
                INDArray right = transposeB ? b.view().transpose() : b.view();
                out.view().assign(left.mmul(right).muli(scale));
            } else if (out.array().dataType() == DataType.FLOAT) {
                openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, transA, transB, m, n, k, (float) scale,
                        floats(a), a.stride(), floats(b), b.stride(), 0f, floats(out), out.stride());
            } else {
                openblas_nolapack.cblas_dgemm(openblas_nolapack.CblasRowMajor, transA, transB, m, n, k, scale,
                        doubles(a), a.stride(), doubles(b), b.stride(), 0.0, doubles(out), out.stride());
            }
        }

        private static FloatPointer floats(Block block) {
            return new FloatPointer(block.array().data().addressPointer()).position(block.offset());
        }

        private static DoublePointer doubles(Block block) {
            return new DoublePointer(block.array().data().addressPointer()).position(block.offset());
        }
    }

    /**
     * OpenBLAS's thread count, read and set through its own symbols, looked up once. ND4J's {@code Blas.setMaxThreads}
     * goes through the JavaCPP preset's {@code blas_set_num_threads}, which loads the library's properties and looks
     * up four symbols on every call (0.3-0.56 ms a call, a {@link HeadProduct} makes two: 144 a BERT-Base training
     * step, and enough that the JIT compiler spent seconds compiling JavaCPP's loader), and {@code getMaxThreads}
     * returns the count last set through that path, not OpenBLAS's. Where the symbols are missing (another BLAS),
     * ND4J's methods.
     */
    static final class OpenBlasThreads {
        private static final openblas_nolapack.SetNumThreads SET;
        private static final IntPointer COUNT;

        static {
            Loader.load(openblas_nolapack.class);
            Pointer set = Loader.addressof("openblas_set_num_threads");
            Pointer count = Loader.addressof("blas_cpu_number");
            SET = set == null || count == null ? null : functionPointer(set);
            COUNT = SET == null ? null : new IntPointer(count);
        }

        /** The preset's own function-pointer type holding {@code function}, made as the preset makes it. */
        private static openblas_nolapack.SetNumThreads functionPointer(Pointer function) {
            try {
                Constructor<openblas_nolapack.SetNumThreads> allocating =
                        openblas_nolapack.SetNumThreads.class.getDeclaredConstructor();
                allocating.setAccessible(true);
                return allocating.newInstance().put(function);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("the OpenBLAS preset has no SetNumThreads(): not 0.3.19-1.5.7? " + e, e);
            }
        }

        private OpenBlasThreads() {
        }

        static int get() {
            return COUNT != null ? COUNT.get() : Nd4j.factory().blas().getMaxThreads();
        }

        static void set(int threads) {
            if (SET != null) {
                SET.call(threads);
            } else {
                Nd4j.factory().blas().setMaxThreads(threads);
            }
        }
    }

    /**
     * (x - mean) / sqrt(var + eps) * gamma + beta over the last axis of [rows, H]. The mean and the inverse standard
     * deviation pass no gradient back; the normalising product carries LayerNorm's whole input gradient instead
     * ({@link FastGradientProduct}). Differentiated op by op through the statistics, its gradient ran 12 ops over
     * [rows, H], now 8 (one more in the forward pass: the copy of x the mean is taken from).
     */
    public static SDVariable layerNorm(SDVariable x, SDVariable gamma, SDVariable beta, double eps) {
        registerReplacements();
        if (VectorOps.appliesTo(x)) {
            return VectorOps.layerNorm(x, gamma, beta, eps);
        }
        SameDiff sd = x.getSameDiff();
        SDVariable centred = x.sub(withoutGradient(x).mean(true, 1));                         // [rows, H]
        SDVariable squares = new FastGradientProduct(sd, centred, centred, FastGradientProduct.CONSTANT)
                .outputVariable();                                                            // [rows, H]
        SDVariable inverseStd = sd.math.rsqrt(squares.mean(true, 1).add(eps));               // [rows, 1]
        SDVariable normalised = new FastGradientProduct(sd, centred, inverseStd, FastGradientProduct.LAYER_NORM)
                .outputVariable();                                                            // [rows, H]
        return biasSum(broadcastProduct(normalised, gamma, Broadcast.ROW), beta);             // [rows, H]
    }

    /**
     * LayerNorm of x + residual, both [rows, H]: the Transformer's "Add &amp; Norm". The vector op adds them row by row
     * inside the LayerNorm, and its gradient recomputes the sum rather than keep it.
     */
    public static SDVariable addLayerNorm(SDVariable x, SDVariable residual, SDVariable gamma, SDVariable beta, double eps) {
        registerReplacements();
        if (VectorOps.appliesTo(x)) {
            return VectorOps.addLayerNorm(x, residual, gamma, beta, eps);
        }
        return layerNorm(x.add(residual), gamma, beta, eps);
    }

    /** x's value, through which no gradient flows back to x ({@link GradientStop}). */
    private static SDVariable withoutGradient(SDVariable x) {
        return new GradientStop(x.getSameDiff(), x).outputVariable();
    }

    /**
     * x itself, passing no gradient back: SameDiff's session hands an identity's input array on as its output, so
     * the forward pass copies nothing (a product by 1 did this with a copy of x: one LayerNorm input of [B*T, H] a
     * LayerNorm, the masked-LM logits once). Registered as the library's {@code stop_gradient}, whose native op never
     * runs.
     */
    public static final class GradientStop extends Identity {
        public GradientStop() {
        }

        GradientStop(SameDiff sd, SDVariable x) {
            super(sd, x);
        }

        @Override
        public String opName() {
            return "stop_gradient";
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> gradients) {
            return List.of();
        }
    }

    /**
     * Exact GELU, x * Phi(x) with Phi(x) = (1 + erf(x / sqrt 2)) / 2, as BERT uses, with its gradient written as
     * Phi(x) + x phi(x). Differentiated op by op, the library's erf gradient (7 ops, one an array of ones) and the
     * products around it took 11 ops over [B*T, I] and kept three such arrays a layer for the backward pass; this
     * takes 7 and keeps x and Phi(x): a BERT-Base step at batch 8 keeps 33 arrays of [1024, 3072] instead of 51.
     */
    public static SDVariable gelu(SDVariable x) {
        registerReplacements();
        if (VectorOps.appliesTo(x)) {
            return VectorOps.gelu(x);
        }
        SameDiff sd = x.getSameDiff();
        SDVariable inverseSqrt2 = sd.constant(Nd4j.scalar(x.dataType(), 1 / Math.sqrt(2)));
        SDVariable scaled = new FastGradientProduct(sd, x, inverseSqrt2, FastGradientProduct.CONSTANT).outputVariable(); // x / sqrt 2
        SDVariable cdf = sd.math.erf(scaled).add(1.0).mul(0.5);                                   // Phi(x)
        return new FastGradientProduct(sd, x, cdf, FastGradientProduct.GELU).outputVariable();           // x Phi(x)
    }

    /**
     * Per-row softmax cross-entropy, log(sum(exp(logits))) - logits[label]: [rows, C] -> [rows], written out so that
     * later ops (masking, weighting) get correct gradients. The log-sum-exp is computed from a product that no
     * gradient flows through, and the pick of each row's label carries the whole gradient, softmax(logits) -
     * onehot(label) ({@link LabelPick}): differentiated op by op through the max shift, the exponentials, a one-hot
     * array and their sums, the masked-LM loss of BERT-mini at batch 32 ([640, 30522]) took 24 op calls and 158 ms a
     * pass.
     */
    public static SDVariable crossEntropy(SDVariable logits, SDVariable labels) {
        registerReplacements();
        if (VectorOps.appliesTo(logits)) {
            return VectorOps.crossEntropy(logits, labels);
        }
        SameDiff sd = logits.getSameDiff();
        SDVariable fixed = withoutGradient(logits);                                    // [rows, C]
        SDVariable maxima = fixed.max(true, 1);                                        // [rows, 1]
        SDVariable exponentials = sd.math.exp(fixed.sub(maxima));                      // [rows, C]
        SDVariable sums = exponentials.sum(true, 1);                                   // [rows, 1]
        SDVariable logSumExp = sd.math.log(sums).add(maxima).reshape(-1);              // [rows]
        SDVariable rows = sd.range(sd.constant(0L), sd.sizeAt(labels, 0).castTo(DataType.INT64), sd.constant(1L),
                DataType.INT64);                                                       // [rows]
        SDVariable positions = sd.stack(1, rows, labels.castTo(DataType.INT64));       // [rows, 2]
        SDVariable picked = new LabelPick(sd, logits, positions, exponentials, sums).outputVariable(); // [rows]
        return logSumExp.sub(picked);                                                  // [rows]
    }

    /**
     * logits[r, label_r] for each row r, whose gradient is that of the whole cross-entropy log(sum(exp(logits))) -
     * logits[label] when the log-sum-exp is computed without a gradient: d/dlogits = onehot(label) - softmax(logits)
     * times the incoming gradient, from the exponentials and their sums that the log-sum-exp computed. Those are
     * found by name, kept as properties, since SameDiff re-creates the op from them when it builds the gradient graph.
     */
    public static final class LabelPick extends GatherNd {
        private static final String EXPONENTIALS = "exponentials";
        private static final String SUMS = "sums";
        private String exponentials;
        private String sums;

        public LabelPick() {
        }

        LabelPick(SameDiff sd, SDVariable logits, SDVariable positions, SDVariable exponentials, SDVariable sums) {
            super(sd, logits, positions);
            this.exponentials = exponentials.name();
            this.sums = sums.name();
        }

        @Override
        public Map<String, Object> propertiesForFunction() {
            Map<String, Object> properties = new LinkedHashMap<>(super.propertiesForFunction());
            properties.put(EXPONENTIALS, exponentials);
            properties.put(SUMS, sums);
            return properties;
        }

        @Override
        public void setPropertiesForFunction(Map<String, Object> properties) {
            super.setPropertiesForFunction(properties);
            exponentials = properties.get(EXPONENTIALS).toString();
            sums = properties.get(SUMS).toString();
        }

        @Override
        public List<SDVariable> doDiff(List<SDVariable> gradients) {
            SDVariable incoming = gradients.get(0);                                    // [rows]
            SDVariable scale = incoming.reshape(-1, 1).neg().div(sameDiff.getVariable(sums)); // [rows, 1]
            SDVariable softmaxPart = sameDiff.getVariable(exponentials).mul(scale);    // [rows, C]
            SDVariable logitsGradient = new ScatterNdAdd(sameDiff, softmaxPart, arg(1), incoming).outputVariable(); // [rows, C]
            return List.of(logitsGradient, sameDiff.zerosLike(arg(1)));
        }
    }

    /**
     * Builds the gradient graph. SameDiff prints a line to standard output for every op it
     * differentiates (hundreds for BERT); those lines are dropped, anything else printed passes.
     */
    public static synchronized void createGradFunction(SameDiff sd) {
        PrintStream original = System.out;
        System.setOut(new PrintStream(new FilterOutputStream(original) {
            private final StringBuilder line = new StringBuilder();

            @Override
            public void write(int b) {
                if (b == '\n') {
                    if (!line.toString().startsWith("Added differentiated op")) {
                        original.println(line);
                    }
                    line.setLength(0);
                } else {
                    line.append((char) b);
                }
            }
        }, true));
        try {
            sd.createGradFunction();
        } finally {
            System.setOut(original);
        }
    }

    /**
     * The values of the requested outputs and the loss gradients of the requested variables, from one pass.
     * {@link #close} hands the pass's arrays back to the session's array cache, where the next pass finds them
     * instead of allocating new ones (BERT-Base's gradients are 440 MB a pass); after it they must not be used.
     */
    public static final class GradientPass implements AutoCloseable {
        private final Map<String, INDArray> outputs;
        private final Map<String, INDArray> gradients;
        private final SameDiff gradientGraph;
        private final InferenceSession session;

        GradientPass(Map<String, INDArray> outputs, Map<String, INDArray> gradients, SameDiff gradientGraph,
                     InferenceSession session) {
            this.outputs = outputs;
            this.gradients = gradients;
            this.gradientGraph = gradientGraph;
            this.session = session;
        }

        public Map<String, INDArray> outputs() {
            return outputs;
        }

        public Map<String, INDArray> gradients() {
            return gradients;
        }

        /**
         * Hands back the requested outputs and gradients, and also every other op output the session still
         * holds: it returns an intermediate to its cache once the last consumer has run, but keeps about 1 GB
         * of a BERT-Base pass's op outputs (sums, products, scaled copies) referenced until the next pass
         * overwrites them, so that they were new allocations on every pass and freed only by the garbage collector.
         */
        @Override
        public void close() {
            List<INDArray> arrays = new ArrayList<>(outputs.values());
            arrays.addAll(gradients.values());
            releaseToCache(gradientGraph, session, arrays);
        }
    }

    /**
     * Hands {@code arrays} and the op outputs that {@code session} still holds back to its array cache, each once,
     * skipping those it already took back. Variables, constants and placeholders are never op outputs, so the
     * parameters and the caller's feed stay untouched; the cache itself frees, rather than reuses, an array whose
     * buffer another array shares.
     */
    private static void releaseToCache(SameDiff graph, InferenceSession session, List<INDArray> arrays) {
        Map<Long, INDArray> byId = new LinkedHashMap<>();
        arrays.forEach(array -> byId.putIfAbsent(array.getId(), array));
        session.getNodeValueOutputs().forEach((id, value) -> {
            SDVariable variable = graph.getVariable(id.getVariable());
            if (value != null && value.getTensorValue() != null && variable != null
                    && variable.getVariableType() == VariableType.ARRAY) {
                byId.putIfAbsent(value.getTensorValue().getId(), value.getTensorValue());
            }
        });
        SessionMemMgr cache = session.getMmgr();
        for (INDArray array : byId.values()) {
            boolean alreadyCached = cache instanceof ArrayCacheMemoryMgr lru && lru.getLruCache().contains(array.getId());
            if (!alreadyCached && !array.wasClosed() && array.data() != null) {
                cache.release(array);
            }
        }
        releasedIds(session).clear();
    }

    /**
     * The ids of the arrays the session has released. It checks them to release nothing twice within a run but never
     * forgets one: thousands of ids a BERT-Base pass, a heap that grows for as long as training runs. An array the
     * cache hands out again gets a new id, so the ids of finished runs are never looked up again.
     */
    @SuppressWarnings("unchecked")
    static Set<Long> releasedIds(InferenceSession session) {
        try {
            return (Set<Long>) RELEASED_IDS.get(session);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot reach the released-array ids of SameDiff's session " + e, e);
        }
    }

    private static final Field RELEASED_IDS = releasedIdsField();

    private static Field releasedIdsField() {
        try {
            Field freed = InferenceSession.class.getDeclaredField("freedArrays");
            freed.setAccessible(true);
            return freed;
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("SameDiff's InferenceSession has no freedArrays field: not 1.0.0-M2.1? " + e, e);
        }
    }

    /**
     * Frees the arrays that SameDiff keeps between runs of {@code graph} and of its gradient function: each
     * session's array cache (up to a quarter of ND4J's off-heap limit each) and the op outputs of its last run.
     * Call it when a graph's runs are over for a while (after an evaluation) or when its gradient function is
     * about to be dropped (before freezing or thawing), instead of leaving gigabytes to the garbage collector.
     * Arrays that earlier runs returned must not be used after it.
     */
    public static void freeArrays(SameDiff graph) {
        List<SameDiff> graphs = new ArrayList<>(List.of(graph));
        SameDiff gradientGraph = graph.getFunction(GRADIENT_FUNCTION);
        if (gradientGraph != null) {
            graphs.add(gradientGraph);
        }
        for (SameDiff run : graphs) {
            for (InferenceSession session : run.getSessions().values()) {
                releaseToCache(run, session, List.of());
                session.getMmgr().close();
                session.setMmgr(new DistinctIdArrayCache());
            }
        }
    }

    /**
     * SameDiff's array cache, with every array it hands out under an id that no other array has. The library's cache
     * gives a reused array a new id with {@code incrementAndGet} on ND4J's array counter, and the next array ND4J
     * creates takes the same id with {@code getAndIncrement}. The session records the ids it has released and skips
     * any array whose id it has seen, so of two arrays with one id only the first goes back to the cache. In a
     * BERT-Base training step about 240 op outputs (110 of them [1024, 768]) were never handed back: the next step
     * allocated 426 MB afresh and the old arrays waited for the garbage collector. Advancing the counter after each
     * allocation leaves the reused array's id to it alone.
     */
    static class DistinctIdArrayCache extends ArrayCacheMemoryMgr {
        private static final AtomicLong ARRAY_IDS = arrayIdCounter();

        @Override
        public INDArray allocate(boolean detached, DataType dataType, long... shape) {
            INDArray array = super.allocate(detached, dataType, shape);
            ARRAY_IDS.getAndIncrement();
            return array;
        }

        @Override
        public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
            INDArray array = super.allocate(detached, descriptor);
            ARRAY_IDS.getAndIncrement();
            return array;
        }

        private static AtomicLong arrayIdCounter() {
            try {
                Field counter = BaseNDArray.class.getDeclaredField("arrayCounter");
                counter.setAccessible(true);
                return (AtomicLong) counter.get(null);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("ND4J's BaseNDArray has no arrayCounter field: not 1.0.0-M2.1? " + e, e);
            }
        }
    }

    /** SameDiff's session, with its arrays in a {@link DistinctIdArrayCache} and the {@link JavaOp}s computed in Java. */
    static final class Session extends InferenceSession {
        Session(SameDiff graph) {
            super(graph);
            setMmgr(new DistinctIdArrayCache());
        }

        @Override
        public ExecutionResult doExec(DifferentialFunction op, OpContext context, FrameIter frame,
                                      Set<AbstractSession.VarId> inputs, Set<AbstractSession.VarId> allIterationInputs,
                                      Set<String> constantAndPlaceholderInputs, Map<String, SDValue> otherPlaceholders) {
            if (op instanceof JavaOp javaOp) {
                javaOp.compute(context);
                return ExecutionResult.createFrom(op, context);
            }
            return super.doExec(op, context, frame, inputs, allIterationInputs, constantAndPlaceholderInputs,
                    otherPlaceholders);
        }
    }

    /** The least time between two {@link #freeUnreachableArrays} collections. */
    private static final long NANOS_BETWEEN_COLLECTIONS = 2_000_000_000L;
    private static boolean collected;
    private static long lastCollection;

    /**
     * Frees the native memory of arrays that nothing references any more, by a full garbage collection, unless one
     * ran in the last two seconds; returns whether it ran. ND4J frees an array's buffer only when the collector
     * finds its Java object unreachable, and those objects are small and long-lived enough to reach the old
     * generation, which the collector leaves alone until the heap fills: in fine-tuning the heap stays under a
     * gigabyte while gigabytes of native arrays wait. Once per optimiser update (50-110 ms against seconds for
     * BERT-Base), it lowered the peak of 8 MQP updates from 11.8 to 10.2 GB.
     */
    public static synchronized boolean freeUnreachableArrays() {
        if (collected && System.nanoTime() - lastCollection < NANOS_BETWEEN_COLLECTIONS) {
            return false;
        }
        System.gc();
        collected = true;
        lastCollection = System.nanoTime();
        return true;
    }

    /**
     * What {@code sd.calculateGradientsAndOutputs} computes, run with the session's array cache on.
     * The library turns that cache off for its gradient graph, so each op output of a training step
     * is a fresh native buffer that is freed only when the garbage collector runs: a BERT-Base step
     * allocates gigabytes, and the process grows to its off-heap ceiling. With the cache on, an
     * intermediate whose last consumer has run is handed to the next op of the same shape instead.
     * A variable that does not reach the loss has no gradient entry, as in the library's call. Close
     * the pass when done with its arrays, so that the next pass reuses them. The graph needs its gradient
     * function ({@link #createGradFunction}).
     */
    public static GradientPass gradientPass(SameDiff sd, Map<String, INDArray> feed, List<String> outputs,
                                            List<String> variables) {
        SameDiff gradientGraph = sd.getFunction(GRADIENT_FUNCTION);
        if (gradientGraph == null) {
            throw new IllegalStateException("the graph has no gradient function: call SameDiffFixes.createGradFunction first");
        }
        List<String> requested = new ArrayList<>(outputs);
        Map<String, String> gradientNames = new LinkedHashMap<>();
        for (String variable : variables) {
            SDVariable gradient = sd.getVariable(variable).getGradient();
            if (gradient != null) { // null: the variable does not reach the loss (the pooler under a masked-LM loss)
                gradientNames.put(variable, gradient.name());
                requested.add(gradient.name());
            }
        }
        gradientGraph.setEnableCache(true);
        gradientGraph.setListeners(sd.getListeners());
        Map<String, INDArray> values = gradientGraph.output(feed, List.of(), requested.toArray(String[]::new));
        Map<String, INDArray> outputValues = new LinkedHashMap<>();
        outputs.forEach(name -> outputValues.put(name, values.get(name)));
        Map<String, INDArray> gradients = new LinkedHashMap<>();
        gradientNames.forEach((variable, gradient) -> gradients.put(variable, values.get(gradient)));
        return new GradientPass(outputValues, gradients, gradientGraph,
                gradientGraph.getSessions().get(Thread.currentThread().getId()));
    }

    /**
     * SameDiff gives each random op the same generator state on every run, so dropout would drop
     * the same units at every step. This listener hands each random op a fresh state, drawn from a
     * sequence that {@link #reseed} restarts (the trainer reseeds it each step, so runs repeat).
     */
    public static final class FreshRandomness extends BaseListener {
        private SplittableRandom states = new SplittableRandom(0);

        public synchronized void reseed(long seed) {
            states = new SplittableRandom(seed);
        }

        @Override
        public boolean isActive(Operation operation) {
            return true;
        }

        @Override
        public synchronized void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext context) {
            if (op.getOp() instanceof DistributionUniform) {
                context.setRngStates(states.nextLong(), states.nextLong());
            }
        }
    }

    /** Each thread's op context for {@link #exec}, emptied after every op. */
    private static final ThreadLocal<OpContext> RELEASING_CONTEXT =
            ThreadLocal.withInitial(() -> Nd4j.getExecutioner().buildContext());

    /**
     * Runs the custom op {@code opName} on {@code inputs} into {@code outputs}, with floating-point and integer
     * arguments, and lets go of the arrays when it returns. ND4J runs every op in a native context that references its
     * inputs, and frees that context only when the garbage collector reaches it ({@code CpuOpContext.close} does
     * nothing). Until then the array cache sees an input's buffer as shared and frees it instead of reusing it: every
     * parameter gradient that the optimiser had read (440 MB a pass for BERT-Base) was allocated anew on the next
     * pass. Use it for every op outside a graph that reads an array the graph's session hands out.
     */
    public static void exec(String opName, INDArray[] inputs, INDArray[] outputs, double[] scalars, long... integers) {
        OpContext context = RELEASING_CONTEXT.get();
        context.setInputArrays(inputs);
        context.setOutputArrays(outputs);
        context.setTArguments(scalars);
        context.setIArguments(integers);
        try {
            Nd4j.exec(DynamicCustomOp.builder(opName).build(), context);
        } finally {
            context.purge();
        }
    }

    private static boolean registered;

    /**
     * SameDiff re-creates ops from their registered op names when it builds the gradient graph and when it loads a
     * saved graph, so each replacement must be registered under its library op's name. From then on every such op in
     * the JVM, the library's own included, gets the replacement's gradient; each one is right for every use. Every
     * session created from then on caches its arrays in a {@link DistinctIdArrayCache}.
     */
    static synchronized void registerReplacements() {
        if (registered) {
            return;
        }
        register("gather", Gather.class, new SummingGather());
        register("multiply", MulOp.class, new FastGradientProduct());
        register("biasadd", BiasAdd.class, new ColumnSummingBiasAdd());
        register("softmax", SoftMax.class, new OutputGradientSoftmax());
        register("gather_nd", GatherNd.class, new LabelPick());
        for (JavaOp op : List.of(new HeadProduct(), new Linear())) {
            registerJavaOp(op.opName(), op);
        }
        for (VectorOps.Kernel kernel : VectorOps.Kernel.values()) {
            registerJavaOp(kernel.opName(), new VectorOps.VectorOp());
        }
        register("stop_gradient", StopGradient.class, new GradientStop());
        SameDiff.bindInferenceFactory(Session::new);
        registered = true;
    }

    /** Registers a {@link JavaOp} under a name of its own (with hash 0, as its op hash reads for a name libnd4j lacks). */
    private static void registerJavaOp(String name, JavaOp op) {
        try {
            SameDiffFixes.<Map<String, DifferentialFunction>>opRegistry("nodeConverters").put(name, op);
            SameDiffFixes.<Map<Long, Map<String, Class<?>>>>opRegistry("customOpHashToClasses")
                    .computeIfAbsent(0L, hash -> new ConcurrentHashMap<>())
                    .put(name, op.getClass());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot register " + op.getClass().getSimpleName() + " with SameDiff " + e, e);
        }
    }

    private static void register(String opName, Class<?> library, DifferentialFunction replacement) {
        try {
            SameDiffFixes.<Map<String, DifferentialFunction>>opRegistry("nodeConverters").put(opName, replacement);
            SameDiffFixes.<Map<Long, Class<?>>>opRegistry("customOpHashToClass")
                    .replaceAll((hash, type) -> type == library ? replacement.getClass() : type);
            SameDiffFixes.<Map<Long, Map<String, Class<?>>>>opRegistry("customOpHashToClasses").values()
                    .forEach(byName -> byName.replaceAll((name, type) -> type == library ? replacement.getClass() : type));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot register " + replacement.getClass().getSimpleName() + " with SameDiff " + e, e);
        }
    }

    /** One of the maps SameDiff looks op classes up in, a private field of its class holder. */
    @SuppressWarnings("unchecked")
    private static <T> T opRegistry(String field) throws ReflectiveOperationException {
        Field registry = DifferentialFunctionClassHolder.class.getDeclaredField(field);
        registry.setAccessible(true);
        return (T) registry.get(DifferentialFunctionClassHolder.getInstance());
    }
}
