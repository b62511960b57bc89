package bertadapt.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class PairedBootstrapTest {

    private static final int EXAMPLES = 1000;
    private static final int RESAMPLES = 2000;

    @Test
    void identicalStrategiesAreNotSignificant() {
        int[] gold = gold(1);
        int[] predictions = withErrors(gold, 0, 300);

        PairedBootstrap test = PairedBootstrap.test(List.of(predictions), List.of(predictions.clone()), gold, RESAMPLES, 7);

        assertEquals(0, test.difference());
        assertEquals(1, test.pValue());
        assertEquals(0, test.lower95());
        assertEquals(0, test.upper95());
    }

    @Test
    void aClearlyBetterStrategyIsSignificant() {
        int[] gold = gold(2);
        // B misses examples 0..299, A only 0..99: A is right on 200 examples where B is wrong, never the reverse.
        int[] a = withErrors(gold, 0, 100);
        int[] b = withErrors(gold, 0, 300);

        PairedBootstrap test = PairedBootstrap.test(List.of(a), List.of(b), gold, RESAMPLES, 7);

        assertEquals(0.2, test.difference(), 1e-12);
        assertTrue(test.pValue() < 0.01, "p = " + test.pValue());
        // No resample can flip the sign, so p is its floor 2 / (B + 1).
        assertEquals(2.0 / (RESAMPLES + 1), test.pValue(), 1e-12);
        assertTrue(test.lower95() > 0.15 && test.upper95() < 0.25, test.lower95() + " .. " + test.upper95());
    }

    @Test
    void aFewDisagreementsAreNotSignificant() {
        int[] gold = gold(3);
        // A wins 3 examples, B wins 2, out of 1000: a 0.1-point gap well inside test-set noise.
        int[] a = withErrors(gold, 10, 12);
        int[] b = withErrors(gold, 0, 3);

        PairedBootstrap test = PairedBootstrap.test(List.of(a), List.of(b), gold, RESAMPLES, 7);

        assertEquals(0.001, test.difference(), 1e-12);
        assertTrue(test.pValue() > 0.3, "p = " + test.pValue());
    }

    @Test
    void comparesMeanOverSeedsAccuracy() {
        int[] gold = gold(4);
        // A's seeds: 90% and 80% correct (mean 85%); B's: 70% on all three (mean 70%).
        List<int[]> a = List.of(withErrors(gold, 0, 100), withErrors(gold, 0, 200));
        List<int[]> b = List.of(withErrors(gold, 0, 300), withErrors(gold, 300, 600), withErrors(gold, 700, 1000));

        PairedBootstrap test = PairedBootstrap.test(a, b, gold, RESAMPLES, 7);

        assertEquals(0.15, test.difference(), 1e-12);
        assertTrue(test.pValue() < 0.01, "p = " + test.pValue());
    }

    @Test
    void isDeterministicForASeedAndSymmetric() {
        int[] gold = gold(5);
        int[] a = noisy(gold, 0.2, 11);
        int[] b = noisy(gold, 0.21, 12);

        PairedBootstrap first = PairedBootstrap.test(List.of(a), List.of(b), gold, RESAMPLES, 99);
        PairedBootstrap again = PairedBootstrap.test(List.of(a), List.of(b), gold, RESAMPLES, 99);
        PairedBootstrap otherSeed = PairedBootstrap.test(List.of(a), List.of(b), gold, RESAMPLES, 100);
        PairedBootstrap swapped = PairedBootstrap.test(List.of(b), List.of(a), gold, RESAMPLES, 99);

        assertEquals(first, again);
        assertNotEquals(first.pValue(), otherSeed.pValue());
        // Same resampled indices with the sign flipped: the two-sided p-value cannot change.
        assertEquals(first.pValue(), swapped.pValue());
        assertEquals(-first.difference(), swapped.difference(), 1e-12);
    }

    private static int[] gold(long seed) {
        Random random = new Random(seed);
        int[] gold = new int[EXAMPLES];
        for (int i = 0; i < gold.length; i++) {
            gold[i] = random.nextInt(2);
        }
        return gold;
    }

    /** The gold labels with examples [from, to) predicted wrong. */
    private static int[] withErrors(int[] gold, int from, int to) {
        int[] predictions = gold.clone();
        for (int i = from; i < to; i++) {
            predictions[i] = 1 - gold[i];
        }
        return predictions;
    }

    private static int[] noisy(int[] gold, double errorRate, long seed) {
        Random random = new Random(seed);
        int[] predictions = gold.clone();
        for (int i = 0; i < predictions.length; i++) {
            if (random.nextDouble() < errorRate) {
                predictions[i] = 1 - gold[i];
            }
        }
        return predictions;
    }
}
