package bertadapt.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import bertadapt.TinyModels;
import bertadapt.data.LabelVocabulary;
import bertadapt.data.Split;
import bertadapt.model.Bert;
import bertadapt.model.Freezing;
import bertadapt.model.Heads;
import bertadapt.model.Layers;
import bertadapt.model.SameDiffFixes;
import bertadapt.model.VectorOps;
import bertadapt.text.EncodedBatch;
import bertadapt.text.TextInput;

/** The trainer on a tiny random BERT and a toy task: "cat" texts are class 1. */
class TrainerTest {

    @TempDir
    Path dir;

    private static final String[] TEXTS = {"the cat sat", "a dog barked", "the big cat ran", "the bird sang", "a small cat",
            "the dog ran on the mat", "cats sat on a mat", "a big bird", "the small dog", "the cat sang", "a dog sat",
            "the mat", "a cat barked", "big dogs ran", "the small bird sang", "a cat sat on the mat"};

    private static ClassificationTask.Data data(int count) {
        List<TextInput> texts = new ArrayList<>();
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            String text = TEXTS[i % TEXTS.length];
            texts.add(TextInput.single(text));
            labels[i] = text.contains("cat") ? 1 : 0;
        }
        return new ClassificationTask.Data(texts, labels);
    }

    private ClassificationTask task(Path model, ClassificationTask.Options options, int trainExamples) throws IOException {
        return new ClassificationTask(model, options, LabelVocabulary.of(List.of("other", "cat")), data(trainExamples), data(8),
                Split.VALIDATION);
    }

    /** A trainer that stops, as if interrupted, after update {@code lastStep}. */
    private static Trainer stoppingAfter(long lastStep, TrainerSettings settings, Path outputDir) {
        return new Trainer(settings, outputDir).onUpdate((trainer, step, loss) -> {
            if (step == lastStep) {
                trainer.requestStop();
            }
        });
    }

    private static TrainerSettings settings() {
        return TrainerSettings.defaults().withLearningRate(1e-3).withEpochs(2);
    }

    @Test
    void accumulatedMicroBatchesGiveTheSameUpdateAsOneLargeBatch() throws IOException {
        Path model = TinyModels.write(dir.resolve("model"), TinyModels.config(0.0), 1);
        ClassificationTask.Options one = ClassificationTask.Options.fineTuning(2, 16, 8);
        ClassificationTask.Options two = ClassificationTask.Options.fineTuning(2, 16, 4);
        try (ClassificationTask large = task(model, one, 8); ClassificationTask small = task(model, two, 8)) {
            new Trainer(settings().withMaxSteps(1), dir.resolve("large")).fit(large);
            new Trainer(settings().withMaxSteps(1).withAccumulationSteps(2), dir.resolve("small")).fit(small);
            Map<String, INDArray> a = large.parameters();
            Map<String, INDArray> b = small.parameters();
            a.forEach((name, values) -> assertTrue(values.equalsWithEps(b.get(name), 1e-6), name));
        }
    }

    @Test
    void evaluationFreesTheArraysTheTrainingPassesCached() throws IOException {
        Path model = TinyModels.write(dir.resolve("model"), TinyModels.config(0.0), 1);
        try (ClassificationTask task = task(model, ClassificationTask.Options.fineTuning(2, 16, 8), 8)) {
            assertEvaluationFreesWhatTrainingCached(task);
        }
    }

    /** An evaluation hands the memory that the training passes keep for the next pass to the evaluation graph. */
    static void assertEvaluationFreesWhatTrainingCached(TrainingTask task) {
        SameDiff graph = task.layers().sd;
        graph.setLossVariables(task.lossName());
        SameDiffFixes.createGradFunction(graph);
        SameDiffFixes.gradientPass(graph, task.batches(0, 1).next().feed(), List.of(), task.trainable()).close();
        ArrayCacheMemoryMgr cache = (ArrayCacheMemoryMgr) graph.getFunction("grad").getSessions().values().iterator().next().getMmgr();
        List<INDArray> cached = cache.getArrays().values().stream().flatMap(List::stream).toList();
        assertFalse(cached.isEmpty(), "a training pass leaves its arrays in the cache for the next one");

        task.evaluate();

        assertTrue(cached.stream().allMatch(INDArray::wasClosed), "the evaluation freed what the training passes cached");
    }

    @Test
    void reportedTrainingTimeLeavesOutEvaluation() throws IOException {
        Path model = TinyModels.write(dir.resolve("model"), TinyModels.config(0.0), 1);
        try (ClassificationTask task = task(model, ClassificationTask.Options.fineTuning(2, 16, 8), 8)) {
            TrainingTask slowToEvaluate = new TrainingTask() {
                public Layers layers() {
                    return task.layers();
                }

                public String lossName() {
                    return task.lossName();
                }

                public List<String> trainable() {
                    return task.trainable();
                }

                public int batchesPerEpoch() {
                    return task.batchesPerEpoch();
                }

                public Iterator<Batch> batches(int epoch, long seed) {
                    return task.batches(epoch, seed);
                }

                public String evaluatedOn() {
                    return task.evaluatedOn();
                }

                public Map<String, Object> definition() {
                    return task.definition();
                }

                public Map<String, Double> evaluate() {
                    try {
                        Thread.sleep(3000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return task.evaluate();
                }

                public void saveModel(Path directory) throws IOException {
                    task.saveModel(directory);
                }

                public void loadModel(Path directory) throws IOException {
                    task.loadModel(directory);
                }
            };
            Trainer.Result result = new Trainer(settings().withMaxSteps(1), dir.resolve("run")).fit(slowToEvaluate);
            assertTrue(result.trainingSeconds() < 3, "one tiny update took " + result.trainingSeconds() + " s");
            assertEquals(8 / result.trainingSeconds(), result.examplesPerSecond(), 1e-9);
        }
    }

    @Test
    void resumedRunEndsWithTheSameParametersAsAnUninterruptedOne() throws IOException {
        Path model = TinyModels.write(dir.resolve("model"), TinyModels.config(0.1), 2);
        ClassificationTask.Options options = ClassificationTask.Options.fineTuning(2, 16, 4);
        TrainerSettings settings = settings().withEvaluation(2, "accuracy", false, 0);
        Map<String, INDArray> uninterrupted;
        try (ClassificationTask task = task(model, options, 12)) {
            Trainer.Result result = new Trainer(settings, dir.resolve("straight")).fit(task);
            assertEquals(6, result.steps(), "2 epochs of 3 batches");
            uninterrupted = copy(task.parameters());
        }
        Path resumed = dir.resolve("resumed");
        try (ClassificationTask task = task(model, options, 12)) {
            assertEquals(4, stoppingAfter(4, settings, resumed).fit(task).steps());
        }
        try (ClassificationTask task = task(model, options, 12)) {
            Trainer.Result result = new Trainer(settings, resumed).fit(task);
            assertEquals(6, result.steps());
            task.parameters().forEach((name, values) -> assertEquals(uninterrupted.get(name), values, name));
            assertEquals(3, result.evaluations().size(), "evaluations at steps 2, 4, 6");
            result.evaluations().forEach(evaluation -> assertEquals("validation", evaluation.get("split"), evaluation::toString));
        }
        assertTrue(Files.isDirectory(resumed.resolve("checkpoint-6")));
        assertFalse(Files.exists(resumed.resolve("checkpoint-2")), "only the last checkpoint is kept");
        assertTrue(Files.isRegularFile(resumed.resolve(Trainer.BEST_DIR).resolve("model.safetensors")));
        assertTrue(Files.readString(resumed.resolve(Trainer.BEST_DIR).resolve("labels.json")).contains("cat"));
        long metricLines = Files.readAllLines(resumed.resolve(Trainer.METRICS_FILE)).size();
        assertEquals(6 + 3, metricLines, "one line per update and per evaluation, none repeated by the resume");
    }

    @Test
    void aRunResumesOnlyWithTheDataAndSettingsItStartedWith() throws IOException {
        Path model = TinyModels.write(dir.resolve("model"), TinyModels.config(0.1), 2);
        ClassificationTask.Options options = ClassificationTask.Options.fineTuning(2, 16, 4);
        TrainerSettings settings = settings();
        Path run = dir.resolve("run");
        try (ClassificationTask task = task(model, options, 12)) {
            assertEquals(2, stoppingAfter(2, settings, run).fit(task).steps());
        }
        String started = Files.readString(run.resolve(Trainer.DEFINITION_FILE));

        try (ClassificationTask task = task(model, options, 12)) {
            IllegalArgumentException faster = assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(settings.withLearningRate(2e-3), run).fit(task));
            assertTrue(faster.getMessage().startsWith(run + " holds a run started with other settings (run-definition.json): "
                    + "settings.learning_rate was 0.001, is 0.002. Resume it with"), faster.getMessage());
        }
        try (ClassificationTask task = task(model, options, 10)) {
            IllegalArgumentException otherData = assertThrows(IllegalArgumentException.class,
                    () -> new Trainer(settings, run).fit(task));
            assertTrue(otherData.getMessage().contains("task.training_data was \""), otherData.getMessage());
            assertFalse(otherData.getMessage().contains("evaluation_data"), "the same evaluation examples");
        }
        assertEquals(started, Files.readString(run.resolve(Trainer.DEFINITION_FILE)));
        assertTrue(Files.isDirectory(run.resolve("checkpoint-2")), "a refused resume leaves the run as it was");

        TrainerSettings keepingMore = new TrainerSettings(settings.epochs(), settings.maxSteps(),
                settings.accumulationSteps(), settings.learningRate(), settings.warmupRatio(), settings.weightDecay(),
                settings.maxGradNorm(), settings.seed(), settings.evaluateEverySteps(), settings.metric(),
                settings.lowerIsBetter(), settings.patience(), 3, settings.warmupSteps());
        try (ClassificationTask task = task(model, options, 12)) {
            assertEquals(6, new Trainer(keepingMore, run).fit(task).steps(), "how many checkpoints are kept may change");
        }
    }

    @Test
    void headOnCachedFeaturesLearnsWhatTheFrozenEncoderGraphLearns() throws IOException {
        Path model = TinyModels.write(dir.resolve("model"), TinyModels.config(0.0), 3);
        ClassificationTask.Options cached = ClassificationTask.Options.frozenEncoder(2, 16, 4);
        ClassificationTask.Options uncached = new ClassificationTask.Options(2, Heads.ClassifierType.LINEAR, 16, 4, Freezing.NONE, true, false, 42);
        try (ClassificationTask a = task(model, cached, 12); ClassificationTask b = task(model, uncached, 12)) {
            Map<String, INDArray> before = copy(a.parameters());
            new Trainer(settings(), dir.resolve("cached")).fit(a);
            new Trainer(settings(), dir.resolve("uncached")).fit(b);
            Map<String, INDArray> pa = a.parameters();
            Map<String, INDArray> pb = b.parameters();
            for (String name : pa.keySet()) {
                if (name.startsWith("bert.")) {
                    assertEquals(before.get(name), pa.get(name), name + " is frozen");
                } else {
                    assertFalse(before.get(name).equals(pa.get(name)), name + " trains");
                }
                assertTrue(pa.get(name).equalsWithEps(pb.get(name), 1e-5), name);
            }
        }
    }

    /** A researcher's own head and loss: a bias-free linear layer with a squared-error loss on the class's one-hot vector. */
    private static final Heads.ClassifierHead SQUARED_ERROR_HEAD = (layers, pooled, hidden, dropout, numClasses) -> {
        var sd = layers.sd;
        var labels = sd.placeHolder(Heads.LABELS, DataType.INT, -1);
        var logits = sd.mmul(pooled, layers.weight("classifier.weight", numClasses, hidden), false, true, false).rename("logits");
        var probabilities = sd.nn.softmax("probabilities", logits, -1);
        var target = sd.oneHot(labels, numClasses, -1, 1.0, 0.0, logits.dataType());
        var loss = probabilities.sub(target).mul(probabilities.sub(target)).sum(1).mean().rename("squared_error");
        return new Heads.Classifier(labels, logits, probabilities, loss);
    };

    @Test
    void aCustomHeadAndLossTrainOnTheEncoderAndOnCachedFeatures() throws IOException {
        Path model = TinyModels.write(dir.resolve("model"), TinyModels.config(0.0), 6);
        for (boolean frozen : new boolean[] {false, true}) {
            var options = new ClassificationTask.Options(2, SQUARED_ERROR_HEAD, 16, 4, Freezing.NONE, frozen, frozen, 42);
            try (ClassificationTask task = task(model, options, 12)) {
                assertEquals("squared_error", task.lossName());
                Map<String, INDArray> before = copy(task.parameters());
                new Trainer(settings(), dir.resolve("custom-" + frozen)).fit(task);
                assertFalse(before.get("classifier.weight").equals(task.parameters().get("classifier.weight")), "the head trains");
                assertEquals(!frozen, !before.get("bert.pooler.dense.weight").equals(task.parameters().get("bert.pooler.dense.weight")),
                        "the encoder trains unless frozen");
            }
        }
    }

    @Test
    void batchesGroupSimilarLengthsAndCoverEveryExampleOnce() throws IOException {
        Path model = TinyModels.write(dir.resolve("model"), TinyModels.config(0.0), 4);
        try (ClassificationTask task = task(model, ClassificationTask.Options.fineTuning(2, 16, 4), 16)) {
            List<Integer> sizes = new ArrayList<>();
            task.batches(0, 7).forEachRemaining(batch -> sizes.add(batch.examples()));
            assertEquals(List.of(4, 4, 4, 4), sizes);
            List<String> first = new ArrayList<>();
            List<String> again = new ArrayList<>();
            task.batches(0, 7).forEachRemaining(batch -> first.add(batch.feed().get("input_ids").toString()));
            task.batches(0, 7).forEachRemaining(batch -> again.add(batch.feed().get("input_ids").toString()));
            assertEquals(first, again, "the same epoch and seed give the same batches");
        }
    }

    @Test
    void batchesArePaddedToAMultipleOf16TokensWithinTheMaximumLength() throws IOException {
        Path model = TinyModels.write(dir.resolve("model"), TinyModels.config(0.0), 4);
        for (int maxLength : new int[] {24, 10}) {
            try (ClassificationTask task = task(model, ClassificationTask.Options.fineTuning(2, maxLength, 4), 16)) {
                int expected = Math.min(EncodedBatch.SIZE_MULTIPLE, maxLength); // every text is under 10 tokens
                task.batches(0, 7).forEachRemaining(batch -> {
                    INDArray mask = batch.feed().get(Bert.ATTENTION_MASK);
                    assertEquals(expected, mask.size(1), "max length " + maxLength);
                    assertEquals(0, mask.getDouble(0, expected - 1), "the last position is padding");
                });
            }
        }
    }

    @Test
    void scheduleWarmsUpThenDecaysLinearly() {
        LearningRateSchedule schedule = LearningRateSchedule.withWarmupRatio(1.0, 0.1, 100);
        assertEquals(10, schedule.warmupSteps());
        assertEquals(0.0, schedule.at(0));
        assertEquals(0.5, schedule.at(5), 1e-12);
        assertEquals(1.0, schedule.at(10), 1e-12);
        assertEquals(0.5, schedule.at(55), 1e-12);
        assertEquals(0.0, schedule.at(100), 1e-12);
    }

    @Test
    void warmupGivenInStepsOverridesTheRatio() {
        LearningRateSchedule schedule = TrainerSettings.defaults().withLearningRate(1.0).withWarmupSteps(4).schedule(100);
        assertEquals(4, schedule.warmupSteps());
        assertEquals(0.5, schedule.at(2), 1e-12);
        assertEquals(10, TrainerSettings.defaults().schedule(100).warmupSteps(), "10% of 100 by default");
    }

    @Test
    void layerNormWeightWithZeroGradientDoesNotDecay() {
        Map<String, INDArray> parameters = Map.of(
                "bert.encoder.layer.0.output.LayerNorm.weight", Nd4j.ones(3),
                "bert.encoder.layer.0.output.dense.bias", Nd4j.ones(3),
                "bert.encoder.layer.0.output.dense.weight", Nd4j.ones(3));
        Map<String, INDArray> gradients = Map.of(
                "bert.encoder.layer.0.output.LayerNorm.weight", Nd4j.zeros(3),
                "bert.encoder.layer.0.output.dense.bias", Nd4j.zeros(3),
                "bert.encoder.layer.0.output.dense.weight", Nd4j.zeros(3));
        new AdamW(AdamW.Settings.bert(0.01)).step(parameters, gradients, 0.1);
        assertArrayEquals(new float[] {1, 1, 1}, parameters.get("bert.encoder.layer.0.output.LayerNorm.weight").toFloatVector());
        assertArrayEquals(new float[] {1, 1, 1}, parameters.get("bert.encoder.layer.0.output.dense.bias").toFloatVector());
        assertArrayEquals(new float[] {0.999f, 0.999f, 0.999f}, parameters.get("bert.encoder.layer.0.output.dense.weight").toFloatVector(), 1e-7f);
    }

    /* The first update of a warm-up has a rate of 0; ND4J's fused Adam op would replace that rate by epsilon. */
    @Test
    void adamWWithALearningRateOfZeroLeavesTheParametersAsTheyWere() {
        String weight = "bert.encoder.layer.0.output.dense.weight";
        INDArray parameter = Nd4j.createFromArray(0.5f, -1.25f, 2f);
        AdamW optimiser = new AdamW(AdamW.Settings.bert(0.1));
        optimiser.step(Map.of(weight, parameter), Map.of(weight, Nd4j.createFromArray(0.1f, -0.2f, 0.3f)), 0);
        assertArrayEquals(new double[] {0.5, -1.25, 2}, parameter.toDoubleVector(), 0);
    }

    /*
     * 40,003 elements: whole vectors and a last few one at a time, in two workers' blocks where there are two cores.
     * With the vector ops the update is one kernel; without them, ND4J's ops.
     */
    @ParameterizedTest(name = "vector ops {0}")
    @ValueSource(booleans = {true, false})
    void adamWFollowsPyTorchsFormulaOverSeveralSteps(boolean vectorOps) {
        String previous = System.setProperty(VectorOps.ENABLED_PROPERTY, Boolean.toString(vectorOps));
        try {
            String weight = "bert.encoder.layer.0.output.dense.weight";
            String bias = "bert.encoder.layer.0.output.dense.bias";
            Random random = new Random(3);
            int length = 40_003;
            double[] weightValues = random.doubles(length).map(x -> 4 * x - 2).toArray();
            double[] biasValues = random.doubles(length).map(x -> x - 0.5).toArray();
            Map<String, INDArray> parameters = Map.of(weight, Nd4j.createFromArray(weightValues).castTo(DataType.FLOAT),
                    bias, Nd4j.createFromArray(biasValues).castTo(DataType.FLOAT));
            assertEquals(vectorOps, VectorOps.updateInPlace(parameters.get(weight)), "which update runs");
            double[] learningRates = {1e-2, 5e-3, 2e-2};
            double decay = 0.1;
            AdamW optimiser = new AdamW(AdamW.Settings.bert(decay));
            double[][] moments = new double[4][length];
            for (int t = 0; t < learningRates.length; t++) {
                // gradients from 1e-8 to 1 in magnitude, so that epsilon matters for some elements and not others
                double[] gradient = random.doubles(length).map(x -> Math.signum(x - 0.5) * Math.pow(10, -8 * x)).toArray();
                INDArray gradientArray = Nd4j.createFromArray(gradient).castTo(DataType.FLOAT);
                optimiser.step(parameters, Map.of(weight, gradientArray, bias, gradientArray.dup()), learningRates[t]);
                double[] gradientAsFloats = gradientArray.toDoubleVector();
                referenceAdamW(weightValues, gradientAsFloats, moments[0], moments[1], t + 1, learningRates[t], decay);
                referenceAdamW(biasValues, gradientAsFloats, moments[2], moments[3], t + 1, learningRates[t], 0);
                assertArrayEquals(weightValues, parameters.get(weight).toDoubleVector(), 1e-6, "weight after step " + (t + 1));
                assertArrayEquals(biasValues, parameters.get(bias).toDoubleVector(), 1e-6, "bias after step " + (t + 1));
            }
        } finally {
            if (previous == null) {
                System.clearProperty(VectorOps.ENABLED_PROPERTY);
            } else {
                System.setProperty(VectorOps.ENABLED_PROPERTY, previous);
            }
        }
    }

    /** torch.optim.AdamW's update, element by element, in double precision (eps 1e-6 as BERT). */
    private static void referenceAdamW(double[] parameter, double[] gradient, double[] m, double[] v, int step,
                                       double learningRate, double decay) {
        for (int i = 0; i < parameter.length; i++) {
            parameter[i] *= 1 - learningRate * decay;
            m[i] = 0.9 * m[i] + 0.1 * gradient[i];
            v[i] = 0.999 * v[i] + 0.001 * gradient[i] * gradient[i];
            double mHat = m[i] / (1 - Math.pow(0.9, step));
            double vHat = v[i] / (1 - Math.pow(0.999, step));
            parameter[i] -= learningRate * mHat / (Math.sqrt(vHat) + 1e-6);
        }
    }

    private static Map<String, INDArray> copy(Map<String, INDArray> parameters) {
        Map<String, INDArray> out = new HashMap<>();
        parameters.forEach((name, values) -> out.put(name, values.dup()));
        return out;
    }
}
