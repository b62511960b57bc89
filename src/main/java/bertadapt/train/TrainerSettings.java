package bertadapt.train;

/**
 * How a {@link Trainer} runs. Defaults are those of BERT fine-tuning (Devlin et al.; Hugging Face's run_glue).
 *
 * @param epochs             passes over the training data
 * @param maxSteps           optimiser updates in all; when > 0 it overrides {@code epochs}
 * @param accumulationSteps  micro-batches whose gradients are averaged into one update
 * @param learningRate       peak learning rate
 * @param warmupRatio        fraction of the updates spent warming up linearly from 0
 * @param warmupSteps        updates spent warming up; when > 0 it overrides {@code warmupRatio}
 * @param weightDecay        decoupled decay of weight matrices and embeddings (not LayerNorm or biases)
 * @param maxGradNorm        clip the global gradient norm to this; 0 turns clipping off
 * @param seed               seeds data order, dropout and masking; the same seed repeats a run
 * @param evaluateEverySteps evaluate and checkpoint every this many updates; 0 means at the end of each epoch
 * @param metric             the validation metric that picks the best checkpoint and drives early stopping
 * @param lowerIsBetter      whether smaller values of {@code metric} are better (a loss, perplexity)
 * @param patience           stop after this many evaluations without improvement; 0 turns early stopping off
 * @param keepCheckpoints    checkpoints to keep besides the best; older ones are deleted
 */
public record TrainerSettings(int epochs, long maxSteps, int accumulationSteps, double learningRate, double warmupRatio,
                              double weightDecay, double maxGradNorm, long seed, int evaluateEverySteps, String metric,
                              boolean lowerIsBetter, int patience, int keepCheckpoints, long warmupSteps) {

    public TrainerSettings {
        require(epochs > 0 || maxSteps > 0, "epochs", epochs, "> 0 (or max_steps > 0)");
        require(accumulationSteps >= 1, "accumulation_steps", accumulationSteps, ">= 1");
        require(learningRate > 0, "learning_rate", learningRate, "> 0");
        require(warmupRatio >= 0 && warmupRatio <= 1, "warmup_ratio", warmupRatio, "in [0, 1]");
        require(weightDecay >= 0, "weight_decay", weightDecay, ">= 0");
        require(maxGradNorm >= 0, "max_grad_norm", maxGradNorm, ">= 0");
        require(evaluateEverySteps >= 0, "evaluate_every_steps", evaluateEverySteps, ">= 0");
        require(patience >= 0, "patience", patience, ">= 0");
        require(keepCheckpoints >= 1, "keep_checkpoints", keepCheckpoints, ">= 1");
        require(warmupSteps >= 0, "warmup_steps", warmupSteps, ">= 0");
    }

    /** 3 epochs at 2e-5 with 10% warm-up, weight decay 0.01, clipping at 1.0, picking the best accuracy. */
    public static TrainerSettings defaults() {
        return new TrainerSettings(3, 0, 1, 2e-5, 0.1, 0.01, 1.0, 42, 0, "accuracy", false, 0, 1, 0);
    }

    public TrainerSettings withEpochs(int value) {
        return new TrainerSettings(value, maxSteps, accumulationSteps, learningRate, warmupRatio, weightDecay, maxGradNorm,
                seed, evaluateEverySteps, metric, lowerIsBetter, patience, keepCheckpoints, warmupSteps);
    }

    public TrainerSettings withMaxSteps(long value) {
        return new TrainerSettings(epochs, value, accumulationSteps, learningRate, warmupRatio, weightDecay, maxGradNorm,
                seed, evaluateEverySteps, metric, lowerIsBetter, patience, keepCheckpoints, warmupSteps);
    }

    public TrainerSettings withAccumulationSteps(int value) {
        return new TrainerSettings(epochs, maxSteps, value, learningRate, warmupRatio, weightDecay, maxGradNorm,
                seed, evaluateEverySteps, metric, lowerIsBetter, patience, keepCheckpoints, warmupSteps);
    }

    public TrainerSettings withLearningRate(double value) {
        return new TrainerSettings(epochs, maxSteps, accumulationSteps, value, warmupRatio, weightDecay, maxGradNorm,
                seed, evaluateEverySteps, metric, lowerIsBetter, patience, keepCheckpoints, warmupSteps);
    }

    public TrainerSettings withSeed(long value) {
        return new TrainerSettings(epochs, maxSteps, accumulationSteps, learningRate, warmupRatio, weightDecay, maxGradNorm,
                value, evaluateEverySteps, metric, lowerIsBetter, patience, keepCheckpoints, warmupSteps);
    }

    public TrainerSettings withEvaluation(int everySteps, String metricName, boolean lower, int patienceEvaluations) {
        return new TrainerSettings(epochs, maxSteps, accumulationSteps, learningRate, warmupRatio, weightDecay, maxGradNorm,
                seed, everySteps, metricName, lower, patienceEvaluations, keepCheckpoints, warmupSteps);
    }

    public TrainerSettings withWarmupRatio(double value) {
        return new TrainerSettings(epochs, maxSteps, accumulationSteps, learningRate, value, weightDecay, maxGradNorm,
                seed, evaluateEverySteps, metric, lowerIsBetter, patience, keepCheckpoints, warmupSteps);
    }

    public TrainerSettings withWarmupSteps(long value) {
        return new TrainerSettings(epochs, maxSteps, accumulationSteps, learningRate, warmupRatio, weightDecay, maxGradNorm,
                seed, evaluateEverySteps, metric, lowerIsBetter, patience, keepCheckpoints, value);
    }

    /** The learning rate schedule of a run of {@code totalSteps} updates. */
    public LearningRateSchedule schedule(long totalSteps) {
        return warmupSteps > 0
                ? new LearningRateSchedule(learningRate, Math.min(warmupSteps, totalSteps), totalSteps)
                : LearningRateSchedule.withWarmupRatio(learningRate, warmupRatio, totalSteps);
    }

    /** Optimiser updates the run makes, given the micro-batches in an epoch. */
    public long totalSteps(int batchesPerEpoch) {
        if (maxSteps > 0) {
            return maxSteps;
        }
        return (long) epochs * Math.max(1, (batchesPerEpoch + accumulationSteps - 1) / accumulationSteps);
    }

    private static void require(boolean ok, String key, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException("trainer setting '" + key + "' is " + value + ", expected " + expected);
        }
    }
}
