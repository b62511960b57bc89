package bertadapt.report;

import java.util.List;
import java.util.Objects;

import bertadapt.eval.ClassificationMetrics;

/**
 * One strategy trained with one seed and scored on the test set.
 *
 * @param predictions predicted class id per test example, in the same example order for every run of the experiment
 * @param goldLabels  gold class id per test example, the same array content for every run
 * @param adaptation  the masked-LM domain adaptation phase, or {@code null} for strategies without one
 */
public record RunResult(String strategy, long seed, TestMetrics test, int[] predictions, int[] goldLabels,
                        Phase fineTuning, Adaptation adaptation) {

    /**
     * Test-set scores; with two classes {@code f1} is that of class 1, otherwise the macro average
     * (as {@link ClassificationMetrics} defines it).
     *
     * @param confusion [gold][predicted] counts
     */
    public record TestMetrics(double accuracy, double f1, double macroF1, int[][] confusion) {

        public static TestMetrics of(ClassificationMetrics metrics) {
            return new TestMetrics(metrics.accuracy(), metrics.f1(), metrics.macroF1(), metrics.confusion());
        }
    }

    /**
     * One training phase: its wall time, throughput and learning curve.
     *
     * @param examplesPerSecond training sequences per second over the phase
     * @param validation        the validation metric (or held-out MLM loss for adaptation) at each evaluation
     */
    public record Phase(double seconds, double examplesPerSecond, List<LossPoint> trainLoss,
                        List<ValidationPoint> validation) {

        public Phase {
            trainLoss = List.copyOf(trainLoss);
            validation = List.copyOf(validation);
        }
    }

    /** Training loss after an optimizer step. */
    public record LossPoint(long step, double epoch, double loss) {
    }

    /** A validation score computed after an optimizer step. */
    public record ValidationPoint(long step, double epoch, double value) {
    }

    /** Domain adaptation by masked-LM training, with held-out MLM scores before and after it. */
    public record Adaptation(Phase phase, MaskedLmScores before, MaskedLmScores after) {

        public Adaptation {
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(before, "before");
            Objects.requireNonNull(after, "after");
        }
    }

    /** Masked-LM scores on held-out domain text: mean cross-entropy over masked tokens, its exp, and top-1 accuracy. */
    public record MaskedLmScores(double loss, double perplexity, double accuracy) {
    }

    public RunResult {
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(test, "test");
        Objects.requireNonNull(fineTuning, "fineTuning");
        if (predictions.length != goldLabels.length) {
            throw new IllegalArgumentException(strategy + " seed " + seed + ": " + predictions.length
                    + " predictions but " + goldLabels.length + " gold labels");
        }
    }
}
