package bertadapt.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Tests every pair of strategies for a difference in test accuracy, in two complementary ways: a
 * {@link PairedBootstrap} over test examples (is the gap larger than the test set's sampling noise?) and a
 * {@link WelchTest} over seeds (is it larger than the variation between training runs?).
 */
public final class Significance {

    /**
     * Resamples used by the report: the smallest p-value it can show is 2 / 10,001 ≈ 0.0002, and one near 0.05 is
     * off by about ±0.003 (binomial standard error). Costs resamples × test examples random draws per pair.
     */
    public static final int DEFAULT_RESAMPLES = 10_000;
    public static final long DEFAULT_SEED = 20_240_601L;

    /**
     * The later strategy of the pair against the earlier one, so the first strategy (usually {@code baseline}) is
     * the reference of every comparison it is in.
     *
     * @param accuracyDifference mean-over-seeds accuracy of {@code strategy} minus that of {@code reference}
     */
    public record Comparison(String strategy, String reference, double accuracyDifference, PairedBootstrap bootstrap,
                             WelchTest welch) {
    }

    private Significance() {
    }

    /** Every pair of {@link ExperimentResults#strategies()}, in their order: (2, 1), (3, 1), (3, 2), ... */
    public static List<Comparison> compareAll(ExperimentResults results, int resamples, long seed) {
        List<String> strategies = results.strategies();
        List<Comparison> comparisons = new ArrayList<>();
        for (int later = 1; later < strategies.size(); later++) {
            for (int earlier = 0; earlier < later; earlier++) {
                comparisons.add(compare(results, strategies.get(later), strategies.get(earlier), resamples, seed));
            }
        }
        return comparisons;
    }

    /** {@code strategy} against {@code reference}. */
    public static Comparison compare(ExperimentResults results, String strategy, String reference, int resamples,
                                     long seed) {
        List<RunResult> runs = results.runsOf(strategy);
        List<RunResult> referenceRuns = results.runsOf(reference);
        if (runs.isEmpty() || referenceRuns.isEmpty()) {
            throw new IllegalArgumentException("no runs of " + (runs.isEmpty() ? strategy : reference));
        }
        // A seed per pair, from the names, so that adding a strategy leaves the other pairs' p-values as they were.
        long pairSeed = seed ^ (31L * strategy.hashCode() + reference.hashCode());
        PairedBootstrap bootstrap = PairedBootstrap.test(
                runs.stream().map(RunResult::predictions).toList(),
                referenceRuns.stream().map(RunResult::predictions).toList(),
                results.goldLabels(), resamples, pairSeed);
        WelchTest welch = WelchTest.of(accuracies(runs), accuracies(referenceRuns));
        return new Comparison(strategy, reference, welch.meanDifference(), bootstrap, welch);
    }

    private static double[] accuracies(List<RunResult> runs) {
        return runs.stream().mapToDouble(run -> run.test().accuracy()).toArray();
    }
}
