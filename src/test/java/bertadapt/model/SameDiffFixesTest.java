package bertadapt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.IdentityHashMap;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import bertadapt.train.AdamW;

/** Each workaround against finite differences, and the library behaviour that makes it necessary. */
class SameDiffFixesTest {

    @Test
    void freeUnreachableArraysCollectsArraysNothingReferencesAtMostEveryTwoSeconds() throws InterruptedException {
        WeakReference<INDArray> unreachable = new WeakReference<>(Nd4j.rand(DataType.FLOAT, 256, 256));
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!SameDiffFixes.freeUnreachableArrays()) { // a trainer in an earlier test may have just collected
            assertTrue(System.nanoTime() < deadline, "no collection within 5 s");
            Thread.sleep(100);
        }

        assertNull(unreachable.get(), "the collection reached the array nothing references");
        assertFalse(SameDiffFixes.freeUnreachableArrays(), "a second collection right after the first");
    }

    private static final int[] REPEATED_IDS = {1, 1, 2, 1, 4};

    /*
     * The library's own gather cannot be shown failing here: once SameDiffFixes.gather has registered
     * its op under "gather", SameDiff re-creates every gather's gradient from it, in the whole JVM.
     * Without the fix, the test below fails ("Unable to replace samediff namespace", or a repeated id
     * counted once).
     */
    private static SameDiff twoGathers() {
        Nd4j.getRandom().setSeed(1);
        SameDiff sd = SameDiff.create();
        SDVariable words = sd.var("words", Nd4j.rand(DataType.DOUBLE, 6, 3));
        SDVariable types = sd.var("types", Nd4j.rand(DataType.DOUBLE, 2, 3));
        SDVariable ids = sd.placeHolder("ids", DataType.INT, -1);
        SDVariable typeIds = sd.placeHolder("type_ids", DataType.INT, -1);
        SDVariable a = SameDiffFixes.gather(sd, "a", words, ids);
        SDVariable b = SameDiffFixes.gather(sd, "b", types, typeIds);
        SDVariable weights = sd.constant(Nd4j.rand(DataType.DOUBLE, REPEATED_IDS.length, 3));
        a.add(b).mul(weights).mul(a).sum().rename("loss");
        return sd;
    }

    private static Map<String, INDArray> idsFeed() {
        return Map.of("ids", Nd4j.createFromArray(REPEATED_IDS), "type_ids", Nd4j.createFromArray(0, 1, 1, 0, 0));
    }

    @Test
    void gatherSumsGradientsOfRepeatedIdsInAGraphWithTwoGathers() {
        FiniteDifferences.assertGradientsMatch(twoGathers(), idsFeed(), "loss", 100, "words", "types");
    }

    @Test
    void layerNormWithEpsilonHasFiniteOutputAndRightGradients() {
        Nd4j.getRandom().setSeed(2);
        SameDiff sd = SameDiff.create();
        INDArray rows = Nd4j.rand(DataType.DOUBLE, 4, 5);
        rows.getRow(3).assign(0.25); // a constant row has zero variance
        SDVariable x = sd.var("x", rows);
        SDVariable gamma = sd.var("gamma", Nd4j.rand(DataType.DOUBLE, 5));
        SDVariable beta = sd.var("beta", Nd4j.rand(DataType.DOUBLE, 5));
        SDVariable y = SameDiffFixes.layerNorm(x, gamma, beta, 1e-12).rename("y");
        y.mul(sd.constant(Nd4j.rand(DataType.DOUBLE, 4, 5))).sum().rename("loss");
        INDArray out = sd.output(Map.of(), "y").get("y");
        assertFalse(out.isNaN().any() || out.isInfinite().any(), "LayerNorm of a constant row: " + out);
        assertEquals(beta.getArr().getDouble(2), out.getDouble(3, 2), 1e-12, "a constant row normalises to beta");
        double mean = out.getRow(0).sub(beta.getArr()).div(gamma.getArr()).meanNumber().doubleValue();
        assertEquals(0, mean, 1e-9);
        FiniteDifferences.assertGradientsMatch(sd, Map.of(), "loss", 100, "gamma", "beta");
    }

    @Test
    void layerNormGradientWithRespectToItsInput() {
        Nd4j.getRandom().setSeed(3);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.randn(DataType.DOUBLE, 3, 6));
        SDVariable y = SameDiffFixes.layerNorm(x, sd.constant(Nd4j.rand(DataType.DOUBLE, 6)), sd.constant(Nd4j.rand(DataType.DOUBLE, 6)), 1e-12);
        y.mul(sd.constant(Nd4j.randn(DataType.DOUBLE, 3, 6))).sum().rename("loss");
        FiniteDifferences.assertGradientsMatch(sd, Map.of(), "loss", 100, "x");
    }

    @Test
    void layerNormGradientRunsSevenOpsOverTheWholeArray() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.rand(DataType.DOUBLE, 4, 3));
        SDVariable gamma = sd.constant(Nd4j.rand(DataType.DOUBLE, 3));
        SameDiffFixes.layerNorm(x, gamma, sd.constant(Nd4j.rand(DataType.DOUBLE, 3)), 1e-12).sum().rename("loss");

        List<String> wholeArrayOps = opsOverTheWholeArrayInAGradientPass(sd, "x");

        // forward: x - mean, its squares, / std, * gamma, + beta (the mean's input is x itself, through an identity);
        // the sum's gradient; the gradient: gamma's two products, LayerNorm's five (one the centring's), and beta's,
        // the incoming gradient itself through an identity: 7 ops over the array (differentiated op by op through the
        // statistics: 12, counting that identity)
        assertEquals(13, wholeArrayOps.size(), () -> "ops over the whole array: " + wholeArrayOps);
    }

    @Test
    void libraryLayerNormHasNoEpsilon() {
        // Variance 1e-12, equal to BERT's epsilon: with it the output is x / sqrt(2e-12), about 0.707.
        INDArray rows = Nd4j.createFromArray(new double[][] {{1e-6, -1e-6, 1e-6, -1e-6}});
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", rows);
        SDVariable gamma = sd.constant(Nd4j.ones(DataType.DOUBLE, 4));
        SDVariable beta = sd.constant(Nd4j.zeros(DataType.DOUBLE, 4));
        assertEquals(Math.sqrt(0.5), SameDiffFixes.layerNorm(x, gamma, beta, 1e-12).eval().getDouble(0, 0), 1e-9);
        double library = sd.nn.layerNorm(x, gamma, beta, false, 1).eval().getDouble(0, 0);
        assertEquals(1.0, library, 1e-6, "SameDiff's layerNorm has an epsilon now");
    }

    @Test
    void geluIsTheExactErfForm() {
        SameDiff sd = SameDiff.create();
        double[] points = {-3, -1.5, -0.5, 0, 0.3, 1, 2.5};
        SDVariable x = sd.var("x", Nd4j.createFromArray(points));
        INDArray y = SameDiffFixes.gelu(x).eval();
        for (int i = 0; i < points.length; i++) {
            assertEquals(points[i] * normalCdf(points[i]), y.getDouble(i), 1e-12, "gelu(" + points[i] + ")");
        }
        SameDiffFixes.gelu(x).mul(sd.constant(Nd4j.createFromArray(1.0, 2, 3, 4, 5, 6, 7))).sum().rename("loss");
        FiniteDifferences.assertGradientsMatch(sd, Map.of(), "loss", 100, "x");
        INDArray approximate = sd.nn.gelu(x).eval();
        assertTrue(Math.abs(approximate.getDouble(1) - y.getDouble(1)) > 1e-3, "SameDiff's gelu is exact now");
    }

    @Test
    void geluGradientRunsSevenOpsOverTheWholeArray() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.rand(DataType.DOUBLE, 4, 3));
        SameDiffFixes.gelu(x).sum().rename("loss");

        List<String> wholeArrayOps = opsOverTheWholeArrayInAGradientPass(sd, "x");

        // forward: x / sqrt 2, erf, + 1, * 0.5, x * Phi(x); the sum's gradient; GELU's gradient: 7 (the library's: 11)
        assertEquals(13, wholeArrayOps.size(), () -> "ops over the whole array: " + wholeArrayOps);
    }

    @Test
    void weightedCrossEntropyGradients() {
        Nd4j.getRandom().setSeed(4);
        SameDiff sd = SameDiff.create();
        SDVariable logits = sd.var("logits", Nd4j.randn(DataType.DOUBLE, 5, 7).mul(3));
        SDVariable labels = sd.constant(Nd4j.createFromArray(0, 6, 3, 3, 1));
        SDVariable weights = sd.constant(Nd4j.createFromArray(1.0, 1, 0, 1, 0));
        SDVariable perRow = SameDiffFixes.crossEntropy(logits, labels);
        perRow.mul(weights).sum().div(weights.sum()).rename("loss");
        FiniteDifferences.assertGradientsMatch(sd, Map.of(), "loss", 100, "logits");
        double[] row = logits.getArr().getRow(1).toDoubleVector();
        double sumExp = 0;
        for (double value : row) {
            sumExp += Math.exp(value);
        }
        assertEquals(Math.log(sumExp) - row[6], perRow.eval().getDouble(1), 1e-12);
    }

    /*
     * Differentiated op by op through the max shift, the exponentials, a one-hot array and their sums, a pass ran 14
     * ops over the logits' shape, 9 of them in the gradient (BERT-mini's masked-LM loss: 158 ms a pass, now 71).
     */
    @Test
    void crossEntropyGradientRunsTwoOpsOverTheLogits() {
        SameDiff sd = SameDiff.create();
        SDVariable logits = sd.var("logits", Nd4j.randn(DataType.DOUBLE, 5, 7));
        SameDiffFixes.crossEntropy(logits, sd.constant(Nd4j.createFromArray(0, 6, 3, 3, 1))).sum().rename("loss");

        List<String> wholeArrayOps = opsOverTheWholeArrayInAGradientPass(sd, "logits");

        // forward: the shift, the exponentials (of the logits themselves, through an identity that passes no gradient);
        // the gradient: softmax, - onehot
        assertEquals(List.of("subtract", "exp", "multiply", "scatter_nd_add"), wholeArrayOps);
    }

    /** The names of the ops of a gradient pass of sd's "loss" whose outputs have the variable's shape, in order. */
    private static List<String> opsOverTheWholeArrayInAGradientPass(SameDiff sd, String variable) {
        long[] shape = sd.getVariable(variable).getArr().shape();
        sd.setLossVariables("loss");
        SameDiffFixes.createGradFunction(sd);
        List<String> wholeArrayOps = new ArrayList<>();
        sd.addListeners(new BaseListener() {
            @Override
            public boolean isActive(Operation operation) {
                return true;
            }

            @Override
            public void opExecution(SameDiff graph, At at, MultiDataSet batch, SameDiffOp op, OpContext context, INDArray[] outputs) {
                for (INDArray output : outputs) {
                    if (Arrays.equals(output.shape(), shape) && !handedOn(output, context.getInputArrays())) {
                        wholeArrayOps.add(op.getOp().opName());
                    }
                }
            }
        });
        try (SameDiffFixes.GradientPass pass = SameDiffFixes.gradientPass(sd, Map.of(), List.of(), List.of(variable))) {
            assertArrayEquals(shape, pass.gradients().get(variable).shape());
        }
        return wholeArrayOps;
    }

    /** Whether an op's output is one of its inputs, as an identity's is in a session: no work over the array. */
    private static boolean handedOn(INDArray output, List<INDArray> inputs) {
        return inputs.stream().anyMatch(input -> input.data().address() == output.data().address()
                && input.offset() == output.offset());
    }

    private static double normalCdf(double x) {
        // Abramowitz-Stegun would be approximate; integrate the density instead (Simpson, fine grid).
        double a = -12, n = 200_000, h = (x - a) / n, sum = 0;
        for (int i = 0; i <= n; i++) {
            double t = a + i * h;
            double f = Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI);
            sum += (i == 0 || i == n) ? f : (i % 2 == 1 ? 4 * f : 2 * f);
        }
        return sum * h / 3;
    }

    /** Two sequences of length 4 (the second padded), with masked positions in the flattened [2 * 4] batch. */
    private static Map<String, INDArray> shorterBatch() {
        return Map.of(
                Bert.INPUT_IDS, Nd4j.createFromArray(new int[][] {{2, 6, 6, 3}, {2, 8, 3, 0}}),
                Bert.TOKEN_TYPE_IDS, Nd4j.createFromArray(new int[][] {{0, 0, 0, 0}, {0, 0, 0, 0}}),
                Bert.ATTENTION_MASK, Nd4j.createFromArray(new double[][] {{1, 1, 1, 1}, {1, 1, 1, 0}}),
                "masked_lm_positions", Nd4j.createFromArray(1, 2, 5),
                "masked_lm_ids", Nd4j.createFromArray(6, 6, 8),
                "masked_lm_weights", Nd4j.createFromArray(1.0, 1, 1),
                "labels", Nd4j.createFromArray(0, 2));
    }

    /*
     * With the array cache on, a buffer released after its last consumer is handed to a later op: a
     * release that came too early would show as a wrong gradient in one of the later passes, or as a changed
     * parameter, with batch shapes changing between passes as dynamic padding changes them.
     */
    @Test
    void cachedGradientPassMatchesTheLibraryPassOverRepeatedCalls() {
        TinyTraining tiny = TinyTraining.create();
        Bert bert = tiny.bert();
        List<String> trainable = tiny.trainable();
        List<Map<String, INDArray>> feeds = tiny.feeds();
        Map<String, INDArray> parametersBefore = new HashMap<>();
        bert.parameters().forEach((name, value) -> parametersBefore.put(name, value.dup()));

        Set<INDArray> gradientArrays = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<DataBuffer> firstRoundBuffers = Collections.newSetFromMap(new IdentityHashMap<>());
        int rounds = 3;
        List<Long> newBufferBytesAfterFirstRound = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            for (int b = 0; b < feeds.size(); b++) {
                try (SameDiffFixes.GradientPass pass =
                             SameDiffFixes.gradientPass(bert.sd, feeds.get(b), List.of("total"), trainable)) {
                    tiny.assertLibraryGradients(b, pass, "round " + round);
                    gradientArrays.addAll(pass.gradients().values());
                    for (DataBuffer buffer : opOutputBuffers(bert)) {
                        long bytes = buffer.length() * buffer.getElementSize();
                        if (round == 0) {
                            firstRoundBuffers.add(buffer);
                        } else if (!firstRoundBuffers.contains(buffer) && bytes >= 1024) {
                            newBufferBytesAfterFirstRound.add(bytes);
                        }
                    }
                }
            }
        }
        bert.parameters().forEach((name, value) -> assertEquals(parametersBefore.get(name), value, name + " changed"));
        // The session's record of released ids would otherwise grow by hundreds of ids a pass for as long as training runs.
        assertEquals(Set.of(), SameDiffFixes.releasedIds(gradientSession(bert)));
        // Closed passes hand their arrays back: later passes fill them instead of allocating new ones.
        assertTrue(gradientArrays.size() < rounds * feeds.size() * trainable.size() / 2,
                gradientArrays.size() + " distinct gradient arrays in " + rounds * feeds.size() + " passes");
        // The op outputs that the session keeps after a pass are handed back too: after the first round, a pass
        // allocates at most one new buffer of 1 KB or more (without the hand-back: dozens per pass).
        assertTrue(newBufferBytesAfterFirstRound.size() <= (rounds - 1) * feeds.size(),
                "sizes of new op-output buffers after the first round: " + newBufferBytesAfterFirstRound);
    }

    /* One row is the case where the library's legacy sum, which the gradient of the bias first used, failed. */
    @Test
    void linearHasRightGradientsForOneRowAndForSeveral() {
        for (int rows : new int[] {1, 3}) {
            Nd4j.getRandom().setSeed(rows);
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.var("x", Nd4j.rand(DataType.DOUBLE, rows, 4));
            SDVariable weight = sd.var("weight", Nd4j.rand(DataType.DOUBLE, 5, 4).subi(0.5));    // [out, in]
            SDVariable bias = sd.var("bias", Nd4j.rand(DataType.DOUBLE, 5));
            SDVariable y = SameDiffFixes.linear(x, weight, bias);                                // [rows, out]
            assertTrue(x.getArr().mmul(weight.getArr().transpose()).addRowVector(bias.getArr())
                    .equalsWithEps(y.eval(), 1e-12), "x W^T + b");
            y.mul(y).sum().rename("loss");
            FiniteDifferences.assertGradientsMatch(sd, Map.of(), "loss", 20, "x", "weight", "bias");
        }
    }

    /* The op's BLAS call reads row-major arrays: a transposed view is copied first, and a float graph gets sgemm. */
    @Test
    void linearReadsTransposedViewsInFloat() {
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3).transpose();                                 // [rows, in], a view
        INDArray weight = Nd4j.rand(DataType.FLOAT, 5, 4).subi(0.5);                              // [out, in]
        INDArray bias = Nd4j.rand(DataType.FLOAT, 5);
        INDArray expected = x.mmul(weight.transpose()).addRowVector(bias);                        // [rows, out]
        INDArray out = Nd4j.create(DataType.FLOAT, 3, 5);
        OpContext context = Nd4j.getExecutioner().buildContext();
        context.setInputArrays(x, weight, bias);
        context.setOutputArrays(out);
        new SameDiffFixes.Linear().compute(context);
        assertTrue(expected.equalsWithEps(out, 1e-6), () -> expected + " against " + out);

        SameDiff sd = SameDiff.create();
        SDVariable y = SameDiffFixes.linear(sd.var("x", x.dup()), sd.var("weight", weight), sd.var("bias", bias));
        assertTrue(expected.equalsWithEps(y.eval(), 1e-6), () -> expected + " against " + y.eval());
        assertEquals(List.of("bertadapt_linear"), sd.getOps().values().stream().map(op -> op.getOp().opName()).toList());
    }

    /* Along the last axis, as attention uses it, and along a middle one; the gradient graph has no softmax_bp. */
    @Test
    void softmaxHasRightGradientsFromItsOutput() {
        for (int axis : new int[] {2, 1}) {
            Nd4j.getRandom().setSeed(axis + 5);
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.var("x", Nd4j.randn(DataType.DOUBLE, 2, 3, 4).mul(2));
            SDVariable y = SameDiffFixes.softmax(x, axis);                                       // [2, 3, 4]
            INDArray exponentials = Transforms.exp(x.getArr());
            INDArray expected = exponentials.div(exponentials.sum(true, axis).broadcast(exponentials.shape()));
            assertTrue(expected.equalsWithEps(y.eval(), 1e-12), "softmax along " + axis);
            y.mul(sd.constant(Nd4j.rand(DataType.DOUBLE, 2, 3, 4))).sum().rename("loss");
            FiniteDifferences.assertGradientsMatch(sd, Map.of(), "loss", 20, "x");
            List<String> gradientOps = sd.getFunction("grad").getOps().values().stream()
                    .map(op -> op.getOp().opName()).toList();
            assertFalse(gradientOps.contains("softmax_bp"), () -> "gradient ops " + gradientOps);
        }
        SDVariable x = SameDiff.create().var("x", Nd4j.rand(DataType.DOUBLE, 2, 3, 4));
        assertThrows(IllegalArgumentException.class, () -> SameDiffFixes.softmax(x, -1));
        assertFalse(x.sum(true, -1).eval().equalsWithEps(x.sum(true, 2).eval(), 1e-12),
                "SameDiff's sum keeping dimensions is right along a negative axis now");
    }

    /** The count that OpenBLAS itself runs with, not ND4J's record of the last count set through it. */
    @Test
    void openBlasThreadCountIsOpenBlasOwn() {
        int threads = SameDiffFixes.OpenBlasThreads.get();
        assertTrue(threads >= 1, "OpenBLAS threads " + threads);
        try {
            SameDiffFixes.OpenBlasThreads.set(1);
            assertEquals(1, SameDiffFixes.OpenBlasThreads.get());
            assertEquals(threads, Nd4j.factory().blas().getMaxThreads(), "ND4J's record is left as it was");
            Nd4j.factory().blas().setMaxThreads(threads);
            assertEquals(threads, SameDiffFixes.OpenBlasThreads.get(), "set through ND4J, read from OpenBLAS");
        } finally {
            SameDiffFixes.OpenBlasThreads.set(threads);
        }
    }

    /*
     * Head n of example b is the block of rows b*T.. and columns n*D.. of the [B*T, H] projections; the sums are
     * written out here index by index. Double precision and single take BLAS calls, half precision products of views
     * (as another backend would); the gradients, each form computed by the others, against finite differences.
     */
    @Test
    void headProductsAreEveryHeadsAttentionProductsWithRightGradients() {
        int batch = 2;
        int length = 3;
        int heads = 2;
        int headSize = 2;
        double scale = 0.7;
        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT, DataType.HALF}) {
            Nd4j.getRandom().setSeed(11);
            SameDiff sd = SameDiff.create();
            SDVariable query = sd.var("query", Nd4j.randn(DataType.DOUBLE, batch * length, heads * headSize).castTo(type));
            SDVariable key = sd.var("key", Nd4j.randn(DataType.DOUBLE, batch * length, heads * headSize).castTo(type));
            SDVariable value = sd.var("value", Nd4j.randn(DataType.DOUBLE, batch * length, heads * headSize).castTo(type));
            SDVariable batchAndLength = sd.constant(Nd4j.createFromArray((long) batch, length));
            SameDiffFixes.headScores(query, key, heads, scale, batchAndLength).rename("scores_of_heads"); // [B, N, T, T]
            SDVariable probabilities = SameDiffFixes.softmax(sd.getVariable("scores_of_heads"), 3)
                    .rename("probabilities");                                                 // [B, N, T, T]
            SDVariable context = SameDiffFixes.headContext(probabilities, value, heads, batchAndLength)
                    .rename("context");                                                       // [B*T, H]
            context.mul(sd.constant(Nd4j.rand(DataType.DOUBLE, batch * length, heads * headSize).castTo(type)))
                    .sum().rename("loss");
            int blasThreads = SameDiffFixes.OpenBlasThreads.get();
            Map<String, INDArray> values = sd.output(Map.of(), "scores_of_heads", "probabilities", "context");
            assertEquals(blasThreads, SameDiffFixes.OpenBlasThreads.get(), "OpenBLAS's threads restored after the products");
            double tolerance = type == DataType.HALF ? 1e-2 : 1e-6;

            INDArray q = query.getArr().castTo(DataType.DOUBLE);
            INDArray k = key.getArr().castTo(DataType.DOUBLE);
            INDArray v = value.getArr().castTo(DataType.DOUBLE);
            INDArray p = values.get("probabilities").castTo(DataType.DOUBLE);
            INDArray expectedScores = Nd4j.create(DataType.DOUBLE, batch, heads, length, length);
            INDArray expectedContext = Nd4j.create(DataType.DOUBLE, batch * length, heads * headSize);
            for (int b = 0; b < batch; b++) {
                for (int n = 0; n < heads; n++) {
                    for (int i = 0; i < length; i++) {
                        for (int j = 0; j < length; j++) {
                            double dot = 0;
                            for (int d = 0; d < headSize; d++) {
                                dot += q.getDouble(b * length + i, n * headSize + d) * k.getDouble(b * length + j, n * headSize + d);
                            }
                            expectedScores.putScalar(new long[] {b, n, i, j}, scale * dot);
                        }
                        for (int d = 0; d < headSize; d++) {
                            double mixed = 0;
                            for (int j = 0; j < length; j++) {
                                mixed += p.getDouble(b, n, i, j) * v.getDouble(b * length + j, n * headSize + d);
                            }
                            expectedContext.putScalar(new long[] {b * length + i, n * headSize + d}, mixed);
                        }
                    }
                }
            }
            assertTrue(expectedScores.equalsWithEps(values.get("scores_of_heads").castTo(DataType.DOUBLE), tolerance),
                    type + " scores " + values.get("scores_of_heads"));
            assertTrue(expectedContext.equalsWithEps(values.get("context").castTo(DataType.DOUBLE), tolerance),
                    type + " context " + values.get("context"));
            if (type == DataType.DOUBLE) {
                FiniteDifferences.assertGradientsMatch(sd, Map.of(), "loss", 20, "query", "key", "value");
            }
        }
    }

    @Test
    void biasSumHandsItsGradientOnWithoutTheLibrarysBiasAddBp() {
        Nd4j.getRandom().setSeed(9);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.rand(DataType.DOUBLE, 3, 4));
        SDVariable bias = sd.var("bias", Nd4j.rand(DataType.DOUBLE, 4));
        SDVariable sum = SameDiffFixes.biasSum(x, bias);                                        // [3, 4]
        assertTrue(x.getArr().addRowVector(bias.getArr()).equalsWithEps(sum.eval(), 1e-12));
        sum.mul(sum).sum().rename("loss");
        FiniteDifferences.assertGradientsMatch(sd, Map.of(), "loss", 20, "x", "bias");
        List<String> gradientOps = sd.getFunction("grad").getOps().values().stream()
                .map(op -> op.getOp().opName()).toList();
        assertFalse(gradientOps.contains("biasadd_bp"), () -> "gradient ops " + gradientOps);
    }

    @Test
    void anOpRunThroughExecLetsGoOfItsInputs() {
        INDArray a = Nd4j.createFromArray(1.0, 2.0, 3.0);
        INDArray b = Nd4j.createFromArray(10.0, 20.0, 30.0);
        INDArray result = Nd4j.createUninitialized(DataType.DOUBLE, 3);

        SameDiffFixes.exec("axpy", new INDArray[] {a, b}, new INDArray[] {result}, new double[] {2});

        assertEquals(1, Nd4j.getExecutioner().useCount(a.data()));
        assertEquals(1, Nd4j.getExecutioner().useCount(b.data()));
        assertEquals(Nd4j.createFromArray(21.0, 42.0, 63.0), result, "ND4J's axpy is input 0 + scale * input 1");
    }

    /*
     * The optimiser reads every gradient. Through the library's op calls that left each gradient's buffer referenced
     * until a collection, so the cache freed them all and every pass allocated its gradients anew.
     */
    @Test
    void gradientsThatTheOptimiserReadAreReusedByLaterPasses() {
        TinyTraining tiny = TinyTraining.create();
        Bert bert = tiny.bert();
        AdamW optimiser = new AdamW(AdamW.Settings.bert(0.01));
        Set<DataBuffer> firstRoundBuffers = Collections.newSetFromMap(new IdentityHashMap<>());
        List<String> newAfterFirstRound = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (Map<String, INDArray> feed : tiny.feeds()) {
                try (SameDiffFixes.GradientPass pass = SameDiffFixes.gradientPass(bert.sd, feed, List.of(), tiny.trainable())) {
                    optimiser.step(bert.parameters(), pass.gradients(), 1e-3);
                    if (round == 0) {
                        firstRoundBuffers.addAll(opOutputBuffers(bert));
                        pass.gradients().values().forEach(gradient -> firstRoundBuffers.add(gradient.data()));
                    } else {
                        pass.gradients().forEach((name, gradient) -> {
                            if (!firstRoundBuffers.contains(gradient.data())) {
                                newAfterFirstRound.add(name);
                            }
                        });
                    }
                }
            }
        }
        // Buffers that a round-0 pass freed before it ended are not in the set, hence a few "new" ones (5 of 184
        // here); with the library's op calls, 143.
        int laterGradients = 2 * tiny.feeds().size() * tiny.trainable().size();
        assertTrue(newAfterFirstRound.size() < laterGradients / 10,
                newAfterFirstRound.size() + " of " + laterGradients + " gradients in new buffers after the first round: " + newAfterFirstRound);
    }

    @Test
    void anArrayTheCacheHandsOutAgainHasAnIdNoOtherArrayHas() {
        SameDiffFixes.DistinctIdArrayCache cache = new SameDiffFixes.DistinctIdArrayCache();
        INDArray first = cache.allocate(false, DataType.FLOAT, 4, 64);
        cache.release(first);
        INDArray reused = cache.allocate(false, DataType.FLOAT, 4, 64);
        INDArray created = Nd4j.create(DataType.FLOAT, 2);
        assertSame(first, reused, "the cache hands the released array out again");
        assertNotEquals(reused.getId(), created.getId(), "the library's cache gives both arrays one id");
    }

    /*
     * The session releases an op output once its last consumer has run and skips an id it has released before; with
     * the library's cache two arrays shared an id, and the one released second was never handed back.
     */
    @Test
    void everyArrayAPassTakesFromTheCacheGoesBackToIt() {
        TinyTraining tiny = TinyTraining.create();
        Bert bert = tiny.bert();
        SameDiffFixes.gradientPass(bert.sd, tiny.feeds().get(0), List.of("total"), tiny.trainable()).close();
        Set<INDArray> handedOut = Collections.newSetFromMap(new IdentityHashMap<>());
        gradientSession(bert).setMmgr(new SameDiffFixes.DistinctIdArrayCache() {
            @Override
            public INDArray allocate(boolean detached, DataType dataType, long... shape) {
                INDArray array = super.allocate(detached, dataType, shape);
                handedOut.add(array);
                return array;
            }

            @Override
            public INDArray allocate(boolean detached, LongShapeDescriptor descriptor) {
                INDArray array = super.allocate(detached, descriptor);
                handedOut.add(array);
                return array;
            }

            @Override
            public void release(INDArray array) {
                handedOut.remove(array);
                super.release(array);
            }
        });
        for (int round = 0; round < 2; round++) {
            for (int b = 0; b < tiny.feeds().size(); b++) {
                SameDiffFixes.gradientPass(bert.sd, tiny.feeds().get(b), List.of("total"), tiny.trainable()).close();
                assertEquals(Map.of(), shapeCounts(handedOut), "arrays not handed back after pass " + b + " of round " + round);
            }
        }
    }

    private static Map<String, Integer> shapeCounts(Set<INDArray> arrays) {
        Map<String, Integer> counts = new TreeMap<>();
        arrays.forEach(array -> counts.merge(Arrays.toString(array.shape()), 1, Integer::sum));
        return counts;
    }

    @Test
    void freeingTheArraysEmptiesTheCacheAndLaterPassesAreStillRight() {
        TinyTraining tiny = TinyTraining.create();
        Bert bert = tiny.bert();
        SameDiffFixes.gradientPass(bert.sd, tiny.feeds().get(0), List.of("total"), tiny.trainable()).close();
        ArrayCacheMemoryMgr before = cacheOf(bert);
        assertTrue(before.getCurrentCacheSize() > 0);

        SameDiffFixes.freeArrays(bert.sd);

        assertEquals(0, cacheOf(bert).getCurrentCacheSize());
        assertTrue(before.getArrays().values().stream().flatMap(List::stream).allMatch(INDArray::wasClosed),
                "the old cache's arrays are freed");
        for (int b = 0; b < tiny.feeds().size(); b++) {
            try (SameDiffFixes.GradientPass pass =
                         SameDiffFixes.gradientPass(bert.sd, tiny.feeds().get(b), List.of("total"), tiny.trainable())) {
                tiny.assertLibraryGradients(b, pass, "after freeing");
            }
        }
    }

    @Test
    void creatingTheGradientFunctionOfAGraphWithDropoutPrintsNothing() {
        PrintStream stderr = System.err;
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            Bert bert = new Bert(BertGraphTest.TINY, DataType.FLOAT, true);
            Heads.classifier(bert, 2, Heads.ClassifierType.LINEAR).loss().rename("total");
            bert.sd.setLossVariables("total");
            SameDiffFixes.createGradFunction(bert.sd);
        } finally {
            System.setErr(stderr);
            System.setOut(stdout);
        }
        assertEquals("", printed.toString(StandardCharsets.UTF_8));
    }

    /**
     * A tiny BERT with both heads and its gradient function, two batches of different shapes, and the library's own
     * gradients for each.
     */
    private record TinyTraining(Bert bert, List<String> trainable, List<Map<String, INDArray>> feeds,
                                List<Map<String, INDArray>> expected) {

        static TinyTraining create() {
            Nd4j.getRandom().setSeed(21);
            Bert bert = new Bert(BertGraphTest.TINY.withoutDropout(), DataType.DOUBLE, true);
            Heads.MaskedLm maskedLm = Heads.maskedLm(bert);
            Heads.Classifier classifier = Heads.classifier(bert, 3, Heads.ClassifierType.LINEAR);
            maskedLm.loss().add(classifier.loss()).rename("total");
            bert.sd.setLossVariables("total");
            SameDiffFixes.createGradFunction(bert.sd);
            List<String> trainable = Freezing.trainable(bert);
            List<Map<String, INDArray>> feeds = List.of(BertGraphTest.feedFor(bert, BertGraphTest.batch(DataType.DOUBLE)), shorterBatch());
            List<Map<String, INDArray>> expected = new ArrayList<>();
            for (Map<String, INDArray> feed : feeds) {
                Map<String, INDArray> gradients = new HashMap<>();
                bert.sd.calculateGradients(feed, trainable).forEach((name, gradient) -> gradients.put(name, gradient.dup()));
                expected.add(gradients);
            }
            return new TinyTraining(bert, trainable, feeds, expected);
        }

        void assertLibraryGradients(int batch, SameDiffFixes.GradientPass pass, String where) {
            assertEquals(trainable.size(), pass.gradients().size());
            assertTrue(pass.outputs().get("total").getDouble(0) > 0);
            for (String name : trainable) {
                assertTrue(expected.get(batch).get(name).equalsWithEps(pass.gradients().get(name), 1e-12),
                        "gradient of " + name + ", batch " + batch + ", " + where);
            }
        }
    }

    private static InferenceSession gradientSession(Bert bert) {
        return bert.sd.getFunction("grad").getSessions().values().iterator().next();
    }

    private static ArrayCacheMemoryMgr cacheOf(Bert bert) {
        return (ArrayCacheMemoryMgr) gradientSession(bert).getMmgr();
    }

    /** The buffers of the op outputs the gradient graph's session holds now. */
    private static List<DataBuffer> opOutputBuffers(Bert bert) {
        SameDiff gradientGraph = bert.sd.getFunction("grad");
        List<DataBuffer> buffers = new ArrayList<>();
        gradientSession(bert).getNodeValueOutputs().forEach((id, value) -> {
            if (value != null && value.getTensorValue() != null
                    && gradientGraph.getVariable(id.getVariable()).getVariableType() == VariableType.ARRAY) {
                buffers.add(value.getTensorValue().data());
            }
        });
        return buffers;
    }
}
