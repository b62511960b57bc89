package bertadapt.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.IntStream;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The row-wise steps of the BERT graph that libnd4j runs one element at a time with libm's expf and erff, or as
 * several passes (softmax, LayerNorm, GELU), written in the Java Vector API: each row of a float matrix [rows, W] in
 * native memory is read once or twice, as vectors of the machine's widest lanes. Arrays are row-major and contiguous;
 * {@link Rows} names one. Rows are shared out among the cores in contiguous blocks, the same blocks for the same
 * shape, so that sums over rows (LayerNorm's parameter gradients) add in the same order on every run.
 *
 * <p>Only {@link VectorOps} calls these methods, and only where the JVM has the {@code jdk.incubator.vector} module;
 * loading this class without it fails.
 */
final class VectorKernels {
    private static final VectorSpecies<Float> LANES = FloatVector.SPECIES_PREFERRED;
    private static final int STEP = LANES.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** Fewer elements than this are not worth handing to another core. */
    private static final int PARALLEL_ELEMENTS = 1 << 15;

    /** 1 / sqrt(2), 1 / sqrt(2 pi). */
    private static final float INVERSE_SQRT2 = (float) (1 / Math.sqrt(2));
    private static final float INVERSE_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));
    /**
     * erfc(z) ~ t (a1 + t (a2 + t (a3 + t (a4 + t a5)))) exp(-z^2), t = 1 / (1 + p z), for z >= 0, absolute error
     * under 1.5e-7 (Abramowitz and Stegun, Handbook of Mathematical Functions, 7.1.26); PyTorch's vectorised erf uses
     * the same formula.
     */
    private static final float P = 0.3275911f;
    private static final float A1 = 0.254829592f;
    private static final float A2 = -0.284496736f;
    private static final float A3 = 1.421413741f;
    private static final float A4 = -1.453152027f;
    private static final float A5 = 1.061405429f;

    private VectorKernels() {
    }

    /** A row-major float matrix [rows, width] in native memory, from element {@code offset} of {@code bytes}. */
    record Rows(ByteBuffer bytes, long offset, int rows, int width) {
        Rows {
            bytes = bytes.duplicate().order(ORDER);
            if ((offset + (long) rows * width) * Float.BYTES > bytes.capacity()) {
                throw new IllegalArgumentException("[" + rows + ", " + width + "] from element " + offset
                        + " does not fit in a buffer of " + bytes.capacity() + " bytes");
            }
        }

        /** The byte offset of element i of row r. */
        int at(int r, int i) {
            return (int) ((offset + (long) r * width + i) * Float.BYTES);
        }

        /** Lanes i.. of row r; lanes past the row's end read as {@code fill}. */
        FloatVector load(int r, int i, float fill) {
            if (i + STEP <= width) {
                return FloatVector.fromByteBuffer(LANES, bytes, at(r, i), ORDER);
            }
            VectorMask<Float> inRow = LANES.indexInRange(i, width);
            return FloatVector.fromByteBuffer(LANES, bytes, at(r, i), ORDER, inRow)
                    .blend(fill, inRow.not());
        }

        FloatVector load(int r, int i) {
            return load(r, i, 0f);
        }

        /** Writes the lanes of {@code v} that fall inside row r from element i. */
        void store(FloatVector v, int r, int i) {
            if (i + STEP <= width) {
                v.intoByteBuffer(bytes, at(r, i), ORDER);
            } else {
                v.intoByteBuffer(bytes, at(r, i), ORDER, LANES.indexInRange(i, width));
            }
        }
    }

    /** The work on rows [from, to) of worker {@code worker}. */
    private interface RowBlock {
        void run(int worker, int from, int to);
    }

    /** How many workers {@link #forRowBlocks} shares {@code rows} rows of {@code width} among. */
    static int workers(int rows, int width) {
        return (long) rows * width < PARALLEL_ELEMENTS ? 1 : Math.min(rows, Runtime.getRuntime().availableProcessors());
    }

    private static void forRowBlocks(int rows, int width, RowBlock block) {
        int workers = workers(rows, width);
        if (workers == 1) {
            block.run(0, 0, rows);
        } else {
            IntStream.range(0, workers).parallel()
                    .forEach(w -> block.run(w, (int) ((long) rows * w / workers), (int) ((long) rows * (w + 1) / workers)));
        }
    }

    /** y = softmax(x) along each row: exp(x - max) / sum(exp(x - max)). */
    static void softmax(Rows x, Rows y) {
        int width = x.width();
        forRowBlocks(x.rows(), width, (worker, from, to) -> {
            for (int r = from; r < to; r++) {
                FloatVector maxima = FloatVector.broadcast(LANES, Float.NEGATIVE_INFINITY);
                for (int i = 0; i < width; i += STEP) {
                    maxima = maxima.max(x.load(r, i, Float.NEGATIVE_INFINITY));
                }
                float max = maxima.reduceLanes(VectorOperators.MAX);
                FloatVector sums = FloatVector.zero(LANES);
                for (int i = 0; i < width; i += STEP) {
                    FloatVector e = x.load(r, i, Float.NEGATIVE_INFINITY).sub(max).lanewise(VectorOperators.EXP);
                    y.store(e, r, i);
                    sums = sums.add(e);
                }
                float inverseSum = 1 / sums.reduceLanes(VectorOperators.ADD);
                for (int i = 0; i < width; i += STEP) {
                    y.store(y.load(r, i).mul(inverseSum), r, i);
                }
            }
        });
    }

    /** The gradient of a softmax from its output y and the gradient g of y: dx = y (g - sum(g y)) along each row. */
    static void softmaxGradient(Rows y, Rows g, Rows dx) {
        int width = y.width();
        forRowBlocks(y.rows(), width, (worker, from, to) -> {
            for (int r = from; r < to; r++) {
                FloatVector sums = FloatVector.zero(LANES);
                for (int i = 0; i < width; i += STEP) {
                    sums = y.load(r, i).fma(g.load(r, i), sums);
                }
                float alongY = sums.reduceLanes(VectorOperators.ADD);
                for (int i = 0; i < width; i += STEP) {
                    dx.store(g.load(r, i).sub(alongY).mul(y.load(r, i)), r, i);
                }
            }
        });
    }

    /** Row r's mean and inverse standard deviation 1 / sqrt(var + eps), the variance from the centred values. */
    private static float[] statistics(Rows x, int r, float eps) {
        int width = x.width();
        FloatVector sums = FloatVector.zero(LANES);
        for (int i = 0; i < width; i += STEP) {
            sums = sums.add(x.load(r, i));
        }
        float mean = sums.reduceLanes(VectorOperators.ADD) / width;
        FloatVector squares = FloatVector.zero(LANES);
        for (int i = 0; i < width; i += STEP) {
            FloatVector centred = x.load(r, i).sub(mean);
            if (i + STEP > width) {
                centred = centred.blend(0f, LANES.indexInRange(i, width).not());
            }
            squares = centred.fma(centred, squares);
        }
        float variance = squares.reduceLanes(VectorOperators.ADD) / width;
        return new float[] {mean, (float) (1 / Math.sqrt(variance + eps))};
    }

    /** y = (x - mean) / sqrt(var + eps) * gamma + beta along each row; gamma and beta are single rows. */
    static void layerNorm(Rows x, Rows gamma, Rows beta, float eps, Rows y) {
        int width = x.width();
        forRowBlocks(x.rows(), width, (worker, from, to) -> {
            for (int r = from; r < to; r++) {
                float[] stats = statistics(x, r, eps);
                for (int i = 0; i < width; i += STEP) {
                    FloatVector normalised = x.load(r, i).sub(stats[0]).mul(stats[1]);
                    y.store(normalised.fma(gamma.load(0, i), beta.load(0, i)), r, i);
                }
            }
        });
    }

    /**
     * LayerNorm's gradients from its input x, gain gamma and the gradient g of its output: with xhat the normalised x
     * and gy = g gamma, dx = (gy - mean(gy) - xhat mean(gy xhat)) / sqrt(var + eps) along each row; dgamma = sum over
     * rows of g xhat, dbeta = sum over rows of g. Each worker sums its own rows; the workers' sums are added in order.
     */
    static void layerNormGradient(Rows x, Rows gamma, Rows g, float eps, Rows dx, Rows dGamma, Rows dBeta) {
        int width = x.width();
        int workers = workers(x.rows(), width);
        Rows[] gammaSums = new Rows[workers];
        Rows[] betaSums = new Rows[workers];
        forRowBlocks(x.rows(), width, (worker, from, to) -> {
            Rows gammaSum = gammaSums[worker] = scratchRow(width);
            Rows betaSum = betaSums[worker] = scratchRow(width);
            for (int r = from; r < to; r++) {
                float[] stats = statistics(x, r, eps);
                FloatVector gySums = FloatVector.zero(LANES);
                FloatVector gyXhatSums = FloatVector.zero(LANES);
                for (int i = 0; i < width; i += STEP) {
                    FloatVector xhat = x.load(r, i).sub(stats[0]).mul(stats[1]);
                    FloatVector gr = g.load(r, i);
                    FloatVector gy = gr.mul(gamma.load(0, i));
                    gySums = gySums.add(gy);
                    gyXhatSums = gy.fma(xhat, gyXhatSums);
                    gammaSum.store(gr.fma(xhat, gammaSum.load(0, i)), 0, i);
                    betaSum.store(betaSum.load(0, i).add(gr), 0, i);
                }
                float gyMean = gySums.reduceLanes(VectorOperators.ADD) / width;
                float gyXhatMean = gyXhatSums.reduceLanes(VectorOperators.ADD) / width;
                for (int i = 0; i < width; i += STEP) {
                    FloatVector xhat = x.load(r, i).sub(stats[0]).mul(stats[1]);
                    FloatVector gy = g.load(r, i).mul(gamma.load(0, i));
                    dx.store(gy.sub(gyMean).sub(xhat.mul(gyXhatMean)).mul(stats[1]), r, i);
                }
            }
        });
        for (int i = 0; i < width; i++) {
            float gammaTotal = 0;
            float betaTotal = 0;
            for (int w = 0; w < workers; w++) {
                gammaTotal += gammaSums[w].bytes().getFloat(gammaSums[w].at(0, i));
                betaTotal += betaSums[w].bytes().getFloat(betaSums[w].at(0, i));
            }
            dGamma.bytes().putFloat(dGamma.at(0, i), gammaTotal);
            dBeta.bytes().putFloat(dBeta.at(0, i), betaTotal);
        }
    }

    /** A row of zeros [1, width] for a worker's sums. */
    private static Rows scratchRow(int width) {
        return new Rows(ByteBuffer.allocateDirect(width * Float.BYTES), 0, 1, width);
    }

    /** z = |x| / sqrt 2. */
    private static FloatVector scaledMagnitude(FloatVector x) {
        return x.abs().mul(INVERSE_SQRT2);
    }

    /** exp(-z^2) = exp(-x^2 / 2). */
    private static FloatVector gaussian(FloatVector z) {
        return z.mul(z).neg().lanewise(VectorOperators.EXP);
    }

    /**
     * Phi(x), the standard normal distribution function, from z and exp(-z^2): 1 - erfc(z) / 2 for x >= 0 and
     * erfc(z) / 2 below, so that Phi of a large negative x is not 1 + erf(-z) cancelling to zero.
     */
    private static FloatVector normalCdf(FloatVector x, FloatVector z, FloatVector gaussian) {
        FloatVector t = FloatVector.broadcast(LANES, 1f).div(z.fma(P, 1f));
        FloatVector polynomial = t.fma(A5, A4).mul(t).add(A3).mul(t).add(A2).mul(t).add(A1).mul(t);
        FloatVector halfErfc = polynomial.mul(gaussian).mul(0.5f);
        return halfErfc.neg().add(1f).blend(halfErfc, x.compare(VectorOperators.LT, 0f));
    }

    /** y = x Phi(x), GELU in its exact form as BERT uses it. */
    static void gelu(Rows x, Rows y) {
        int width = x.width();
        forRowBlocks(x.rows(), width, (worker, from, to) -> {
            for (int r = from; r < to; r++) {
                for (int i = 0; i < width; i += STEP) {
                    FloatVector v = x.load(r, i);
                    FloatVector z = scaledMagnitude(v);
                    y.store(v.mul(normalCdf(v, z, gaussian(z))), r, i);
                }
            }
        });
    }

    /** GELU's gradient, dx = g (Phi(x) + x phi(x)), phi(x) = exp(-x^2 / 2) / sqrt(2 pi) the standard normal density. */
    static void geluGradient(Rows x, Rows g, Rows dx) {
        int width = x.width();
        forRowBlocks(x.rows(), width, (worker, from, to) -> {
            for (int r = from; r < to; r++) {
                for (int i = 0; i < width; i += STEP) {
                    FloatVector v = x.load(r, i);
                    FloatVector z = scaledMagnitude(v);
                    FloatVector gaussian = gaussian(z);
                    FloatVector slope = v.mul(gaussian).mul(INVERSE_SQRT_2PI).add(normalCdf(v, z, gaussian));
                    dx.store(g.load(r, i).mul(slope), r, i);
                }
            }
        });
    }
}
