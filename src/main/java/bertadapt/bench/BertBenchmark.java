package bertadapt.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import bertadapt.model.Bert;
import bertadapt.model.BertConfig;
import bertadapt.model.Freezing;
import bertadapt.model.Heads;
import bertadapt.model.SameDiffFixes;
import bertadapt.model.VectorOps;
import bertadapt.train.AdamW;
import bertadapt.weights.Checkpoint;

/**
 * Times BERT in SameDiff as {@code bench/pt_bert_bench.py} times it in PyTorch, in the same order: training of the
 * whole model (classifier + masked-LM loss), inference (encoder and pooler), then training with the embeddings and
 * the bottom half of the layers frozen. A training step is what {@code Trainer} does for one update: gradients
 * of the trainable parameters through a graph with the configuration's dropout, then AdamW.
 */
public final class BertBenchmark {

    /**
     * @param modelDirectory   a checkpoint to load the weights from, or null for random weights (same speed)
     * @param steps            timed steps of each training phase
     * @param inferencePasses  timed passes of the inference phase
     * @param warmup           untimed steps before each phase's timed ones; a training phase's first step is one of them
     * @param profile          after the timed training steps, run as many again with an {@link OpProfile} listening
     */
    public record Settings(BertConfig config, Path modelDirectory, int batch, int length, int masked, int steps,
                           int inferencePasses, int warmup, boolean profile) {
        public Settings {
            if (batch < 1 || steps < 1 || inferencePasses < 1 || warmup < 1 || masked < 1 || length < 2) {
                throw new IllegalArgumentException("batch, steps, inference passes, warmup and masked must be at least 1 "
                        + "and length at least 2");
            }
        }
    }

    /** One phase's timed steps, the FLOPs of one of its steps, and the process's peak memory when it ended. */
    public record Phase(StepTimes times, long flopsPerStep, long peakResidentMb) {
    }

    /**
     * @param vectorOps         whether the graph's softmax, LayerNorm, GELU and cross-entropy ran as {@link VectorOps}
     * @param graphBuildSeconds building the training graph and its gradient function (and loading weights)
     * @param firstStepSeconds  the first training step, which also sets up SameDiff's execution
     */
    public record Result(Settings settings, long parameters, int threads, String openBlasKernels, String openBlasLibrary,
                         boolean vectorOps, double sgemmGflops,
                         double graphBuildSeconds, double firstStepSeconds, Phase training, Phase inference, Phase frozenHalf,
                         Optional<TrainingProfile> profile) {

        public double timeToFirstStepSeconds() {
            return graphBuildSeconds + firstStepSeconds;
        }

        public long peakResidentMb() {
            return Math.max(training.peakResidentMb, Math.max(inference.peakResidentMb, frozenHalf.peakResidentMb));
        }
    }

    /** Whole-model training steps timed with an {@link OpProfile} listening: their wall time, and the ops' share of it. */
    public record TrainingProfile(StepTimes times, OpProfile ops) {

        /** The part of the steps' wall time spent outside the ops' native calls. */
        public double outsideOpsFraction() {
            return 1 - ops.totalSeconds() / times.total();
        }
    }

    /** The classes of the classifier head, as in the reference script. */
    public static final int CLASSES = 2;
    /** Side of the square matrices whose product measures the machine's sgemm rate. */
    private static final int SGEMM_SIZE = 2048;
    private static final double LEARNING_RATE = 1e-4;
    /** Distinct batches the steps cycle through, as in the reference script. */
    private static final int BATCHES = 4;

    private BertBenchmark() {
    }

    public static Result run(Settings settings) throws IOException {
        BertConfig config = settings.config();
        SplittableRandom random = new SplittableRandom(42);
        List<SyntheticBatch> batches = new ArrayList<>();
        for (int i = 0; i < BATCHES; i++) {
            batches.add(SyntheticBatch.draw(random, settings.batch(), settings.length(), settings.masked(), config.vocabSize(), CLASSES));
        }
        FlopCount flops = new FlopCount(config, settings.batch(), settings.length(), settings.masked(), CLASSES);

        long start = System.nanoTime();
        TrainingGraph model = new TrainingGraph(config, settings.modelDirectory());
        double buildSeconds = secondsSince(start);
        start = System.nanoTime();
        model.step(batches.get(0));
        double firstStepSeconds = secondsSince(start);
        StepTimes trainingTimes = model.time(batches, settings.warmup() - 1, settings.steps());
        Phase training = new Phase(trainingTimes, flops.trainingStep(), MachineMeasures.peakResidentMb());
        Optional<TrainingProfile> profile = settings.profile()
                ? Optional.of(model.profile(batches, settings.steps())) : Optional.empty();

        SameDiffFixes.freeArrays(model.bert.sd); // as the trainer does before it evaluates
        Phase inference = new Phase(timeInference(model.bert, batches, settings), flops.encoderForward(),
                MachineMeasures.peakResidentMb());

        int frozenLayers = config.numLayers() / 2;
        model.freezeBottom(frozenLayers);
        StepTimes frozenTimes = model.time(batches, settings.warmup(), settings.steps());
        Phase frozenHalf = new Phase(frozenTimes, flops.frozenTrainingStep(frozenLayers), MachineMeasures.peakResidentMb());

        // Measured last: at the start the JIT compiler's threads still take a core (2048 x 2048 products measured
        // 108-117 GFLOP/s there in some runs, 205-210 once the JVM had settled, on a 2-core machine).
        double sgemm = MachineMeasures.sgemmGflops(SGEMM_SIZE, 5);
        long parameters = model.bert.parameters().values().stream().mapToLong(INDArray::length).sum();
        return new Result(settings, parameters, MachineMeasures.threads(), MachineMeasures.openBlasKernels(),
                MachineMeasures.openBlasLibrary(), VectorOps.available(), sgemm,
                buildSeconds, firstStepSeconds, training, inference, frozenHalf, profile);
    }

    /** Encoder and pooler forward passes in a graph built for inference (no dropout), with the trained graph's weights. */
    private static StepTimes timeInference(Bert trained, List<SyntheticBatch> batches, Settings settings) {
        Bert bert = new Bert(trained.config, trained.dtype, false);
        Map<String, INDArray> weights = trained.parameters();
        bert.parameters().forEach((name, values) -> values.assign(weights.get(name)));
        String pooled = bert.pooledOutput.name();
        SyntheticBatch batch = batches.get(0); // one batch throughout, as the reference script infers
        for (int i = 0; i < settings.warmup(); i++) {
            bert.sd.output(batch.encoderFeed(bert), pooled);
        }
        StepTimes times = StepTimes.measure(settings.inferencePasses(), pass -> bert.sd.output(batch.encoderFeed(bert), pooled));
        SameDiffFixes.freeArrays(bert.sd);
        return times;
    }

    /** BERT with the configuration's dropout, the classifier and masked-LM heads, their summed loss, its gradient function and AdamW. */
    private static final class TrainingGraph {
        final Bert bert;
        final Heads.MaskedLm maskedLm;
        final Map<String, INDArray> parameters;
        List<String> trainable;
        AdamW optimiser;
        long steps;

        TrainingGraph(BertConfig config, Path modelDirectory) throws IOException {
            bert = new Bert(config, DataType.FLOAT, true);
            Heads.Classifier classifier = Heads.classifier(bert, CLASSES, Heads.ClassifierType.LINEAR);
            maskedLm = Heads.maskedLm(bert);
            SameDiff sd = bert.sd;
            String loss = classifier.loss().add(maskedLm.loss()).rename("loss").name();
            parameters = bert.parameters();
            if (modelDirectory != null) {
                Checkpoint.read(modelDirectory).loadInto(parameters);
            }
            sd.setLossVariables(loss);
            prepareTraining();
        }

        /**
         * Freezes the embeddings and the bottom layers; a new optimiser, as the reference script starts one. The old
         * optimiser's moments (twice the parameters) are freed at once rather than when the collector finds them.
         */
        void freezeBottom(int layers) {
            Freezing.freezeLayerCount(bert, layers);
            prepareTraining();
            SameDiffFixes.freeUnreachableArrays();
        }

        /** Freezing drops SameDiff's gradient function, so it is built again for the parameters that now train. */
        private void prepareTraining() {
            SameDiffFixes.createGradFunction(bert.sd);
            trainable = Freezing.trainable(bert);
            optimiser = new AdamW(AdamW.Settings.bert(0.01));
        }

        void step(SyntheticBatch batch) {
            bert.seedDropout(steps++);
            Map<String, INDArray> feed = batch.trainingFeed(bert, maskedLm);
            try (SameDiffFixes.GradientPass pass = SameDiffFixes.gradientPass(bert.sd, feed, List.of(), trainable)) {
                optimiser.step(parameters, pass.gradients(), LEARNING_RATE);
            }
        }

        TrainingProfile profile(List<SyntheticBatch> batches, int steps) {
            List<Listener> listeners = new ArrayList<>(bert.sd.getListeners());
            OpProfile ops = new OpProfile();
            bert.sd.addListeners(ops);
            try {
                return new TrainingProfile(time(batches, 0, steps), ops);
            } finally {
                bert.sd.setListeners(listeners);
            }
        }

        StepTimes time(List<SyntheticBatch> batches, int warmup, int timed) {
            for (int i = 0; i < warmup; i++) {
                step(batches.get(i % batches.size()));
            }
            return StepTimes.measure(timed, i -> step(batches.get(i % batches.size())));
        }
    }

    private static double secondsSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
