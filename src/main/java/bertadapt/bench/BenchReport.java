package bertadapt.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** A benchmark's result as a text table for people and as JSON for scripts ({@code bench/compare.sh}). */
public final class BenchReport {

    /** Kinds of op listed in the profile table; the JSON has them all. */
    private static final int PROFILE_ROWS = 15;

    private BenchReport() {
    }

    public static Map<String, Object> json(BertBenchmark.Result result, String shape, String weights) {
        BertBenchmark.Settings settings = result.settings();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("config", shape);
        json.put("weights", weights);
        json.put("parameters", result.parameters());
        json.put("batch", settings.batch());
        json.put("length", settings.length());
        json.put("masked", settings.masked());
        json.put("dropout", hasDropout(settings));
        json.put("steps", settings.steps());
        json.put("inference_passes", settings.inferencePasses());
        json.put("warmup", settings.warmup());
        json.put("threads", result.threads());
        json.put("openblas_kernels", result.openBlasKernels());
        json.put("openblas_library", result.openBlasLibrary());
        json.put("vector_ops", result.vectorOps());
        json.put("sgemm_gflops", result.sgemmGflops());
        json.put("graph_build_s", result.graphBuildSeconds());
        json.put("first_step_s", result.firstStepSeconds());
        json.put("time_to_first_step_s", result.timeToFirstStepSeconds());
        json.put("train", phase(result.training(), result, settings.batch()));
        json.put("inference", phase(result.inference(), result, settings.batch()));
        json.put("train_frozen_half", phase(result.frozenHalf(), result, settings.batch()));
        json.put("peak_rss_mb", result.peakResidentMb());
        result.profile().ifPresent(profile -> json.put("train_profile", profile(profile)));
        return json;
    }

    private static Map<String, Object> phase(BertBenchmark.Phase phase, BertBenchmark.Result result, int batch) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("seq_per_s", phase.times().sequencesPerSecond(batch));
        json.put("step_s", phase.times().asJson());
        json.put("gflop_per_step", phase.flopsPerStep() / 1e9);
        json.put("gflops", phase.times().gflops(phase.flopsPerStep()));
        json.put("sgemm_fraction", phase.times().gflops(phase.flopsPerStep()) / result.sgemmGflops());
        json.put("peak_rss_mb", phase.peakResidentMb());
        return json;
    }

    private static Map<String, Object> profile(BertBenchmark.TrainingProfile profile) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("step_s", profile.times().asJson());
        json.put("op_s", profile.ops().totalSeconds());
        json.put("op_calls", profile.ops().totalCalls());
        json.put("outside_ops_fraction", profile.outsideOpsFraction());
        json.put("ops", profile.ops().byTime().stream().map(op -> Map.of("op", op.op(), "calls", op.calls(), "s", op.seconds())).toList());
        return json;
    }

    public static String table(BertBenchmark.Result result, String shape, String weights) {
        BertBenchmark.Settings settings = result.settings();
        StringBuilder out = new StringBuilder();
        out.append(String.format("bench %s (%s weights, %,d parameters, %s): batch %d, length %d, %d masked, %d timed steps "
                        + "(%d inference passes) after %d warm-up, %d threads%n",
                shape, weights, result.parameters(), hasDropout(settings) ? "dropout" : "no dropout", settings.batch(),
                settings.length(), settings.masked(), settings.steps(), settings.inferencePasses(), settings.warmup(),
                result.threads()));
        out.append(String.format("time to first step %.2f s (graph %.2f s + first step %.2f s); sgemm %.1f GFLOP/s (OpenBLAS %s, kernels %s); vector ops %s; peak RSS %,d MB%n%n",
                result.timeToFirstStepSeconds(), result.graphBuildSeconds(), result.firstStepSeconds(), result.sgemmGflops(),
                result.openBlasLibrary(), result.openBlasKernels(), result.vectorOps() ? "on" : "off", result.peakResidentMb()));
        out.append(String.format("%-18s %9s %10s %8s %8s %7s %7s %9s %8s %10s%n",
                "phase", "seq/s", "median s", "min s", "max s", "spread", "JIT s", "GFLOP/s", "% sgemm", "peak MB"));
        row(out, "train", result.training(), result, settings.batch());
        row(out, "train frozen-half", result.frozenHalf(), result, settings.batch());
        row(out, "inference", result.inference(), result, settings.batch());
        result.profile().ifPresent(profile -> profileTable(out, profile, settings.steps()));
        return out.toString();
    }

    private static boolean hasDropout(BertBenchmark.Settings settings) {
        return settings.config().hiddenDropout() > 0 || settings.config().attentionDropout() > 0;
    }

    /** Where the profiled training steps spent their time: the longest kinds of op, and the rest outside ops. */
    private static void profileTable(StringBuilder out, BertBenchmark.TrainingProfile profile, int steps) {
        double total = profile.times().total();
        out.append(String.format("%nprofiled training: %.3f s per step, %d op calls per step, %.0f%% of the time outside ops%n",
                total / steps, profile.ops().totalCalls() / steps, 100 * profile.outsideOpsFraction()));
        out.append(String.format("%-28s %10s %10s %8s%n", "op", "calls/step", "s/step", "% step"));
        for (OpProfile.OpTime op : profile.ops().byTime().stream().limit(PROFILE_ROWS).toList()) {
            out.append(String.format("%-28s %10d %10.3f %8.1f%n", op.op(), op.calls() / steps, op.seconds() / steps,
                    100 * op.seconds() / total));
        }
    }

    private static void row(StringBuilder out, String name, BertBenchmark.Phase phase, BertBenchmark.Result result, int batch) {
        StepTimes times = phase.times();
        double gflops = times.gflops(phase.flopsPerStep());
        out.append(String.format("%-18s %9.2f %10.3f %8.3f %8.3f %7.2f %7.2f %9.1f %8.1f %,10d%n", name,
                times.sequencesPerSecond(batch), times.median(), times.min(), times.max(), times.spread(),
                times.compilerTotal(), gflops, 100 * gflops / result.sgemmGflops(), phase.peakResidentMb()));
    }
}
