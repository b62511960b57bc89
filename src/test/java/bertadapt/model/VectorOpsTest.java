package bertadapt.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.commons.math3.special.Erf;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The vector ops against the library's ops they replace, which {@link SameDiffFixesTest} checks against finite
 * differences in double precision: the same float graph built both ways, outputs and gradients compared.
 */
class VectorOpsTest {

    /** Shapes whose last axis is narrower than the vector lanes, not a multiple of them, and long enough for two cores. */
    private static final long[][] SHAPES = {{3, 5}, {4, 37}, {300, 200}};

    @Test
    void theJvmOfTheTestsHasTheVectorApi() {
        assertTrue(VectorOps.available(), "the tests run with --add-modules jdk.incubator.vector (pom.xml)");
    }

    @Test
    void softmaxAlongTheLastAxisAndAnotherMatchesTheLibrary() {
        for (long[] shape : SHAPES) {
            long[] threeAxes = {2, shape[0], shape[1]};
            for (int axis : new int[] {2, 1}) {
                assertMatchesTheLibrary("softmax along " + axis, threeAxes, Map.of(), 3,
                        (x, parameters) -> SameDiffFixes.softmax(x, axis));
            }
        }
    }

    /** Scores [B, N, T, T] and a bias [B, 1, 1, T], whose gradient sums the scores' over heads and queries. */
    @Test
    void attentionSoftmaxAndTheBiasGradientMatchTheLibrary() {
        for (long[] shape : new long[][] {{2, 3, 4, 4}, {2, 2, 37, 37}, {4, 4, 64, 64}}) {
            assertMatchesTheLibrary("attention softmax", shape, Map.of("bias", new long[] {shape[0], 1, 1, shape[3]}), 3,
                    (x, parameters) -> SameDiffFixes.attentionSoftmax(x, parameters.get("bias")));
        }
    }

    /** Keys masked with -10000 get no attention, and the real keys the softmax over them alone. */
    @Test
    void attentionSoftmaxGivesPaddingNoWeight() {
        SameDiff sd = SameDiff.create();
        INDArray scores = Nd4j.randn(DataType.FLOAT, 2, 3, 5, 5);
        INDArray bias = Nd4j.createFromArray(new float[] {0, 0, 0, 0, 0, 0, 0, 0, -10_000, -10_000}).reshape(2, 1, 1, 5);
        INDArray probabilities = SameDiffFixes.attentionSoftmax(sd.var("scores", scores), sd.constant(bias)).eval();
        assertTrue(opNames(sd).contains("bertadapt_attention_softmax"), "ops " + opNames(sd));

        INDArray whole = Nd4j.nn().softmax(scores.get(NDArrayIndex.point(0)).dup(), 2);
        assertTrue(whole.equalsWithEps(probabilities.get(NDArrayIndex.point(0)), 1e-6), "example 0: " + probabilities);
        INDArray realKeys = scores.get(NDArrayIndex.point(1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 3));
        INDArray second = probabilities.get(NDArrayIndex.point(1));
        assertTrue(Nd4j.nn().softmax(realKeys.dup(), 2).equalsWithEps(
                second.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 3)), 1e-6), "example 1: " + second);
        assertEquals(0, second.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(3, 5)).maxNumber().doubleValue(),
                1e-30, "padding keys' weights");
    }

    @Test
    void attentionSoftmaxNamesABiasThatDoesNotFitTheScores() {
        SameDiff sd = SameDiff.create();
        SDVariable probabilities = SameDiffFixes.attentionSoftmax(sd.var("scores", Nd4j.rand(DataType.FLOAT, 3, 2, 4, 4)),
                sd.constant(Nd4j.zeros(DataType.FLOAT, 2, 1, 1, 4)));
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, probabilities::eval);
        String message = rootMessage(e);
        assertTrue(message.contains("bias of shape [2, 1, 1, 4] for scores of shape [3, 2, 4, 4]")
                && message.contains("expected scores [B, N, T, T] and a bias [3, 1, 1, 4]"), message);
    }

    /** Rows far below zero (keys masked with -10000), whose width leaves lanes past the row's end. */
    @Test
    void softmaxOfRowsFarBelowZeroSumsToOne() {
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.randn(DataType.FLOAT, 3, 37).subi(10_000));
        INDArray y = SameDiffFixes.softmax(x, 1).eval();
        assertFalse(y.isNaN().any(), "softmax " + y);
        assertTrue(y.sum(1).equalsWithEps(Nd4j.ones(DataType.FLOAT, 3), 1e-6), "row sums " + y.sum(1));
    }

    @Test
    void layerNormAndItsParameterGradientsMatchTheLibrary() {
        for (long[] shape : SHAPES) {
            assertMatchesTheLibrary("LayerNorm", shape, gainAndBias(shape), 1,
                    (x, parameters) -> SameDiffFixes.layerNorm(x, parameters.get("gamma"), parameters.get("beta"), 1e-12));
        }
    }

    /** LayerNorm(x + residual): the gradients of x and of the residual, as well as gamma's and beta's. */
    @Test
    void addAndLayerNormAndAllFourGradientsMatchTheLibrary() {
        for (long[] shape : SHAPES) {
            Map<String, long[]> parameters = new LinkedHashMap<>(gainAndBias(shape));
            parameters.put("residual", shape);
            assertMatchesTheLibrary("Add & Norm", shape, parameters, 1, (x, p) ->
                    SameDiffFixes.addLayerNorm(x, p.get("residual"), p.get("gamma"), p.get("beta"), 1e-12));
        }
    }

    /** gamma and beta along the last axis of x. */
    private static Map<String, long[]> gainAndBias(long[] shape) {
        long[] lastAxis = {shape[shape.length - 1]};
        return Map.of("gamma", lastAxis, "beta", lastAxis);
    }

    @Test
    void geluMatchesTheLibrary() {
        for (long[] shape : SHAPES) {
            assertMatchesTheLibrary("GELU", shape, Map.of(), 3, (x, parameters) -> SameDiffFixes.gelu(x));
        }
    }

    @Test
    void crossEntropyMatchesTheLibrary() {
        for (long[] shape : new long[][] {{6, 37}, {40, 3000}}) {
            INDArray labels = Nd4j.createFromArray(java.util.stream.IntStream.range(0, (int) shape[0])
                    .map(r -> (int) ((r * 7919L) % shape[1])).toArray());
            assertMatchesTheLibrary("cross-entropy", shape, new long[] {shape[0]}, Map.of(), 4,
                    (x, parameters) -> SameDiffFixes.crossEntropy(x, x.getSameDiff().constant(labels)));
        }
    }

    @Test
    void crossEntropyNamesALabelOutsideTheClasses() {
        SameDiff sd = SameDiff.create();
        SDVariable logits = sd.var("logits", Nd4j.rand(DataType.FLOAT, 2, 5));
        SDVariable loss = SameDiffFixes.crossEntropy(logits, sd.constant(Nd4j.createFromArray(1, 5)));
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, loss::eval);
        String message = rootMessage(e);
        assertTrue(message.contains("label 5 of row 1") && message.contains("5 classes"), message);
    }

    private static String rootMessage(Throwable e) {
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append(" / ");
        }
        return messages.toString();
    }

    /** Within 3e-7 of x Phi(x) in float64 (relative where |x| > 1), and its slope within 5e-7, from -12 to 12. */
    @Test
    void geluAndItsSlopeAreAccurateToFloatPrecision() {
        int n = 24_001;
        double[] points = new double[n];
        for (int i = 0; i < n; i++) {
            points[i] = -12 + 24.0 * i / (n - 1);
        }
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.createFromArray(points).castTo(DataType.FLOAT).reshape(1, n));
        SameDiffFixes.gelu(x).rename("y").sum().rename("loss");
        sd.setLossVariables("loss");
        assertTrue(opNames(sd).contains("bertadapt_gelu"), "the float graph computes GELU with a vector op");
        SameDiffFixes.createGradFunction(sd);
        INDArray values;
        INDArray slopes;
        try (SameDiffFixes.GradientPass pass = SameDiffFixes.gradientPass(sd, Map.of(), List.of("y"), List.of("x"))) {
            values = pass.outputs().get("y").dup();
            slopes = pass.gradients().get("x").dup();
        }
        double worstValue = 0;
        double worstSlope = 0;
        for (int i = 0; i < n; i++) {
            double v = x.getArr().getDouble(0, i);                     // the point as float
            double cdf = 0.5 * Erf.erfc(-v / Math.sqrt(2));
            double density = Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI);
            double scale = Math.max(1, Math.abs(v));
            worstValue = Math.max(worstValue, Math.abs(values.getDouble(0, i) - v * cdf) / scale);
            worstSlope = Math.max(worstSlope, Math.abs(slopes.getDouble(0, i) - (cdf + v * density)) / scale);
        }
        assertTrue(worstValue < 3e-7, "largest GELU error " + worstValue);
        assertTrue(worstSlope < 5e-7, "largest GELU slope error " + worstSlope);
    }

    @Test
    void layerNormParameterGradientsAddUpInTheSameOrderOnEveryPass() {
        Nd4j.getRandom().setSeed(11);
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", Nd4j.randn(DataType.FLOAT, 400, 96));
        SDVariable gamma = sd.var("gamma", Nd4j.rand(DataType.FLOAT, 96));
        SDVariable beta = sd.var("beta", Nd4j.rand(DataType.FLOAT, 96));
        SameDiffFixes.layerNorm(x, gamma, beta, 1e-12).mul(sd.constant(Nd4j.randn(DataType.FLOAT, 400, 96)))
                .sum().rename("loss");
        sd.setLossVariables("loss");
        SameDiffFixes.createGradFunction(sd);
        assertTrue(VectorKernels.workers(400, 96) > 1 || Runtime.getRuntime().availableProcessors() == 1,
                "the rows are shared among the cores");
        Map<String, INDArray> first = gradients(sd, List.of("x", "gamma", "beta"));
        Map<String, INDArray> second = gradients(sd, List.of("x", "gamma", "beta"));
        first.forEach((name, gradient) -> assertEquals(gradient, second.get(name), name + "'s gradient"));
    }

    /** The tiny BERT with all three heads, float, built both ways from the same seed: the same losses and gradients. */
    @Test
    void aFloatBertWithEveryHeadHasTheLibrarysLossAndGradients() {
        Map<String, INDArray> vector = bertLossAndGradients(true);
        Map<String, INDArray> library = bertLossAndGradients(false);
        assertEquals(library.keySet(), vector.keySet());
        library.forEach((name, expected) -> {
            // at least 1e-2: the key bias's gradient is zero but for rounding (softmax ignores a constant per row)
            double scale = Math.max(1e-2, expected.amaxNumber().doubleValue());
            double difference = expected.sub(vector.get(name)).amaxNumber().doubleValue();
            assertTrue(difference <= 1e-4 * scale, name + " differs by " + difference + " (largest magnitude " + scale + ")");
        });
    }

    private static Map<String, INDArray> bertLossAndGradients(boolean vectorOps) {
        String previous = System.setProperty(VectorOps.ENABLED_PROPERTY, Boolean.toString(vectorOps));
        try {
            Nd4j.getRandom().setSeed(17);
            Bert bert = new Bert(BertGraphTest.TINY.withoutDropout(), DataType.FLOAT, true);
            Heads.MaskedLm mlm = Heads.maskedLm(bert);
            Heads.NextSentence nsp = Heads.nextSentence(bert);
            Heads.Classifier classifier = Heads.classifier(bert, 3, Heads.ClassifierType.LINEAR);
            mlm.loss().add(nsp.loss()).add(classifier.loss()).rename("total");
            bert.sd.setLossVariables("total");
            assertEquals(vectorOps, opNames(bert.sd).contains("bertadapt_cross_entropy"), "vector ops " + vectorOps);
            SameDiffFixes.createGradFunction(bert.sd);
            Map<String, INDArray> results = new LinkedHashMap<>();
            Map<String, INDArray> feed = BertGraphTest.feedFor(bert, BertGraphTest.batch(DataType.FLOAT));
            try (SameDiffFixes.GradientPass pass = SameDiffFixes.gradientPass(bert.sd, feed, List.of("total"),
                    List.copyOf(bert.parameters().keySet()))) {
                results.put("total", pass.outputs().get("total").dup());
                pass.gradients().forEach((name, gradient) -> results.put(name, gradient.dup()));
            }
            return results;
        } finally {
            restore(previous);
        }
    }

    private static void restore(String previous) {
        if (previous == null) {
            System.clearProperty(VectorOps.ENABLED_PROPERTY);
        } else {
            System.setProperty(VectorOps.ENABLED_PROPERTY, previous);
        }
    }

    /**
     * Builds {@code op} on a random x of {@code shape} (and the parameters named, of the shapes given) with the vector
     * ops and with the library's, and compares the outputs and the gradients of a weighted sum of the output with
     * respect to x and the parameters: within 1e-5 of the largest magnitude of each. The vector graph must not compute
     * anything the library's way: of its ops over the data, the vector op is the only one of its kind.
     */
    private static void assertMatchesTheLibrary(String what, long[] shape, Map<String, long[]> parameterShapes,
                                                double spread, Op op) {
        assertMatchesTheLibrary(what, shape, shape, parameterShapes, spread, op);
    }

    private static void assertMatchesTheLibrary(String what, long[] shape, long[] outputShape,
                                                Map<String, long[]> parameterShapes, double spread, Op op) {
        Nd4j.getRandom().setSeed(shape[0] * 31 + shape[shape.length - 1]);
        INDArray input = Nd4j.randn(DataType.FLOAT, shape).muli(spread);
        INDArray weights = Nd4j.randn(DataType.FLOAT, outputShape);
        Map<String, INDArray> parameters = new LinkedHashMap<>();
        new TreeMap<>(parameterShapes).forEach((name, parameterShape) ->
                parameters.put(name, Nd4j.randn(DataType.FLOAT, parameterShape)));
        Map<String, INDArray> vector = run(true, input, weights, parameters, op, what);
        Map<String, INDArray> library = run(false, input, weights, parameters, op, what);
        assertEquals(library.keySet(), vector.keySet());
        library.forEach((name, expected) -> {
            INDArray actual = vector.get(name);
            assertArrayEquals(expected.shape(), actual.shape(), what + " " + name);
            double scale = Math.max(1e-6, expected.amaxNumber().doubleValue());
            double difference = expected.sub(actual).amaxNumber().doubleValue();
            assertTrue(difference <= 1e-5 * scale, what + " " + Arrays.toString(shape) + ": " + name
                    + " differs by " + difference + " (largest magnitude " + scale + ")");
        });
    }

    private interface Op {
        SDVariable apply(SDVariable x, Map<String, SDVariable> parameters);
    }

    private static Map<String, INDArray> run(boolean vectorOps, INDArray input, INDArray weights,
                                             Map<String, INDArray> parameters, Op op, String what) {
        String previous = System.setProperty(VectorOps.ENABLED_PROPERTY, Boolean.toString(vectorOps));
        try {
            SameDiff sd = SameDiff.create();
            SDVariable x = sd.var("x", input.dup());
            Map<String, SDVariable> variables = new LinkedHashMap<>();
            parameters.forEach((name, value) -> variables.put(name, sd.var(name, value.dup())));
            op.apply(x, variables).rename("y").mul(sd.constant(weights)).sum().rename("loss");
            sd.setLossVariables("loss");
            List<String> ops = opNames(sd);
            assertEquals(vectorOps, ops.stream().anyMatch(name -> name.startsWith("bertadapt_")), what + " ops " + ops);
            if (vectorOps) {
                assertFalse(ops.contains("softmax") || ops.contains("erf") || ops.contains("rsqrt") || ops.contains("exp")
                        || ops.contains("add"), what + " ops " + ops);
            }
            SameDiffFixes.createGradFunction(sd);
            List<String> names = new ArrayList<>(List.of("x"));
            names.addAll(parameters.keySet());
            Map<String, INDArray> results = new LinkedHashMap<>(gradients(sd, names));
            results.put("y", sd.output(Map.of(), "y").get("y").dup());
            return results;
        } finally {
            restore(previous);
        }
    }

    private static Map<String, INDArray> gradients(SameDiff sd, List<String> variables) {
        Map<String, INDArray> copies = new LinkedHashMap<>();
        try (SameDiffFixes.GradientPass pass = SameDiffFixes.gradientPass(sd, Map.of(), List.of(), variables)) {
            pass.gradients().forEach((name, gradient) -> copies.put(name, gradient.dup()));
        }
        return copies;
    }

    private static List<String> opNames(SameDiff sd) {
        return sd.getOps().values().stream().map(op -> op.getOp().opName()).toList();
    }
}
