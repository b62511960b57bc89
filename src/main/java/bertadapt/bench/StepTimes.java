package bertadapt.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The timed steps of one benchmark phase: each step's wall-clock seconds, and what the process spent meanwhile, so
 * that a slow step can be told apart. Compiler seconds are the JIT compiler's threads' time: a step that ran during
 * compiles lost a core to the JVM's warm-up. CPU seconds are the whole process's (compiler included): a step that took
 * more of them for the same work ran on a slower CPU (other load on the machine), not a busier program.
 */
public record StepTimes(double[] seconds, double[] compilerSeconds, double[] cpuSeconds) {

    private static final CompilationMXBean COMPILER = ManagementFactory.getCompilationMXBean();

    public StepTimes {
        if (seconds.length == 0) {
            throw new IllegalArgumentException("no timed steps");
        }
        if (compilerSeconds.length != seconds.length || cpuSeconds.length != seconds.length) {
            throw new IllegalArgumentException("compiler and CPU seconds for " + compilerSeconds.length + " and "
                    + cpuSeconds.length + " steps, wall-clock seconds for " + seconds.length);
        }
        seconds = seconds.clone();
        compilerSeconds = compilerSeconds.clone();
        cpuSeconds = cpuSeconds.clone();
    }

    /** Runs {@code step.accept(i)} for i = 0 .. steps - 1 and times each call. */
    public static StepTimes measure(int steps, IntConsumer step) {
        double[] seconds = new double[steps];
        double[] compilerSeconds = new double[steps];
        double[] cpuSeconds = new double[steps];
        for (int i = 0; i < steps; i++) {
            double compilerBefore = compilerSecondsSoFar();
            double cpuBefore = cpuSecondsSoFar();
            long start = System.nanoTime();
            step.accept(i);
            seconds[i] = (System.nanoTime() - start) / 1e9;
            compilerSeconds[i] = compilerSecondsSoFar() - compilerBefore;
            cpuSeconds[i] = cpuSecondsSoFar() - cpuBefore;
        }
        return new StepTimes(seconds, compilerSeconds, cpuSeconds);
    }

    /** The JIT compiler threads' time so far, or NaN where the JVM does not keep it. */
    private static double compilerSecondsSoFar() {
        return COMPILER != null && COMPILER.isCompilationTimeMonitoringSupported()
                ? COMPILER.getTotalCompilationTime() / 1e3 : Double.NaN;
    }

    /**
     * The process's CPU time so far, all threads (in 10 ms clock ticks on the machines measured), or NaN where the JVM
     * does not report it.
     */
    private static double cpuSecondsSoFar() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long nanos = os.getProcessCpuTime();
            return nanos < 0 ? Double.NaN : nanos / 1e9;
        }
        return Double.NaN;
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

    /** max / min: how much the slowest step lost to the fastest (compiles, garbage collection, other load). */
    public double spread() {
        return max() / min();
    }

    /** The JIT compiler's seconds over all the timed steps. */
    public double compilerTotal() {
        return Arrays.stream(compilerSeconds).sum();
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
        json.put("compiler", compilerSeconds.clone());
        json.put("cpu", cpuSeconds.clone());
        return json;
    }
}
