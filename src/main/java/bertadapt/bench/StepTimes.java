package bertadapt.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Wall-clock seconds of the timed steps of one benchmark phase. */
public record StepTimes(double[] seconds) {

    public StepTimes {
        if (seconds.length == 0) {
            throw new IllegalArgumentException("no timed steps");
        }
        seconds = seconds.clone();
    }

    public double total() {
        return Arrays.stream(seconds).sum();
    }

    public double median() {
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    public double min() {
        return Arrays.stream(seconds).min().orElseThrow();
    }

    public double max() {
        return Arrays.stream(seconds).max().orElseThrow();
    }

    /** max / min: how much the slowest step lost to the fastest (garbage collection, other load). */
    public double spread() {
        return max() / min();
    }

    public double sequencesPerSecond(int batch) {
        return seconds.length * batch / total();
    }

    /** Achieved GFLOP/s at {@code flopsPerStep} a step. */
    public double gflops(long flopsPerStep) {
        return seconds.length * (double) flopsPerStep / total() / 1e9;
    }

    Map<String, Object> asJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("median", median());
        json.put("min", min());
        json.put("max", max());
        json.put("spread", spread());
        json.put("all", seconds.clone());
        return json;
    }
}
