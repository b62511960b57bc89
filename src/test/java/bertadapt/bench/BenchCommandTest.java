package bertadapt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bertadapt.cli.Main;
import picocli.CommandLine;

/** A smoke test of {@code bertadapt bench} on the smallest run; the numbers themselves are never tested. */
class BenchCommandTest {

    @TempDir
    Path temp;

    /** Runs {@code bertadapt bench} on tiny batches of 2 sequences of 16 tokens, expecting success; its standard output. */
    private static String bench(String... options) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.newCommandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        List<String> arguments = new ArrayList<>(List.of("bench", "--config", "tiny", "--batch", "2", "--length", "16", "--warmup", "1"));
        arguments.addAll(List.of(options));

        int exitCode = commandLine.execute(arguments.toArray(String[]::new));

        assertEquals(0, exitCode, () -> out + "\n" + err);
        return out.toString();
    }

    /** A run's printed table and the JSON it wrote with {@code --output}. */
    private record Run(String out, JsonNode result) {
    }

    /** {@link #bench} with {@code --output} to a file in {@link #temp}, read back. */
    private Run benchWithJson(String... options) throws IOException {
        Path json = temp.resolve("bench.json");
        List<String> arguments = new ArrayList<>(List.of(options));
        arguments.addAll(List.of("--output", json.toString()));
        String out = bench(arguments.toArray(String[]::new));
        return new Run(out, new ObjectMapper().readTree(json.toFile()));
    }

    @Test
    void tinyRunPrintsTheTableAndWritesEveryMeasure() throws IOException {
        Run run = benchWithJson("--steps", "1");
        String out = run.out();

        assertTrue(out.contains("train frozen-half"), out);
        assertTrue(out.contains("JIT s"), out);
        JsonNode result = run.result();
        for (String key : List.of("config", "parameters", "batch", "sgemm_gflops", "time_to_first_step_s", "peak_rss_mb",
                "train", "train_frozen_half", "inference")) {
            assertTrue(result.has(key), () -> "no " + key + " in " + result);
        }
        assertEquals("tiny", result.get("config").asText());
        assertEquals(1, result.get("inference_passes").asInt(), "as many inference passes as --steps by default");
        assertEquals(1, result.get("inference").get("step_s").get("all").size(), () -> "inference passes in " + result);
        assertTrue(result.get("dropout").asBoolean(), "BERT's dropout by default");
        String kernels = System.getenv("OPENBLAS_CORETYPE");
        assertEquals(kernels == null || kernels.isBlank() ? "auto" : kernels, result.get("openblas_kernels").asText());
        assertTrue(result.get("vector_ops").asBoolean(), "the tests' JVM has the Vector API: " + result);
        assertEquals(System.getProperty("org.bytedeco.openblas.load", "bundled"), result.get("openblas_library").asText());
        for (String phase : List.of("train", "train_frozen_half", "inference")) {
            JsonNode measures = result.get(phase);
            for (String key : List.of("seq_per_s", "gflops", "peak_rss_mb")) {
                assertTrue(measures.get(key).asDouble() > 0, () -> phase + "." + key + " in " + result);
            }
            JsonNode steps = measures.get("step_s");
            for (String key : List.of("median", "min", "max", "spread")) {
                assertTrue(steps.has(key), () -> phase + ".step_s." + key + " in " + result);
            }
            for (String key : List.of("all", "compiler", "cpu")) {
                assertEquals(1, steps.get(key).size(), () -> phase + ".step_s." + key + ": one value for the one step in " + result);
            }
            for (String key : List.of("compiler", "cpu")) {
                assertTrue(steps.get(key).get(0).asDouble() >= 0, () -> phase + ".step_s." + key + " in " + result);
            }
        }
    }

    @Test
    void profileSaysWhichOpsTookTheTrainingTime() throws IOException {
        Run run = benchWithJson("--steps", "2", "--profile");
        String out = run.out();

        assertTrue(out.contains("profiled training"), out);
        JsonNode profile = run.result().get("train_profile");
        double outside = profile.get("outside_ops_fraction").asDouble();
        assertTrue(outside > 0 && outside < 1, () -> "outside-ops fraction " + outside);
        List<String> ops = profile.get("ops").findValuesAsText("op");
        assertTrue(ops.containsAll(List.of("matmul", "bertadapt_head_product", "bertadapt_attention_softmax",
                "bertadapt_add_layer_norm_gradient")), () -> "ops " + ops);
        double opSeconds = 0;
        for (JsonNode op : profile.get("ops")) {
            opSeconds += op.get("s").asDouble();
        }
        assertEquals(profile.get("op_s").asDouble(), opSeconds, 1e-9);
        assertTrue(ops.contains("randomuniform"), () -> "dropout draws its masks: " + ops);
    }

    @Test
    void withoutDropoutTheGraphDrawsNoMasks() throws IOException {
        Run run = benchWithJson("--steps", "1", "--no-dropout", "--profile");

        assertTrue(run.out().contains("no dropout"), run.out());
        JsonNode result = run.result();
        assertFalse(result.get("dropout").asBoolean(), () -> "dropout in " + result);
        List<String> ops = result.get("train_profile").get("ops").findValuesAsText("op");
        assertFalse(ops.contains("randomuniform"), () -> "ops " + ops);
    }

    @Test
    void inferenceTimesAsManyPassesAsAsked() throws IOException {
        Run run = benchWithJson("--steps", "1", "--inference-passes", "3");

        assertTrue(run.out().contains("1 timed steps (3 inference passes)"), run.out());
        JsonNode result = run.result();
        assertEquals(3, result.get("inference_passes").asInt());
        assertEquals(3, result.get("inference").get("step_s").get("all").size(), () -> "inference in " + result);
        assertEquals(1, result.get("train").get("step_s").get("all").size(), () -> "training in " + result);
    }
}
