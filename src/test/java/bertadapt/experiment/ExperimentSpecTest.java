package bertadapt.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bertadapt.data.Splits;
import bertadapt.model.Freezing;
import bertadapt.model.Heads;
import bertadapt.pretrain.InstanceMode;

class ExperimentSpecTest {

    @TempDir
    Path dir;

    private ExperimentSpec parse(String yaml) {
        return ExperimentSpec.parse(yaml, dir, "spec");
    }

    private String error(String yaml) {
        return assertThrows(ExperimentSpecException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void reportEchoesTheSpecAsWrittenWithACustomHeadByItsClass() {
        ExperimentSpec spec = parse("dataset: mqp\nstrategies: [baseline, \"behavioural[freeze=2]\"]\ntask: {head: mlp}\n");
        Map<String, Object> echo = GridReport.config(spec);
        assertEquals(List.of("baseline", "behavioural[freeze=2]"), echo.get("strategies"));
        assertEquals("mlp", ((Map<?, ?>) echo.get("task")).get("head"));
        assertEquals("none", ((Map<?, ?>) echo.get("task")).get("freeze_layer_count"));
        assertEquals("stratified", ((Map<?, ?>) echo.get("subset")).get("draw"));

        Heads.ClassifierHead mine = (layers, pooled, hidden, dropout, classes) -> Heads.ClassifierType.LINEAR.build(layers, pooled,
                hidden, dropout, classes);
        Map<String, Object> custom = GridReport.config(spec.withTask(spec.task().withHead(mine)));
        assertEquals(mine.getClass().getName(), ((Map<?, ?>) custom.get("task")).get("head"));
    }

    @Test
    void missingKeysTakeTheDefaults() {
        ExperimentSpec spec = parse("dataset: mqp\n");
        assertEquals("spec", spec.name());
        assertEquals("bert-base-uncased", spec.model());
        assertEquals(0, spec.modelLayers());
        assertEquals(42, spec.splitSeed());
        assertEquals(ExperimentSpec.Subset.ALL, spec.subset());
        assertEquals(ExperimentSpec.DEFAULT_STRATEGIES, spec.strategies());
        assertEquals(List.of(1L, 2L, 3L), spec.seeds());
        assertEquals(dir.resolve("runs/spec"), spec.output());
        assertEquals(AdaptationSpec.DEFAULTS, spec.adaptation());
        assertEquals(TaskSpec.DEFAULTS, spec.task());
    }

    @Test
    void everyKeyIsRead() throws IOException {
        Files.writeString(dir.resolve("corpus.txt"), "the cat sat.\nthe dog ran.\n\na bird sang.\n");
        ExperimentSpec spec = parse("""
                name: x
                model_layers: 2
                dataset: medical-question-pairs
                datasets: data
                split_seed: 3
                subset: {train: 40, test: 20, draw: first}
                strategies: [baseline, "behavioural[freeze=-1]"]
                seeds: [7]
                output: /tmp/out
                adaptation: {corpus: corpus.txt, mode: nsp, epochs: 2, max_steps: 9, learning_rate: 1e-4, batch_size: 8,
                             max_length: 64, masking_probability: 0.2, max_predictions: 5, whole_word_masking: true,
                             dupe_factor: 2, held_out: 0.1, warmup_ratio: 0.0, warmup_steps: 3, weight_decay: 0}
                task: {epochs: 4, max_steps: 3, learning_rate: 3e-5, batch_size: 16, micro_batch_size: 4, max_length: 32,
                       warmup_ratio: 0.2, warmup_steps: 5, weight_decay: 0.1, head: mlp, freeze_layer_count: 6, metric: macro_f1,
                       patience: 2, head_learning_rate: 0.01, head_epochs: 5}
                """);
        assertEquals(dir.resolve("data"), spec.datasets());
        assertEquals(3, spec.splitSeed());
        assertEquals(new ExperimentSpec.Subset(40, 20, Splits.Draw.FIRST), spec.subset());
        assertEquals(List.of(Strategy.of(Strategy.Kind.BASELINE), new Strategy(Strategy.Kind.BEHAVIOURAL, -1)), spec.strategies());
        assertEquals(Path.of("/tmp/out"), spec.output());
        assertEquals(new AdaptationSpec(AdaptationSpec.CorpusSource.file(dir.resolve("corpus.txt")), InstanceMode.NEXT_SENTENCE,
                2, 9, 1e-4, 8, 64, 0.2, 5, true, 2, 0.1, 0.0, 3, 0), spec.adaptation());
        assertEquals(new TaskSpec(4, 3, 3e-5, 16, 4, 32, 0.2, 5, 0.1, Heads.ClassifierType.MLP, 6, "macro_f1", 2, 0.01, 5), spec.task());
        assertEquals(-1, spec.task().freezeLayerCount(spec.strategies().get(1)), "the variant overrides freeze_layer_count");
        assertEquals(Freezing.NONE, spec.task().freezeLayerCount(spec.strategies().get(0)));
        assertEquals(4, spec.task().trainerSettings(spec.strategies().get(1), 7).accumulationSteps());
        assertEquals(5, spec.task().trainerSettings(spec.strategies().get(1), 7).warmupSteps());
        assertEquals(3, spec.adaptation().trainerSettings(7).warmupSteps());
    }

    @Test
    void unknownKeysAreErrorsNamingThem() {
        assertTrue(error("dataset: mqp\nseed: [1]\n").startsWith("seed: unknown key"), "top level");
        assertTrue(error("dataset: mqp\ntask: {learning_rte: 1e-5}\n").startsWith("task.learning_rte: unknown key"), "nested");
        assertTrue(error("dataset: mqp\nsubset: {validation: 3}\n").startsWith("subset.validation: unknown key"));
        assertEquals("subset.draw: expected one of first, random, stratified, got \"top\"",
                error("dataset: mqp\nsubset: {train: 3, draw: top}\n"));
    }

    @Test
    void badValuesAreErrorsNamingKeyAndExpectation() {
        assertEquals("task.learning_rate: expected a number > 0, got \"fast\"", error("dataset: mqp\ntask: {learning_rate: fast}\n"));
        assertEquals("adaptation.epochs: expected an integer >= 1, got 1.5", error("dataset: mqp\nadaptation: {epochs: 1.5}\n"));
        assertTrue(error("dataset: mqp\ntask: {head: cnn}\n").startsWith("task.head: expected one of linear, mlp"));
        assertTrue(error("dataset: mqp\nstrategies: [baseline, finetune]\n").startsWith("strategies[1]: unknown strategy \"finetune\""));
        assertTrue(error("dataset: mqp\nstrategies: [\"baseline[freeze=2]\"]\n").startsWith("strategies[0]: baseline trains only a head"));
        assertTrue(error("dataset: mqp\nseeds: 1\n").startsWith("seeds: expected a non-empty list"));
        assertTrue(error("dataset: mqp\ntask: {batch_size: 32, micro_batch_size: 5}\n").startsWith("task.micro_batch_size: expected a divisor"));
        assertTrue(error("dataset: mrpc\nadaptation: {corpus: unlabelled}\n").startsWith("adaptation.corpus: \"unlabelled\" needs"));
        assertTrue(error("dataset: mqp\nadaptation: {corpus: nowhere.txt}\n").startsWith("adaptation.corpus: expected dataset-train"));
    }

    @Test
    void aMissingOrUnknownDatasetListsTheKnownOnes() {
        assertTrue(error("model: bert-base-cased\n").matches("dataset: required; known datasets: .*mrpc.*medical-question-pairs.*"));
        assertTrue(error("dataset: squad\n").matches("dataset: unknown dataset \"squad\"; known datasets: .*imdb.*description.*"));
    }

    @Test
    void aDatasetDescriptionIsFoundBesideTheSpecAndCheckedWhenTheSpecIsRead() throws IOException {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/train.csv"), "text,label\na,x\nb,y\n");
        Files.writeString(dir.resolve("data/more.csv"), "text\nc\n");
        Files.writeString(dir.resolve("data/mine.yaml"), "text: text\nlabel: label\nsplits: {train: train.csv}\n");
        Files.writeString(dir.resolve("data/with-more.yaml"),
                "text: text\nlabel: label\nsplits: {train: train.csv, unlabelled: more.csv}\n");

        assertEquals(dir.resolve("data/mine.yaml").toString(), parse("dataset: data/mine.yaml\n").dataset());
        assertEquals(AdaptationSpec.CorpusSource.unlabelled(),
                parse("dataset: data/with-more.yaml\nadaptation: {corpus: unlabelled}\n").adaptation().corpus());
        assertTrue(error("dataset: data/mine.yaml\nadaptation: {corpus: unlabelled}\n")
                .startsWith("adaptation.corpus: \"unlabelled\" needs a dataset with unlabelled text"));
        assertEquals("dataset: Dataset description " + dir.resolve("data/none.yaml") + " does not exist",
                error("dataset: data/none.yaml\n"));
        Files.writeString(dir.resolve("data/broken.yaml"), "text: text\nsplits: {train: train.csv}\n");
        assertEquals("dataset: " + dir.resolve("data/broken.yaml") + ": label: required: a column name or a 0-based position",
                error("dataset: data/broken.yaml\n"));
    }

    @Test
    void theShippedSpecsParse() throws IOException {
        List<Path> files;
        try (Stream<Path> entries = Files.list(Path.of("experiments"))) {
            files = entries.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertEquals(5, files.size(), files.toString());
        for (Path file : files) {
            ExperimentSpec spec = ExperimentSpec.read(file);
            assertEquals(ExperimentSpec.DEFAULT_STRATEGIES, spec.strategies(), file.toString());
        }
        ExperimentSpec quick = ExperimentSpec.read(Path.of(QuickExperiment.SPEC));
        assertEquals(Path.of("experiments/runs/quick").toAbsolutePath(), quick.output());
        assertEquals(AdaptationSpec.CorpusSource.unlabelled(), ExperimentSpec.read(Path.of(ImdbExperiment.SPEC)).adaptation().corpus());
    }
}
