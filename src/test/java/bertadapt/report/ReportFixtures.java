package bertadapt.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import bertadapt.eval.ClassificationMetrics;

/** Made-up but internally consistent experiment results: metrics are computed from the predictions. */
final class ReportFixtures {

    static final int EXAMPLES = 400;

    private ReportFixtures() {
    }

    /** baseline, adaptive, behavioural (one seed only) and adaptive+behavioural, with rising accuracy. */
    static ExperimentResults experiment(String task) {
        int[] gold = new int[EXAMPLES];
        Random labels = new Random(1);
        for (int i = 0; i < gold.length; i++) {
            gold[i] = labels.nextInt(2);
        }
        List<RunResult> runs = new ArrayList<>();
        for (long seed : new long[] {13, 42, 87}) {
            runs.add(run("baseline", seed, gold, 0.25, false));
            runs.add(run("adaptive", seed, gold, 0.20, true));
        }
        runs.add(run("behavioural", 13, gold, 0.12, false));
        for (long seed : new long[] {13, 42, 87}) {
            runs.add(run("adaptive+behavioural", seed, gold, 0.10, true));
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("task", task);
        config.put("learning_rate", 2e-5);
        config.put("seeds", List.of(13, 42, 87));
        config.put("comment", null);
        return new ExperimentResults(task, "accuracy", "validation", List.of("negative", "positive"), config,
                new EnvironmentInfo("0.1.0-test", "17", "test vendor", "CpuBackend", "Linux", "test CPU", 2,
                        1L << 32),
                runs);
    }

    private static RunResult run(String strategy, long seed, int[] gold, double errorRate, boolean adaptive) {
        Random random = new Random(seed * 31 + strategy.hashCode());
        int[] predictions = gold.clone();
        for (int i = 0; i < predictions.length; i++) {
            if (random.nextDouble() < errorRate) {
                predictions[i] = 1 - gold[i];
            }
        }
        ClassificationMetrics metrics = ClassificationMetrics.of(gold, predictions, 2);
        List<RunResult.LossPoint> loss = new ArrayList<>();
        List<RunResult.ValidationPoint> validation = new ArrayList<>();
        for (int step = 10; step <= 300; step += 10) {
            double epoch = step / 100.0;
            loss.add(new RunResult.LossPoint(step, epoch, 0.7 * Math.exp(-step / 150.0) + 0.05 * random.nextDouble()));
            if (step % 100 == 0) {
                validation.add(new RunResult.ValidationPoint(step, epoch, 1 - errorRate - 0.1 / epoch + 0.01 * random.nextGaussian()));
            }
        }
        RunResult.Phase fineTuning = new RunResult.Phase(120 + seed, 33.5, loss, validation);
        RunResult.Adaptation adaptation = adaptive
                ? new RunResult.Adaptation(new RunResult.Phase(600, 12.25, List.of(), List.of()),
                        new RunResult.MaskedLmScores(2.5, Math.exp(2.5), 0.52),
                        new RunResult.MaskedLmScores(2.0, Math.exp(2.0), 0.58))
                : null;
        return new RunResult(strategy, seed, RunResult.TestMetrics.of(metrics), predictions, gold, fineTuning, adaptation);
    }
}
