package bertadapt.experiment;

import java.util.List;
import java.util.Objects;

import bertadapt.model.Freezing;
import bertadapt.model.Heads;
import bertadapt.train.ClassificationTask;
import bertadapt.train.TrainerSettings;

/**
 * The {@code task} section of an experiment spec: how each strategy trains on the labelled task. {@link #DEFAULTS}
 * holds every default; {@code experiments/README.md} documents the keys.
 *
 * <p>The fine-tuning strategies (behavioural, adaptive+behavioural) use {@code epochs}, {@code max_steps} and
 * {@code learning_rate}. The frozen-encoder strategies (baseline, adaptive) train only a freshly initialised head
 * on cached features, which needs a far larger rate and more passes: they use {@code head_learning_rate} and
 * {@code head_epochs} instead.
 *
 * @param maxSteps         updates in all for fine-tuning; when > 0 it overrides {@code epochs}
 * @param batchSize        examples per update
 * @param microBatchSize   examples per forward pass, whose gradients are accumulated; 0 means {@code batchSize}
 * @param warmupSteps      updates warming up; when > 0 it overrides {@code warmupRatio}
 * @param freezeLayerCount {@link Freezing#NONE}, -1 (embeddings) or N (embeddings and layers 0..N-1), for the
 *                         fine-tuning strategies that carry no {@code [freeze=N]} variant of their own
 * @param metric           the validation metric that picks the best epoch ({@code loss}: lower is better)
 * @param patience         stop after this many evaluations without improvement; 0 never stops early
 */
public record TaskSpec(int epochs, long maxSteps, double learningRate, int batchSize, int microBatchSize, int maxLength,
                       double warmupRatio, long warmupSteps, double weightDecay, Heads.ClassifierHead head, int freezeLayerCount,
                       String metric, int patience, double headLearningRate, int headEpochs) {

    /** The metrics a classification run reports on its validation split, any of which may pick the best epoch. */
    public static final List<String> METRICS = List.of("accuracy", "f1", "macro_f1", "micro_f1",
            "precision", "recall", "macro_precision", "macro_recall", "loss");

    /**
     * BERT fine-tuning as Devlin et al. and Hugging Face's run_glue: 3 epochs at 2e-5, batch 32, 10% warm-up, decay
     * 0.01, a linear head, best accuracy; a head alone on cached features: 10 epochs at 1e-3.
     */
    public static final TaskSpec DEFAULTS = new TaskSpec(3, 0, 2e-5, 32, 0, 128, 0.1, 0, 0.01, Heads.ClassifierType.LINEAR,
            Freezing.NONE, "accuracy", 0, 1e-3, 10);

    public TaskSpec {
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(metric, "metric");
    }

    /** Examples per forward pass. */
    public int microBatch() {
        return microBatchSize == 0 ? batchSize : microBatchSize;
    }

    /** The freezing {@code strategy} runs with: its own {@code [freeze=N]}, else {@code freeze_layer_count}. */
    public int freezeLayerCount(Strategy strategy) {
        if (strategy.frozenEncoder()) {
            return Freezing.NONE;
        }
        return strategy.freezeLayerCount() != Freezing.NONE ? strategy.freezeLayerCount() : freezeLayerCount;
    }

    ClassificationTask.Options options(Strategy strategy, int numClasses, long seed) {
        boolean frozen = strategy.frozenEncoder();
        return new ClassificationTask.Options(numClasses, head, maxLength, microBatch(), freezeLayerCount(strategy), frozen,
                frozen, seed);
    }

    TrainerSettings trainerSettings(Strategy strategy, long seed) {
        TrainerSettings defaults = TrainerSettings.defaults();
        boolean headOnly = strategy.frozenEncoder();
        return new TrainerSettings(headOnly ? headEpochs : epochs, headOnly ? 0 : maxSteps, batchSize / microBatch(),
                headOnly ? headLearningRate : learningRate, warmupRatio, weightDecay, defaults.maxGradNorm(), seed, 0,
                metric, metric.equals("loss"), patience, defaults.keepCheckpoints(), warmupSteps);
    }

    /** The same task with another classification head: a built-in one or a researcher's own {@link Heads.ClassifierHead}. */
    public TaskSpec withHead(Heads.ClassifierHead newHead) {
        return new TaskSpec(epochs, maxSteps, learningRate, batchSize, microBatchSize, maxLength, warmupRatio, warmupSteps, weightDecay, newHead,
                freezeLayerCount, metric, patience, headLearningRate, headEpochs);
    }
}
