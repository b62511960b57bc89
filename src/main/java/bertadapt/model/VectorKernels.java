package bertadapt.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.IntStream;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The row-wise steps of the BERT graph that libnd4j runs one element at a time with libm's expf and erff, or as
 * several passes (softmax, LayerNorm, GELU, the softmax cross-entropy), written in the Java Vector API: each row of a float matrix [rows, W] in
 * native memory is read once or twice, as vectors of the machine's widest lanes. Arrays are row-major and contiguous;
 * {@link Rows} names one. Rows are shared out among the cores in contiguous blocks, the same blocks for the same
 * shape, so that sums over rows (LayerNorm's parameter gradients) add in the same order on every run.
 *
 * <p>Each loop runs whole vectors up to the last multiple of the lane count, then the row's last elements one at a
 * time (as one-lane uses of the same vector formula where there is one). A masked vector for those last elements
 * would be simpler, but Java 17 does not compile masked loads into vector instructions: a loop that might take one
 * allocated every vector it touched (235 MB a call for BERT-mini's masked-LM cross-entropy) and ran at a third of the
 * speed.
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

        /** Elements i..i+lanes of row r, which must lie inside the row. */
        FloatVector load(int r, int i) {
            return FloatVector.fromByteBuffer(LANES, bytes, at(r, i), ORDER);
        }

        void store(FloatVector v, int r, int i) {
            v.intoByteBuffer(bytes, at(r, i), ORDER);
        }

        float get(int r, int i) {
            return bytes.getFloat(at(r, i));
        }

        void set(int r, int i, float value) {
            bytes.putFloat(at(r, i), value);
        }

        /** Where the whole vectors of a row end. */
        int vectorEnd() {
            return LANES.loopBound(width);
        }
    }

    /** The work on rows, or on the elements of a flat array, [from, to), of worker {@code worker}. */
    private interface Block {
        void run(int worker, int from, int to);
    }

    /** How many workers {@link #forRowBlocks} shares {@code rows} rows of {@code width} among. */
    static int workers(int rows, int width) {
        return (long) rows * width < PARALLEL_ELEMENTS ? 1 : Math.min(rows, Runtime.getRuntime().availableProcessors());
    }

    private static void forRowBlocks(int rows, int width, Block block) {
        forBlocks(rows, workers(rows, width), block);
    }

    /** The elements of a flat array, the single row of a {@link Rows} [1, length], shared out as rows are. */
    private static void forElementBlocks(int length, Block block) {
        forBlocks(length, workers(length, 1), block);
    }

    private static void forBlocks(int count, int workers, Block block) {
        if (workers == 1) {
            block.run(0, 0, count);
        } else {
            IntStream.range(0, workers).parallel()
                    .forEach(w -> block.run(w, (int) ((long) count * w / workers), (int) ((long) count * (w + 1) / workers)));
        }
    }

    /** The largest element of row r. */
    private static float max(Rows x, int r) {
        int end = x.vectorEnd();
        FloatVector maxima = FloatVector.broadcast(LANES, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i < end; i += STEP) {
            maxima = maxima.max(x.load(r, i));
        }
        float max = maxima.reduceLanes(VectorOperators.MAX);
        for (; i < x.width(); i++) {
            max = Math.max(max, x.get(r, i));
        }
        return max;
    }

    /**
     * y = softmax(x) along each row: exp(x - max) / sum(exp(x - max)); or, where there is a bias, softmax(x + bias), the
     * attention's scores [B * R, W] with their additive mask [B, W], rows r of example b = r / R taking bias row b. The
     * sum is then written into y and made a softmax there while the row is in the cache, instead of a pass of its own
     * over the scores and a second read of them.
     */
    static void softmax(Rows x, Rows bias, Rows y) {
        int rowsPerExample = bias == null ? 0 : x.rows() / bias.rows();
        forRowBlocks(x.rows(), x.width(), (worker, from, to) -> {
            for (int r = from; r < to; r++) {
                if (bias == null) {
                    softmaxRow(x, y, r);
                } else {
                    add(x, r, bias, r / rowsPerExample, y);
                    softmaxRow(y, y, r);
                }
            }
        });
    }

    /** Row r of y = softmax(x); y may be x. */
    private static void softmaxRow(Rows x, Rows y, int r) {
        int width = x.width();
        int end = x.vectorEnd();
        float max = max(x, r);
        FloatVector sums = FloatVector.zero(LANES);
        int i = 0;
        for (; i < end; i += STEP) {
            FloatVector e = x.load(r, i).sub(max).lanewise(VectorOperators.EXP);
            y.store(e, r, i);
            sums = sums.add(e);
        }
        float sum = sums.reduceLanes(VectorOperators.ADD);
        for (; i < width; i++) {
            float e = (float) Math.exp(x.get(r, i) - max);
            y.set(r, i, e);
            sum += e;
        }
        float inverseSum = 1 / sum;
        for (i = 0; i < end; i += STEP) {
            y.store(y.load(r, i).mul(inverseSum), r, i);
        }
        for (; i < width; i++) {
            y.set(r, i, y.get(r, i) * inverseSum);
        }
    }

    /** Row r of sum = row r of x + row {@code addendRow} of addend. */
    private static void add(Rows x, int r, Rows addend, int addendRow, Rows sum) {
        int end = x.vectorEnd();
        int i = 0;
        for (; i < end; i += STEP) {
            sum.store(x.load(r, i).add(addend.load(addendRow, i)), r, i);
        }
        for (; i < x.width(); i++) {
            sum.set(r, i, x.get(r, i) + addend.get(addendRow, i));
        }
    }

    /** The gradient of a softmax from its output y and the gradient g of y: dx = y (g - sum(g y)) along each row. */
    static void softmaxGradient(Rows y, Rows g, Rows dx) {
        int width = y.width();
        int end = y.vectorEnd();
        forRowBlocks(y.rows(), width, (worker, from, to) -> {
            for (int r = from; r < to; r++) {
                FloatVector sums = FloatVector.zero(LANES);
                int i = 0;
                for (; i < end; i += STEP) {
                    sums = y.load(r, i).fma(g.load(r, i), sums);
                }
                float alongY = sums.reduceLanes(VectorOperators.ADD);
                for (; i < width; i++) {
                    alongY += y.get(r, i) * g.get(r, i);
                }
                for (i = 0; i < end; i += STEP) {
                    dx.store(g.load(r, i).sub(alongY).mul(y.load(r, i)), r, i);
                }
                for (; i < width; i++) {
                    dx.set(r, i, (g.get(r, i) - alongY) * y.get(r, i));
                }
            }
        });
    }

    /** Row r's mean, the variance from the centred values. */
    private static float mean(Rows x, int r) {
        int end = x.vectorEnd();
        FloatVector sums = FloatVector.zero(LANES);
        int i = 0;
        for (; i < end; i += STEP) {
            sums = sums.add(x.load(r, i));
        }
        float sum = sums.reduceLanes(VectorOperators.ADD);
        for (; i < x.width(); i++) {
            sum += x.get(r, i);
        }
        return sum / x.width();
    }

    /** Row r's inverse standard deviation 1 / sqrt(var + eps), the variance from the values centred on the mean. */
    private static float inverseStd(Rows x, int r, float mean, float eps) {
        int end = x.vectorEnd();
        FloatVector squares = FloatVector.zero(LANES);
        int i = 0;
        for (; i < end; i += STEP) {
            FloatVector centred = x.load(r, i).sub(mean);
            squares = centred.fma(centred, squares);
        }
        float sum = squares.reduceLanes(VectorOperators.ADD);
        for (; i < x.width(); i++) {
            float centred = x.get(r, i) - mean;
            sum += centred * centred;
        }
        return (float) (1 / Math.sqrt(sum / x.width() + eps));
    }

    /**
     * y = (x - mean) / sqrt(var + eps) * gamma + beta along each row of x, or of x + residual where there is a residual
     * (the Transformer's "Add &amp; Norm"); gamma and beta are single rows. A row's sum is written into y and normalised
     * there while it is in the cache, instead of a pass of its own over the whole array and a second read of it.
     */
    static void layerNorm(Rows x, Rows residual, Rows gamma, Rows beta, float eps, Rows y) {
        forRowBlocks(x.rows(), x.width(), (worker, from, to) -> {
            for (int r = from; r < to; r++) {
                if (residual == null) {
                    layerNormRow(x, gamma, beta, eps, y, r);
                } else {
                    add(x, r, residual, r, y);
                    layerNormRow(y, gamma, beta, eps, y, r);
                }
            }
        });
    }

    /** Row r of LayerNorm; y may be x, which is read whole (mean, variance) before each element is overwritten. */
    private static void layerNormRow(Rows x, Rows gamma, Rows beta, float eps, Rows y, int r) {
        int end = x.vectorEnd();
        float mean = mean(x, r);
        float inverseStd = inverseStd(x, r, mean, eps);
        int i = 0;
        for (; i < end; i += STEP) {
            FloatVector normalised = x.load(r, i).sub(mean).mul(inverseStd);
            y.store(normalised.fma(gamma.load(0, i), beta.load(0, i)), r, i);
        }
        for (; i < x.width(); i++) {
            y.set(r, i, (x.get(r, i) - mean) * inverseStd * gamma.get(0, i) + beta.get(0, i));
        }
    }

    /**
     * LayerNorm's gradients from its input x (x + residual where there is a residual), gain gamma and the gradient g of
     * its output: with xhat the normalised input and gy = g gamma, dx = (gy - mean(gy) - xhat mean(gy xhat)) /
     * sqrt(var + eps) along each row, the gradient of x and of the residual alike; dgamma = sum over rows of g xhat,
     * dbeta = sum over rows of g. A row's sum with the residual is recomputed into dx, which the row's gradient then
     * replaces, so that the forward pass need not keep the sums. Each worker sums its own rows; the workers' sums are
     * added in order.
     */
    static void layerNormGradient(Rows x, Rows residual, Rows gamma, Rows g, float eps, Rows dx, Rows dGamma,
                                  Rows dBeta) {
        int width = x.width();
        int workers = workers(x.rows(), width);
        float[][] gammaSums = new float[workers][width];
        float[][] betaSums = new float[workers][width];
        forRowBlocks(x.rows(), width, (worker, from, to) -> {
            for (int r = from; r < to; r++) {
                Rows input = x;
                if (residual != null) {
                    add(x, r, residual, r, dx);
                    input = dx;
                }
                layerNormGradientRow(input, gamma, g, eps, dx, r, gammaSums[worker], betaSums[worker]);
            }
        });
        for (int i = 0; i < width; i++) {
            float gammaTotal = 0;
            float betaTotal = 0;
            for (int w = 0; w < workers; w++) {
                gammaTotal += gammaSums[w][i];
                betaTotal += betaSums[w][i];
            }
            dGamma.set(0, i, gammaTotal);
            dBeta.set(0, i, betaTotal);
        }
    }

    /**
     * Row r of {@link #layerNormGradient}: its dx, and its terms added to the worker's sums for dgamma and dbeta. dx may
     * be x: each element of x is read for the last time just before its gradient is written.
     */
    private static void layerNormGradientRow(Rows x, Rows gamma, Rows g, float eps, Rows dx, int r,
                                             float[] gammaSum, float[] betaSum) {
        int width = x.width();
        int end = x.vectorEnd();
        float mean = mean(x, r);
        float inverseStd = inverseStd(x, r, mean, eps);
        FloatVector gySums = FloatVector.zero(LANES);
        FloatVector gyXhatSums = FloatVector.zero(LANES);
        int i = 0;
        for (; i < end; i += STEP) {
            FloatVector xhat = x.load(r, i).sub(mean).mul(inverseStd);
            FloatVector gr = g.load(r, i);
            FloatVector gy = gr.mul(gamma.load(0, i));
            gySums = gySums.add(gy);
            gyXhatSums = gy.fma(xhat, gyXhatSums);
            gr.fma(xhat, FloatVector.fromArray(LANES, gammaSum, i)).intoArray(gammaSum, i);
            gr.add(FloatVector.fromArray(LANES, betaSum, i)).intoArray(betaSum, i);
        }
        float gySum = gySums.reduceLanes(VectorOperators.ADD);
        float gyXhatSum = gyXhatSums.reduceLanes(VectorOperators.ADD);
        for (; i < width; i++) {
            float xhat = (x.get(r, i) - mean) * inverseStd;
            float gy = g.get(r, i) * gamma.get(0, i);
            gySum += gy;
            gyXhatSum += gy * xhat;
            gammaSum[i] += g.get(r, i) * xhat;
            betaSum[i] += g.get(r, i);
        }
        float gyMean = gySum / width;
        float gyXhatMean = gyXhatSum / width;
        for (i = 0; i < end; i += STEP) {
            FloatVector xhat = x.load(r, i).sub(mean).mul(inverseStd);
            FloatVector gy = g.load(r, i).mul(gamma.load(0, i));
            dx.store(gy.sub(gyMean).sub(xhat.mul(gyXhatMean)).mul(inverseStd), r, i);
        }
        for (; i < width; i++) {
            float xhat = (x.get(r, i) - mean) * inverseStd;
            float gy = g.get(r, i) * gamma.get(0, i);
            dx.set(r, i, (gy - gyMean - xhat * gyXhatMean) * inverseStd);
        }
    }

    /** log(sum(exp(x))) of row r, shifted by the row's maximum so that no exponential overflows. */
    private static float logSumExp(Rows x, int r) {
        int end = x.vectorEnd();
        float max = max(x, r);
        FloatVector sums = FloatVector.zero(LANES);
        int i = 0;
        for (; i < end; i += STEP) {
            sums = sums.add(x.load(r, i).sub(max).lanewise(VectorOperators.EXP));
        }
        double sum = sums.reduceLanes(VectorOperators.ADD);
        for (; i < x.width(); i++) {
            sum += Math.exp(x.get(r, i) - max);
        }
        return max + (float) Math.log(sum);
    }

    /**
     * Softmax cross-entropy of each row of logits x [rows, C] against its label: loss_r = log(sum(exp(x_r))) -
     * x_r[label_r], and the log-sum-exp itself, which the gradient reuses; loss and log-sum-exp are single rows [rows].
     */
    static void crossEntropy(Rows x, int[] labels, Rows loss, Rows logSumExp) {
        forRowBlocks(x.rows(), x.width(), (worker, from, to) -> {
            for (int r = from; r < to; r++) {
                float lse = logSumExp(x, r);
                logSumExp.set(0, r, lse);
                loss.set(0, r, lse - x.get(r, labels[r]));
            }
        });
    }

    /** The cross-entropy's gradient, dx_r = (softmax(x_r) - onehot(label_r)) g_r, softmax(x_r) = exp(x_r - lse_r). */
    static void crossEntropyGradient(Rows x, int[] labels, Rows logSumExp, Rows g, Rows dx) {
        int width = x.width();
        int end = x.vectorEnd();
        forRowBlocks(x.rows(), width, (worker, from, to) -> {
            for (int r = from; r < to; r++) {
                float lse = logSumExp.get(0, r);
                float incoming = g.get(0, r);
                int i = 0;
                for (; i < end; i += STEP) {
                    dx.store(x.load(r, i).sub(lse).lanewise(VectorOperators.EXP).mul(incoming), r, i);
                }
                for (; i < width; i++) {
                    dx.set(r, i, (float) Math.exp(x.get(r, i) - lse) * incoming);
                }
                dx.set(r, labels[r], dx.get(r, labels[r]) - incoming);
            }
        });
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

    /** x Phi(x) in every lane. */
    private static FloatVector gelu(FloatVector x) {
        FloatVector z = scaledMagnitude(x);
        return x.mul(normalCdf(x, z, gaussian(z)));
    }

    /** Phi(x) + x phi(x), GELU's slope, phi(x) = exp(-x^2 / 2) / sqrt(2 pi) the standard normal density. */
    private static FloatVector geluSlope(FloatVector x) {
        FloatVector z = scaledMagnitude(x);
        FloatVector gaussian = gaussian(z);
        return x.mul(gaussian).mul(INVERSE_SQRT_2PI).add(normalCdf(x, z, gaussian));
    }

    /** y = x Phi(x), GELU in its exact form as BERT uses it. */
    static void gelu(Rows x, Rows y) {
        int width = x.width();
        int end = x.vectorEnd();
        forRowBlocks(x.rows(), width, (worker, from, to) -> {
            for (int r = from; r < to; r++) {
                int i = 0;
                for (; i < end; i += STEP) {
                    y.store(gelu(x.load(r, i)), r, i);
                }
                for (; i < width; i++) {
                    y.set(r, i, gelu(FloatVector.broadcast(LANES, x.get(r, i))).lane(0));
                }
            }
        });
    }

    /**
     * GELU's gradient, dx = g (Phi(x) + x phi(x)). A loop of its own: one loop for both, choosing per call, compiled
     * to code that allocated each vector (25 MB a call at BERT-mini's [4096, 1024]).
     */
    static void geluGradient(Rows x, Rows g, Rows dx) {
        int width = x.width();
        int end = x.vectorEnd();
        forRowBlocks(x.rows(), width, (worker, from, to) -> {
            for (int r = from; r < to; r++) {
                int i = 0;
                for (; i < end; i += STEP) {
                    dx.store(g.load(r, i).mul(geluSlope(x.load(r, i))), r, i);
                }
                for (; i < width; i++) {
                    dx.set(r, i, g.get(r, i) * geluSlope(FloatVector.broadcast(LANES, x.get(r, i))).lane(0));
                }
            }
        });
    }

    /**
     * One AdamW update in place of a parameter p, flat [1, n], and of its moments m and v, from its gradient g:
     * m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p = decay p - rate m / (sqrt(v) + eps), the bias corrections
     * folded into rate and eps. Each element of the four arrays is read once and p, m and v written once.
     */
    static void adamW(Rows p, Rows g, Rows m, Rows v, VectorOps.AdamWStep step) {
        forElementBlocks(p.width(), (worker, from, to) -> {
            int end = from + LANES.loopBound(to - from);
            int i = from;
            for (; i < end; i += STEP) {
                FloatVector gradient = g.load(0, i);
                FloatVector first = firstMoment(m.load(0, i), gradient, step);
                FloatVector second = secondMoment(v.load(0, i), gradient, step);
                m.store(first, 0, i);
                v.store(second, 0, i);
                p.store(adamWParameter(p.load(0, i), first, second, step), 0, i);
            }
            for (; i < to; i++) {
                FloatVector gradient = FloatVector.broadcast(LANES, g.get(0, i));
                FloatVector first = firstMoment(FloatVector.broadcast(LANES, m.get(0, i)), gradient, step);
                FloatVector second = secondMoment(FloatVector.broadcast(LANES, v.get(0, i)), gradient, step);
                m.set(0, i, first.lane(0));
                v.set(0, i, second.lane(0));
                p.set(0, i, adamWParameter(FloatVector.broadcast(LANES, p.get(0, i)), first, second, step).lane(0));
            }
        });
    }

    /** b1 m + (1 - b1) g. */
    private static FloatVector firstMoment(FloatVector m, FloatVector g, VectorOps.AdamWStep step) {
        return m.mul(step.beta1()).add(g.mul(1 - step.beta1()));
    }

    /** b2 v + (1 - b2) g^2. */
    private static FloatVector secondMoment(FloatVector v, FloatVector g, VectorOps.AdamWStep step) {
        return v.mul(step.beta2()).add(g.mul(g).mul(1 - step.beta2()));
    }

    /** decay p - rate m / (sqrt(v) + eps), from the updated moments. */
    private static FloatVector adamWParameter(FloatVector p, FloatVector m, FloatVector v, VectorOps.AdamWStep step) {
        return p.mul(step.decay()).sub(m.mul(step.rate()).div(v.sqrt().add(step.epsilon())));
    }
}
