package bertadapt.train;

/**
 * Linear warm-up from 0 to the peak rate over {@code warmupSteps}, then linear decay to 0 at
 * {@code totalSteps}, as BERT's fine-tuning and Hugging Face's {@code get_linear_schedule_with_warmup}.
 */
public record LearningRateSchedule(double peak, long warmupSteps, long totalSteps) {

    public LearningRateSchedule {
        if (peak <= 0 || totalSteps <= 0 || warmupSteps < 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("learning rate schedule needs peak > 0 and 0 <= warmup_steps <= total_steps,"
                    + " got peak " + peak + ", warmup " + warmupSteps + ", total " + totalSteps);
        }
    }

    /** Warm-up over a fraction of the total steps (rounded up, as Hugging Face does). */
    public static LearningRateSchedule withWarmupRatio(double peak, double warmupRatio, long totalSteps) {
        if (warmupRatio < 0 || warmupRatio > 1) {
            throw new IllegalArgumentException("warmup_ratio is " + warmupRatio + ", expected a fraction in [0, 1]");
        }
        return new LearningRateSchedule(peak, (long) Math.ceil(warmupRatio * totalSteps), totalSteps);
    }

    /** The rate for the update with index {@code step} (0-based). */
    public double at(long step) {
        if (step < warmupSteps) {
            return peak * step / warmupSteps;
        }
        return peak * Math.max(0.0, (double) (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
    }
}
