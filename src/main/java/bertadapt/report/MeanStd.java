package bertadapt.report;

/**
 * Mean and sample standard deviation (n - 1 in the denominator) of a value over seeds.
 *
 * @param std {@code NaN} with fewer than two values, where the sample standard deviation is undefined
 */
public record MeanStd(double mean, double std, int count) {

    public static MeanStd of(double... values) {
        if (values.length == 0) {
            return new MeanStd(Double.NaN, Double.NaN, 0);
        }
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        double mean = sum / values.length;
        return new MeanStd(mean, Math.sqrt(sampleVariance(values, mean)), values.length);
    }

    /** The sample variance; {@code NaN} for fewer than two values. */
    static double sampleVariance(double[] values, double mean) {
        if (values.length < 2) {
            return Double.NaN;
        }
        double squares = 0;
        for (double value : values) {
            squares += (value - mean) * (value - mean);
        }
        return squares / (values.length - 1);
    }
}
