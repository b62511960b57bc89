package bertadapt.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bertadapt.TinyModels;
import bertadapt.io.FileTrees;
import bertadapt.report.ExperimentReport;
import bertadapt.train.Adaptation;
import bertadapt.train.Trainer;
import bertadapt.weights.Checkpoint;
import bertadapt.weights.Tensor;

/** Grids on a tiny random BERT and a 40-pair Medical Question Pairs file written from the tiny vocabulary. */
class ExperimentRunnerTest {

    @TempDir
    Path dir;

    private static final Strategy BASELINE = Strategy.of(Strategy.Kind.BASELINE);
    private static final Strategy ADAPTIVE = Strategy.of(Strategy.Kind.ADAPTIVE);
    private static final Strategy BEHAVIOURAL = Strategy.of(Strategy.Kind.BEHAVIOURAL);
    private static final Strategy BOTH = Strategy.of(Strategy.Kind.ADAPTIVE_BEHAVIOURAL);

    /** mqp.csv as the registry reads it: 4 columns, no header; label 1 when both questions mention a cat. */
    private void writeDataset() throws IOException {
        List<String> words = TinyModels.VOCAB.subList(5, TinyModels.VOCAB.size() - 1);
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String first = words.get(i % words.size()) + " " + words.get((i * 3 + 1) % words.size()) + " cat .";
            String second = words.get((i * 7 + 2) % words.size()) + (i % 2 == 0 ? " cat " : " dog ") + words.get(i % 5) + " .";
            rows.add(i + ",\"" + first + "\",\"" + second + "\"," + (i % 2 == 0 ? 1 : 0));
        }
        Path folder = Files.createDirectories(dir.resolve("datasets/medical-question-pairs"));
        Files.write(folder.resolve("mqp.csv"), rows, StandardCharsets.UTF_8);
    }

    private ExperimentSpec spec(String strategies, String seeds, int modelLayers) throws IOException {
        writeDataset();
        TinyModels.write(dir.resolve("model"), TinyModels.config(0.1), 5);
        return ExperimentSpec.parse("""
                name: tiny
                model: model
                model_layers: %d
                dataset: medical-question-pairs
                datasets: datasets
                strategies: %s
                seeds: %s
                output: runs
                adaptation: {epochs: 1, batch_size: 8, max_length: 16, dupe_factor: 1, held_out: 0.2, learning_rate: 1e-3}
                task: {epochs: 2, batch_size: 8, max_length: 24, learning_rate: 1e-3, head_epochs: 2}
                """.formatted(modelLayers, strategies, seeds), dir, "tiny");
    }

    private static String run(ExperimentSpec spec) throws IOException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        new ExperimentRunner(spec, new PrintStream(log, true, StandardCharsets.UTF_8)).run();
        return log.toString(StandardCharsets.UTF_8);
    }

    @Test
    void strategiesStartFromTheRightModelAndTrainTheRightParts() throws IOException {
        ExperimentSpec spec = spec("[baseline, adaptive, behavioural, adaptive+behavioural]", "[1]", 1);
        String log = run(spec);

        Path truncated = spec.output().resolve("model-1-layers");
        Map<String, Tensor> start = encoder(truncated);
        assertEquals(1, Checkpoint.readConfig(truncated).numLayers());
        assertEquals(start, encoder(best(spec, 1, BASELINE)), "baseline leaves every encoder weight as it was");
        assertEquals(encoder(ExperimentRunner.adaptationFolder(spec, 1).resolve(Trainer.BEST_DIR)), encoder(best(spec, 1, ADAPTIVE)),
                "adaptive keeps the adapted encoder");
        assertNotEquals(start, encoder(ExperimentRunner.adaptationFolder(spec, 1).resolve(Trainer.BEST_DIR)), "adaptation trained");
        assertNotEquals(start, encoder(best(spec, 1, BEHAVIOURAL)), "behavioural trains the encoder");

        RunRecord adaptive = RunRecord.read(ExperimentRunner.runFolder(spec, 1, ADAPTIVE).resolve(ExperimentRunner.RUN_FILE));
        RunRecord both = RunRecord.read(ExperimentRunner.runFolder(spec, 1, BOTH).resolve(ExperimentRunner.RUN_FILE));
        RunRecord behavioural = RunRecord.read(ExperimentRunner.runFolder(spec, 1, BEHAVIOURAL).resolve(ExperimentRunner.RUN_FILE));
        assertEquals("seed-1/adaptation/best", both.startModel(), "adaptive+behavioural starts from the adapted model");
        assertEquals(both.startModel(), adaptive.startModel());
        assertEquals(adaptive.adaptation(), both.adaptation(), "one adaptation shared by both adaptive strategies");
        assertEquals("model-1-layers", behavioural.startModel());
        assertNull(behavioural.adaptation());
        assertEquals(1, count(log, "seed 1 adaptation: started"), "one adaptation per seed\n" + log);
        try (Stream<Path> files = Files.walk(spec.output())) {
            assertEquals(List.of(ExperimentRunner.adaptationFolder(spec, 1).resolve(Adaptation.REPORT_FILE)),
                    files.filter(file -> file.getParent().getFileName().toString().equals(ExperimentRunner.ADAPTATION_FOLDER)
                            && file.getFileName().toString().equals(Adaptation.REPORT_FILE)).toList());
        }

        assertEquals("adaptive+behavioural", both.strategy());
        assertEquals(List.of("0", "1"), both.labels());
        assertEquals("test", both.selectedOn());
        assertEquals(both.testGold().length, both.testPredictions().length);
        assertEquals(8, both.testGold().length, "20% of 40 pairs");
        assertEquals(both.testGold().length, Arrays.stream(both.testConfusion()).flatMapToInt(Arrays::stream).sum());
        assertTrue(both.test().keySet().containsAll(List.of("accuracy", "f1", "macro_f1")));
        assertEquals(List.of(RunRecord.ADAPTATION_PHASE, RunRecord.TASK_PHASE), List.copyOf(both.phases().keySet()));
        assertEquals(2 * 4, both.learningCurve().steps().size(), "2 epochs of 32 examples in batches of 8");
        assertEquals(2, both.learningCurve().evaluations().size());
        assertTrue(both.adaptation().after().containsKey("perplexity"));
        assertTrue(log.contains("seed 1 adaptive+behavioural: finished in"), log);

        String summary = Files.readString(spec.output().resolve(ExperimentReport.SUMMARY_MARKDOWN));
        for (String strategy : List.of("baseline", "adaptive", "behavioural", "adaptive+behavioural")) {
            assertTrue(summary.contains(strategy), "the report covers " + strategy + "\n" + summary);
        }
        assertTrue(Files.isRegularFile(spec.output().resolve(ExperimentReport.RESULTS_JSON)));
        assertTrue(Files.isRegularFile(spec.output().resolve(ExperimentReport.SUMMARY_CSV)));
    }

    @Test
    void aRerunKeepsFinishedRunsAndRedoesTheMissingOnes() throws IOException {
        ExperimentSpec spec = spec("[baseline, behavioural]", "[1]", 0);
        run(spec);
        Path baseline = ExperimentRunner.runFolder(spec, 1, BASELINE);
        Path behavioural = ExperimentRunner.runFolder(spec, 1, BEHAVIOURAL);
        FileTime baselineRun = modified(baseline.resolve(ExperimentRunner.RUN_FILE));
        FileTime baselineBest = modified(baseline.resolve(Trainer.BEST_DIR).resolve(Checkpoint.WEIGHTS));
        RunRecord behaviouralBefore = RunRecord.read(behavioural.resolve(ExperimentRunner.RUN_FILE));
        FileTime behaviouralBest = modified(behavioural.resolve(Trainer.BEST_DIR).resolve(Checkpoint.WEIGHTS));

        // Interrupted after training, before run.json: the rerun scores the finished checkpoint without training again.
        Files.delete(behavioural.resolve(ExperimentRunner.RUN_FILE));
        String log = run(spec);

        assertTrue(log.contains("seed 1 baseline: finished before, kept"), log);
        assertEquals(baselineRun, modified(baseline.resolve(ExperimentRunner.RUN_FILE)));
        assertEquals(baselineBest, modified(baseline.resolve(Trainer.BEST_DIR).resolve(Checkpoint.WEIGHTS)));
        RunRecord behaviouralAfter = RunRecord.read(behavioural.resolve(ExperimentRunner.RUN_FILE));
        assertEquals(behaviouralBest, modified(behavioural.resolve(Trainer.BEST_DIR).resolve(Checkpoint.WEIGHTS)));
        assertArrayEquals(behaviouralBefore.testPredictions(), behaviouralAfter.testPredictions());
        assertEquals(behaviouralBefore.learningCurve(), behaviouralAfter.learningCurve());
        JsonNode definition = new ObjectMapper().readTree(behavioural.resolve(Trainer.DEFINITION_FILE).toFile());
        assertTrue(definition.has("task") && definition.has("settings"), "the trainer's file beside the run record: " + definition);

        // A run lost entirely is trained again.
        FileTrees.deleteRecursively(baseline);
        log = run(spec);
        assertTrue(log.contains("seed 1 baseline: started"), log);
        assertTrue(log.contains("seed 1 behavioural: finished before, kept"), log);
        assertTrue(Files.isRegularFile(baseline.resolve(ExperimentRunner.RUN_FILE)));
    }

    @Test
    void aDescribedDatasetIsAdaptedOnItsUnlabelledTextsAndTitlesTheReport() throws IOException {
        writeDataset();
        TinyModels.write(dir.resolve("model"), TinyModels.config(0.1), 5);
        Path folder = dir.resolve("datasets/medical-question-pairs");
        Files.write(folder.resolve("more.csv"), List.of("0,the cat sat .,a dog ran .", "1,the big bird sang .,the mat .",
                "2,a small cat sat on the mat .,the dog barked ."));
        Files.writeString(folder.resolve("described.yaml"), """
                name: described-pairs
                header: false
                text: 1
                text_pair: 2
                label: 3
                splits: {train: mqp.csv, unlabelled: more.csv}
                """);
        ExperimentSpec spec = ExperimentSpec.parse("""
                model: model
                dataset: datasets/medical-question-pairs/described.yaml
                split_seed: 7
                strategies: [adaptive]
                seeds: [1]
                output: runs
                adaptation: {corpus: unlabelled, epochs: 1, batch_size: 2, max_length: 16, dupe_factor: 1, held_out: 0.5}
                task: {epochs: 1, batch_size: 8, max_length: 24, head_epochs: 1}
                """, dir, "described");

        run(spec);

        JsonNode adaptation = new ObjectMapper().readTree(
                ExperimentRunner.adaptationFolder(spec, 1).resolve(Adaptation.REPORT_FILE).toFile());
        assertEquals(6, adaptation.get("instances_per_epoch").asInt() + adaptation.get("held_out_instances").asInt(),
                "one sequence per text of the 3 unlabelled pairs, not of the 32 training pairs");
        assertTrue(Files.readString(spec.output().resolve(ExperimentReport.SUMMARY_MARKDOWN))
                .startsWith("# Experiment report: described-pairs (split seed 7)\n"));
    }

    @Test
    void layerDroppingKeepsTheBottomLayersWeights() throws IOException {
        Path original = TinyModels.write(dir.resolve("four"), TinyModels.config(0.0).withLayers(4), 9);
        Path truncated = LayerDropping.truncate(original, 2, dir.resolve("two"));
        assertEquals(2, Checkpoint.readConfig(truncated).numLayers());
        Map<String, Tensor> kept = Checkpoint.read(truncated).weights();
        Map<String, Tensor> all = Checkpoint.read(original).weights();
        assertFalse(kept.keySet().stream().anyMatch(name -> name.matches("bert\\.encoder\\.layer\\.[23]\\..*")));
        assertTrue(kept.keySet().stream().anyMatch(name -> name.startsWith("bert.encoder.layer.1.")));
        kept.forEach((name, tensor) -> assertArrayEquals(all.get(name).values(), tensor.values(), name));
        assertTrue(kept.keySet().containsAll(all.keySet().stream()
                .filter(name -> !name.matches("bert\\.encoder\\.layer\\.[23]\\..*")).toList()), "everything else is kept");
    }

    private static Path best(ExperimentSpec spec, long seed, Strategy strategy) {
        return ExperimentRunner.runFolder(spec, seed, strategy).resolve(Trainer.BEST_DIR);
    }

    /** The encoder's weights (bert.*), by name, as comparable lists of values. */
    private static Map<String, Tensor> encoder(Path model) throws IOException {
        Map<String, Tensor> out = new java.util.TreeMap<>();
        Checkpoint.read(model).weights().forEach((name, tensor) -> {
            if (name.startsWith("bert.")) {
                out.put(name, tensor);
            }
        });
        return out;
    }

    private static FileTime modified(Path file) throws IOException {
        return Files.getLastModifiedTime(file);
    }

    private static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
