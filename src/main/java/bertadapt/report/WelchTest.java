package bertadapt.report;

import org.apache.commons.math3.distribution.TDistribution;

/**
 * Welch's unequal-variance t-test of the difference in means of two samples (a strategy's scores over seeds against
 * another's): t = (mean A - mean B) / sqrt(var A / n A + var B / n B), degrees of freedom by Welch–Satterthwaite,
 * two-sided p-value from Student's t distribution.
 *
 * @param undefinedReason why t and p are {@code NaN}, or {@code null} when the test is defined
 */
public record WelchTest(double meanDifference, double t, double degreesOfFreedom, double pValue,
                        String undefinedReason) {

    public static WelchTest of(double[] a, double[] b) {
        MeanStd summaryA = MeanStd.of(a);
        MeanStd summaryB = MeanStd.of(b);
        double difference = summaryA.mean() - summaryB.mean();
        if (a.length < 2 || b.length < 2) {
            return undefined(difference, "needs at least two seeds per strategy");
        }
        double standardErrorA = summaryA.std() * summaryA.std() / a.length;
        double standardErrorB = summaryB.std() * summaryB.std() / b.length;
        double squaredStandardError = standardErrorA + standardErrorB;
        if (squaredStandardError == 0) {
            return undefined(difference, "both strategies scored the same on every seed (zero variance)");
        }
        double t = difference / Math.sqrt(squaredStandardError);
        double degreesOfFreedom = squaredStandardError * squaredStandardError
                / (standardErrorA * standardErrorA / (a.length - 1) + standardErrorB * standardErrorB / (b.length - 1));
        // cdf(-|t|) rather than 1 - cdf(|t|), which loses small p-values to cancellation.
        double p = 2 * new TDistribution(degreesOfFreedom).cumulativeProbability(-Math.abs(t));
        return new WelchTest(difference, t, degreesOfFreedom, Math.min(1, p), null);
    }

    public boolean defined() {
        return undefinedReason == null;
    }

    private static WelchTest undefined(double difference, String reason) {
        return new WelchTest(difference, Double.NaN, Double.NaN, Double.NaN, reason);
    }
}
