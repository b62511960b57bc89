package bertadapt.report;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Paired bootstrap over test examples of the difference in mean-over-seeds accuracy between strategy A and B.
 *
 * <p>Each test example i gets, per strategy, the fraction of its seeds that classified it correctly; the statistic is
 * the mean over examples of A's fraction minus B's, which equals mean-over-seeds accuracy of A minus that of B. Each
 * resample draws n example indices with replacement (the same indices for both strategies, hence paired) and
 * recomputes the statistic. Seeds are not resampled: the test asks whether A's advantage holds over other test sets
 * drawn like this one, for these trained models; {@link WelchTest} over seeds covers training randomness.
 *
 * <p>p-value: inverting the percentile bootstrap interval, one-sided p-values are the fractions of resamples with a
 * difference ≤ 0 and ≥ 0, each as (count + 1) / (resamples + 1) so that a finite number of resamples never claims
 * p = 0; the two-sided p-value is twice the smaller, at most 1. Identical strategies give p = 1.
 *
 * @param difference   observed accuracy of A minus accuracy of B, as a fraction (0.021 = 2.1 points)
 * @param lower95      2.5th percentile of the resampled differences
 * @param upper95      97.5th percentile of the resampled differences
 */
public record PairedBootstrap(double difference, double lower95, double upper95, double pValue, int resamples,
                              long seed) {

    /**
     * @param predictionsA per seed of A, the predicted class of every test example
     * @param predictionsB the same for B
     * @param gold         the gold class of every test example
     */
    public static PairedBootstrap test(List<int[]> predictionsA, List<int[]> predictionsB, int[] gold, int resamples,
                                       long seed) {
        if (predictionsA.isEmpty() || predictionsB.isEmpty()) {
            throw new IllegalArgumentException("each strategy needs at least one run");
        }
        if (gold.length == 0) {
            throw new IllegalArgumentException("no test examples");
        }
        if (resamples < 1) {
            throw new IllegalArgumentException("resamples must be positive: " + resamples);
        }
        int seedsA = predictionsA.size();
        int seedsB = predictionsB.size();
        // Per example, (correct seeds of A) * seedsB - (correct seeds of B) * seedsA: the difference of the two
        // correct fractions scaled by seedsA * seedsB to an integer, so sums are exact and ties are exactly 0.
        long[] scaledDifference = new long[gold.length];
        int[] correctA = correctSeeds(predictionsA, gold);
        int[] correctB = correctSeeds(predictionsB, gold);
        long observed = 0;
        for (int i = 0; i < gold.length; i++) {
            scaledDifference[i] = (long) correctA[i] * seedsB - (long) correctB[i] * seedsA;
            observed += scaledDifference[i];
        }
        double scale = (double) gold.length * seedsA * seedsB;

        SplittableRandom random = new SplittableRandom(seed);
        long[] resampled = new long[resamples];
        int atMostZero = 0;
        int atLeastZero = 0;
        for (int r = 0; r < resamples; r++) {
            long sum = 0;
            for (int draw = 0; draw < gold.length; draw++) {
                sum += scaledDifference[random.nextInt(gold.length)];
            }
            resampled[r] = sum;
            if (sum <= 0) {
                atMostZero++;
            }
            if (sum >= 0) {
                atLeastZero++;
            }
        }
        Arrays.sort(resampled);
        double pLower = (atMostZero + 1.0) / (resamples + 1.0);
        double pUpper = (atLeastZero + 1.0) / (resamples + 1.0);
        return new PairedBootstrap(observed / scale,
                resampled[percentileIndex(0.025, resamples)] / scale,
                resampled[percentileIndex(0.975, resamples)] / scale,
                Math.min(1, 2 * Math.min(pLower, pUpper)), resamples, seed);
    }

    private static int[] correctSeeds(List<int[]> predictionsPerSeed, int[] gold) {
        int[] correct = new int[gold.length];
        for (int[] predictions : predictionsPerSeed) {
            if (predictions.length != gold.length) {
                throw new IllegalArgumentException(predictions.length + " predictions for " + gold.length + " test examples");
            }
            for (int i = 0; i < gold.length; i++) {
                if (predictions[i] == gold[i]) {
                    correct[i]++;
                }
            }
        }
        return correct;
    }

    private static int percentileIndex(double fraction, int count) {
        return Math.min(count - 1, Math.max(0, (int) Math.ceil(fraction * count) - 1));
    }
}
