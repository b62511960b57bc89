package bertadapt.train;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import bertadapt.io.AtomicFiles;
import bertadapt.io.FileTrees;
import bertadapt.model.SameDiffFixes;

/**
 * Trains a {@link TrainingTask}: AdamW with decoupled weight decay, linear warm-up and decay, global-norm
 * clipping and gradient accumulation; evaluates every epoch (or every K updates), keeps the best model
 * and the last checkpoints, stops early, and resumes from its last checkpoint as if never stopped.
 *
 * <p>Output folder: {@code run-definition.json} (what the run was started with; it resumes only under the same),
 * {@code checkpoint-<step>/} (model, optimiser state, trainer state), {@code best/} (the best model),
 * {@code metrics.jsonl} (one JSON object per update, and one per evaluation naming the split it scored:
 * {@link TrainingTask#evaluatedOn}).
 */
public final class Trainer {

    /**
     * What a finished (or stopped) run reports.
     *
     * @param trainingSeconds   time spent in updates in this session, without evaluations and checkpoints
     * @param examplesPerSecond training examples per second of {@code trainingSeconds}
     */
    public record Result(long steps, double bestMetric, long bestStep, List<Map<String, Object>> evaluations,
                         double trainingSeconds, double examplesPerSecond, boolean stoppedEarly) {
    }

    /** Where a run is: the next update, and the next micro-batch of the current epoch. */
    record State(long step, int epoch, int microBatch, double bestMetric, long bestStep, int evaluationsWithoutImprovement,
                 List<Map<String, Object>> evaluations) {
        static State fresh(boolean lowerIsBetter) {
            return new State(0, 0, 0, lowerIsBetter ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY, -1, 0, new ArrayList<>());
        }
    }

    static final String STATE_FILE = "trainer_state.json";
    static final String OPTIMISER_FILE = "optimizer.safetensors";
    static final String MODEL_DIR = "model";
    public static final String BEST_DIR = "best";
    public static final String METRICS_FILE = "metrics.jsonl";
    /** What the run started with ({@link RunDefinition}); not {@code run.json}, which experiments write beside it. */
    public static final String DEFINITION_FILE = "run-definition.json";
    private static final String CHECKPOINT_PREFIX = "checkpoint-";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainerSettings settings;
    private final Path outputDir;
    private volatile boolean stopRequested;
    private final List<StepListener> listeners = new ArrayList<>();

    /** Called after every update, e.g. to stop a run from outside. */
    public interface StepListener {
        void afterUpdate(Trainer trainer, long step, double loss);
    }

    public Trainer(TrainerSettings settings, Path outputDir) {
        this.settings = settings;
        this.outputDir = outputDir;
    }

    public Trainer onUpdate(StepListener listener) {
        listeners.add(listener);
        return this;
    }

    /** Asks the run to stop after the current update; it writes a checkpoint it can resume from. */
    public void requestStop() {
        stopRequested = true;
    }

    /** Trains {@code task}, resuming from the newest checkpoint in the output folder if there is one. */
    public Result fit(TrainingTask task) throws IOException {
        Files.createDirectories(outputDir);
        int perEpoch = task.batchesPerEpoch();
        long totalSteps = settings.totalSteps(perEpoch);
        LearningRateSchedule schedule = settings.schedule(totalSteps);
        AdamW optimiser = new AdamW(AdamW.Settings.bert(settings.weightDecay()));
        Map<String, INDArray> parameters = task.layers().parameters();

        State state = State.fresh(settings.lowerIsBetter());
        Path resumeFrom = latestCheckpoint();
        RunDefinition definition = RunDefinition.of(task, settings);
        if (resumeFrom == null) {
            definition.write(outputDir);
        } else {
            definition.checkResumable(outputDir);
            task.loadModel(resumeFrom.resolve(MODEL_DIR));
            optimiser.load(resumeFrom.resolve(OPTIMISER_FILE), parameters);
            state = JSON.readValue(resumeFrom.resolve(STATE_FILE).toFile(), State.class);
            trimMetrics(state.step());
        }
        if (state.step() >= totalSteps) {
            return result(state, 0, 0, false);
        }

        SameDiff sd = task.layers().sd;
        sd.setLossVariables(task.lossName());
        SameDiffFixes.createGradFunction(sd);
        List<String> trainable = task.trainable();
        Gradients accumulated = new Gradients();
        UpdateClock clock = new UpdateClock();
        long examplesSeen = 0;
        boolean stoppedEarly = false;

        try (ProgressBar bar = progressBar(totalSteps, state.step());
             BufferedWriter metrics = Files.newBufferedWriter(outputDir.resolve(METRICS_FILE), StandardCharsets.UTF_8,
                     StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            training:
            for (int epoch = state.epoch(); settings.maxSteps() > 0 || epoch < settings.epochs(); epoch++) {
                Iterator<TrainingTask.Batch> batches = task.batches(epoch, settings.seed());
                int microBatch = 0;
                int skip = epoch == state.epoch() ? state.microBatch() : 0;
                for (; microBatch < skip && batches.hasNext(); microBatch++) {
                    batches.next();
                }
                double lossSum = 0;
                int examples = 0;
                int inUpdate = 0;
                while (batches.hasNext()) {
                    TrainingTask.Batch batch = batches.next();
                    microBatch++;
                    task.layers().seedDropout(dropoutSeed(state.step(), inUpdate));
                    try (SameDiffFixes.GradientPass result =
                                 SameDiffFixes.gradientPass(sd, batch.feed(), List.of(task.lossName()), trainable)) {
                        accumulated.add(result.gradients(), batch.examples());
                        lossSum += result.outputs().get(task.lossName()).getDouble(0) * batch.examples();
                    }
                    examples += batch.examples();
                    inUpdate++;
                    if (inUpdate < settings.accumulationSteps() && batches.hasNext()) {
                        continue;
                    }
                    Map<String, INDArray> gradients = accumulated.mean();
                    double gradientNorm = Gradients.clipGlobalNorm(gradients, settings.maxGradNorm());
                    double learningRate = schedule.at(state.step());
                    optimiser.step(parameters, gradients, learningRate);
                    SameDiffFixes.freeUnreachableArrays(); // arrays of this update that nothing references any more
                    double loss = lossSum / examples;
                    examplesSeen += examples;
                    state = new State(state.step() + 1, epoch, microBatch, state.bestMetric(), state.bestStep(),
                            state.evaluationsWithoutImprovement(), state.evaluations());
                    double seconds = clock.seconds();
                    writeLine(metrics, Map.of("step", state.step(), "epoch", epoch, "loss", loss, "learning_rate", learningRate,
                            "gradient_norm", gradientNorm, "examples_per_second", examplesSeen / seconds));
                    bar.stepTo(state.step());
                    bar.setExtraMessage(String.format("epoch %d loss %.4f lr %.2e %.1f ex/s", epoch + 1, loss, learningRate,
                            examplesSeen / seconds));
                    lossSum = 0;
                    examples = 0;
                    inUpdate = 0;
                    for (StepListener listener : listeners) {
                        listener.afterUpdate(this, state.step(), loss);
                    }
                    boolean last = state.step() >= totalSteps;
                    boolean evaluateNow = settings.evaluateEverySteps() > 0 && state.step() % settings.evaluateEverySteps() == 0;
                    if (evaluateNow || last || stopRequested) {
                        if (!batches.hasNext() && settings.evaluateEverySteps() == 0) {
                            state = endOfEpoch(state, epoch);
                        }
                        clock.pause();
                        state = evaluateAndCheckpoint(task, optimiser, state, metrics);
                        clock.resume();
                        stoppedEarly = patienceRunOut(state);
                        if (last || stopRequested || stoppedEarly) {
                            break training;
                        }
                    }
                }
                if (settings.evaluateEverySteps() == 0 && state.epoch() == epoch) {
                    clock.pause();
                    state = evaluateAndCheckpoint(task, optimiser, endOfEpoch(state, epoch), metrics);
                    clock.resume();
                    stoppedEarly = patienceRunOut(state);
                    if (stoppedEarly) {
                        break;
                    }
                }
            }
        }
        return result(state, clock.seconds(), examplesSeen, stoppedEarly);
    }

    /** Time spent in updates: evaluations and checkpoints are left out, so seq/s is the training throughput. */
    private static final class UpdateClock {
        private long counted;
        private long since = System.nanoTime();

        void pause() {
            counted += System.nanoTime() - since;
        }

        void resume() {
            since = System.nanoTime();
        }

        double seconds() {
            return (counted + System.nanoTime() - since) / 1e9;
        }
    }

    private static State endOfEpoch(State state, int epoch) {
        return new State(state.step(), epoch + 1, 0, state.bestMetric(), state.bestStep(), state.evaluationsWithoutImprovement(),
                state.evaluations());
    }

    private boolean patienceRunOut(State state) {
        return settings.patience() > 0 && state.evaluationsWithoutImprovement() >= settings.patience();
    }

    /** Dropout masks depend only on the seed and the position in the run, so a resumed run draws the same ones. */
    private long dropoutSeed(long step, int microBatch) {
        return new SplittableRandom(settings.seed() * 0x9E3779B97F4A7C15L + step * 1_000_003L + microBatch).nextLong();
    }

    private State evaluateAndCheckpoint(TrainingTask task, AdamW optimiser, State state, BufferedWriter metrics) throws IOException {
        Map<String, Double> scores = task.evaluate();
        Double score = scores.get(settings.metric());
        if (score == null) {
            throw new IllegalArgumentException("metric '" + settings.metric() + "' is not among the task's metrics " + scores.keySet());
        }
        boolean improved = settings.lowerIsBetter() ? score < state.bestMetric() : score > state.bestMetric();
        Map<String, Object> evaluation = new LinkedHashMap<>();
        evaluation.put("step", state.step());
        evaluation.put("epoch", state.epoch());
        evaluation.put("split", task.evaluatedOn());
        evaluation.putAll(scores);
        List<Map<String, Object>> evaluations = new ArrayList<>(state.evaluations());
        evaluations.add(evaluation);
        writeLine(metrics, evaluation);
        metrics.flush();
        State next = new State(state.step(), state.epoch(), state.microBatch(),
                improved ? score : state.bestMetric(), improved ? state.step() : state.bestStep(),
                improved ? 0 : state.evaluationsWithoutImprovement() + 1, evaluations);
        if (improved) {
            task.saveModel(outputDir.resolve(BEST_DIR));
        }
        writeCheckpoint(task, optimiser, next);
        return next;
    }

    /** Writes checkpoint-STEP into a staging folder first, so a crash never leaves a half-written checkpoint. */
    private void writeCheckpoint(TrainingTask task, AdamW optimiser, State state) throws IOException {
        Path target = outputDir.resolve(CHECKPOINT_PREFIX + state.step());
        FileTrees.writeDirectory(target, staging -> {
            task.saveModel(staging.resolve(MODEL_DIR));
            optimiser.save(staging.resolve(OPTIMISER_FILE));
            JSON.writerWithDefaultPrettyPrinter().writeValue(staging.resolve(STATE_FILE).toFile(), state);
        });
        List<Path> checkpoints = checkpoints();
        for (int i = 0; i < checkpoints.size() - settings.keepCheckpoints(); i++) {
            FileTrees.deleteRecursively(checkpoints.get(i));
        }
    }

    /** Complete checkpoints, oldest first. */
    private List<Path> checkpoints() throws IOException {
        try (Stream<Path> entries = Files.list(outputDir)) {
            return entries.filter(p -> p.getFileName().toString().startsWith(CHECKPOINT_PREFIX))
                    .filter(p -> Files.isRegularFile(p.resolve(STATE_FILE)))
                    .sorted(Comparator.comparingLong(Trainer::stepOf))
                    .toList();
        }
    }

    private Path latestCheckpoint() throws IOException {
        List<Path> checkpoints = checkpoints();
        return checkpoints.isEmpty() ? null : checkpoints.get(checkpoints.size() - 1);
    }

    private static long stepOf(Path checkpoint) {
        return Long.parseLong(checkpoint.getFileName().toString().substring(CHECKPOINT_PREFIX.length()));
    }

    /** Drops metric lines written after the checkpoint a run resumes from; they will be written again. */
    private void trimMetrics(long step) throws IOException {
        Path file = outputDir.resolve(METRICS_FILE);
        if (!Files.exists(file)) {
            return;
        }
        List<String> kept = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank() && JSON.readTree(line).path("step").asLong() <= step) {
                kept.add(line);
            }
        }
        AtomicFiles.writeText(file, writer -> {
            for (String line : kept) {
                writer.write(line);
                writer.write(System.lineSeparator());
            }
        });
    }

    private Result result(State state, double seconds, long examples, boolean stoppedEarly) {
        return new Result(state.step(), state.bestMetric(), state.bestStep(), state.evaluations(), seconds,
                seconds > 0 ? examples / seconds : 0, stoppedEarly);
    }

    private static ProgressBar progressBar(long totalSteps, long done) {
        return new ProgressBarBuilder().setTaskName("train").setInitialMax(totalSteps).startsFrom(done, java.time.Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
    }

    private static void writeLine(BufferedWriter out, Map<String, ?> values) throws IOException {
        out.write(JSON.writeValueAsString(values));
        out.newLine();
    }
}
