package bertadapt.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.commons.math3.distribution.TDistribution;
import org.junit.jupiter.api.Test;

class WelchTestTest {

    @Test
    void matchesHandComputedStatistics() {
        // A = {0.80, 0.82, 0.84}: mean 0.82, sample variance (0.0004 + 0 + 0.0004) / 2 = 0.0004.
        // B = {0.70, 0.75, 0.80}: mean 0.75, sample variance (0.0025 + 0 + 0.0025) / 2 = 0.0025.
        // Squared standard error 0.0004/3 + 0.0025/3 = 0.0029/3; t = 0.07 / sqrt(0.0029/3) = 7 / sqrt(29/3) = 2.25143.
        // df = (29/3)^2 / ((4/3)^2 / 2 + (25/3)^2 / 2) = (841/9) / (641/18) = 1682/641 = 2.62402.
        WelchTest test = WelchTest.of(new double[] {0.80, 0.82, 0.84}, new double[] {0.70, 0.75, 0.80});

        assertTrue(test.defined());
        assertEquals(0.07, test.meanDifference(), 1e-12);
        assertEquals(7 / Math.sqrt(29.0 / 3), test.t(), 1e-9);
        assertEquals(2.25143, test.t(), 1e-5);
        assertEquals(1682.0 / 641, test.degreesOfFreedom(), 1e-9);
        assertEquals(2 * new TDistribution(1682.0 / 641).cumulativeProbability(-test.t()), test.pValue(), 1e-12);
        assertEquals(0.1224, test.pValue(), 1e-4);
    }

    @Test
    void matchesPublishedExample() {
        // Wikipedia, "Welch's t-test", example 1: t = -2.46, df = 24.99, two-sided p = 0.021.
        double[] a = {27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4};
        double[] b = {27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4};

        WelchTest test = WelchTest.of(a, b);

        assertEquals(-2.46, test.t(), 0.005);
        assertEquals(24.99, test.degreesOfFreedom(), 0.005);
        assertEquals(0.021, test.pValue(), 0.0005);
    }

    @Test
    void twoSidedPValueOfKnownTIsStudentsT() {
        // t = 2 with 10 degrees of freedom: tables give two-sided p = 0.0734. Samples built to have exactly those:
        // both of size 6 with the same variance make df = 10; the shift sets t.
        double[] a = {1, 2, 3, 4, 5, 6};
        double variance = 3.5;
        double shift = 2 * Math.sqrt(2 * variance / 6);
        double[] b = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i] - shift;
        }

        WelchTest test = WelchTest.of(a, b);

        assertEquals(2, test.t(), 1e-9);
        assertEquals(10, test.degreesOfFreedom(), 1e-9);
        assertEquals(2 * new TDistribution(10).cumulativeProbability(-2), test.pValue(), 1e-12);
        assertEquals(0.0734, test.pValue(), 1e-4);
    }

    @Test
    void oneSeedIsUndefinedWithAReason() {
        WelchTest test = WelchTest.of(new double[] {0.9}, new double[] {0.8, 0.82});

        assertFalse(test.defined());
        assertTrue(Double.isNaN(test.t()));
        assertTrue(Double.isNaN(test.pValue()));
        assertTrue(test.undefinedReason().contains("two seeds"), test.undefinedReason());
        assertEquals(0.09, test.meanDifference(), 1e-12);
    }

    @Test
    void zeroVarianceInBothIsUndefined() {
        WelchTest test = WelchTest.of(new double[] {0.9, 0.9}, new double[] {0.8, 0.8});

        assertFalse(test.defined());
        assertTrue(Double.isNaN(test.pValue()));
        assertTrue(test.undefinedReason().contains("zero variance"), test.undefinedReason());
    }

    @Test
    void zeroVarianceInOneTakesTheOthersDegreesOfFreedom() {
        // With var A = 0, df = (vB/nB)^2 / ((vB/nB)^2 / (nB - 1)) = nB - 1.
        WelchTest test = WelchTest.of(new double[] {0.9, 0.9, 0.9}, new double[] {0.8, 0.82, 0.84});

        assertTrue(test.defined());
        assertEquals(2, test.degreesOfFreedom(), 1e-9);
        assertTrue(test.pValue() < 0.05, "p = " + test.pValue());
    }

    @Test
    void meanAndSampleStd() {
        // Deviations from 4: -2, 0, 2 -> squares 8 over n - 1 = 2 -> variance 4, std 2.
        MeanStd summary = MeanStd.of(2, 4, 6);

        assertEquals(4, summary.mean(), 1e-12);
        assertEquals(2, summary.std(), 1e-12);
        assertEquals(3, summary.count());
        assertTrue(Double.isNaN(MeanStd.of(0.5).std()));
    }
}
