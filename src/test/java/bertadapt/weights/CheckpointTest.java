package bertadapt.weights;

import static bertadapt.TestFiles.names;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import bertadapt.model.Bert;
import bertadapt.model.BertConfig;
import bertadapt.model.Heads;

/** Writing a model directory and reading it back into a graph, and what a bad directory says. */
class CheckpointTest {

    private static final BertConfig TINY = new BertConfig(12, 8, 2, 2, 12, 16, 2, 1e-12, 0.1, 0.1, 0.02);

    @TempDir
    Path dir;

    private Path vocab() throws IOException {
        List<String> tokens = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"));
        tokens.addAll(List.of("the", "cat", "sat", "on", "mat", "##s", "."));
        return Files.write(dir.resolve("vocab-source.txt"), tokens);
    }

    private static Bert tinyMaskedLm(long seed, BertConfig config) {
        Nd4j.getRandom().setSeed(seed);
        Bert bert = new Bert(config, DataType.FLOAT, false);
        Heads.maskedLm(bert);
        return bert;
    }

    @Test
    void writtenCheckpointLoadsBackIdentically() throws IOException {
        Bert original = tinyMaskedLm(1, TINY);
        Path model = dir.resolve("model");
        Checkpoint.write(original.parameters(), TINY, vocab(), false, model);

        Checkpoint read = Checkpoint.read(model);
        assertEquals(TINY, read.config());
        assertFalse(read.doLowerCase());
        Bert copy = tinyMaskedLm(2, read.config());
        WeightMatch match = read.loadInto(copy.parameters());
        assertEquals(List.of(), match.missing());
        assertEquals(List.of(), match.unused());
        original.parameters().forEach((name, values) -> assertEquals(values, copy.parameters().get(name), name));

        Map<String, INDArray> feed = original.inputs(1, 4, new int[] {2, 5, 6, 3}, new int[4], new int[] {1, 1, 1, 1});
        String out = original.sequenceOutput.name();
        assertEquals(original.sd.output(feed, out).get(out).dup(), copy.sd.output(feed, out).get(out));
    }

    @Test
    void newHeadIsReportedAsMissingAndKeepsItsInitialValues() throws IOException {
        Bert encoderOnly = new Bert(TINY, DataType.FLOAT, false);
        Path model = dir.resolve("encoder");
        Checkpoint.write(encoderOnly.parameters(), TINY, vocab(), true, model);
        Bert classifier = new Bert(TINY, DataType.FLOAT, false);
        Heads.classifier(classifier, 2, Heads.ClassifierType.LINEAR);
        INDArray initial = classifier.parameters().get("classifier.weight").dup();
        WeightMatch match = Checkpoint.read(model).loadInto(classifier.parameters());
        assertEquals(List.of("classifier.weight", "classifier.bias"), match.missing());
        assertEquals(initial, classifier.parameters().get("classifier.weight"));
    }

    @Test
    void shapeMismatchNamesEveryWeight() throws IOException {
        Path model = dir.resolve("model");
        Checkpoint.write(tinyMaskedLm(1, TINY).parameters(), TINY, vocab(), true, model);
        BertConfig wider = new BertConfig(12, 8, 2, 2, 16, 16, 2, 1e-12, 0.1, 0.1, 0.02);
        Bert other = tinyMaskedLm(1, wider);
        WeightMatch.ShapeMismatchException error = assertThrows(WeightMatch.ShapeMismatchException.class,
                () -> Checkpoint.read(model).loadInto(other.parameters()));
        assertTrue(error.getMessage().contains("bert.encoder.layer.0.intermediate.dense.weight: checkpoint [12, 8] vs model [16, 8]"),
                error.getMessage());
        assertEquals(6, error.mismatches().size(), "intermediate weight and bias, output weight, in 2 layers");
    }

    @Test
    void failedWriteKeepsThePreviousCheckpoint() throws IOException {
        Path model = dir.resolve("model");
        Checkpoint.write(tinyMaskedLm(1, TINY).parameters(), TINY, vocab(), true, model);
        byte[] weights = Files.readAllBytes(model.resolve(Checkpoint.WEIGHTS));
        assertThrows(IOException.class, () ->
                Checkpoint.write(tinyMaskedLm(2, TINY).parameters(), TINY, dir.resolve("no-such-vocab.txt"), true, model));
        assertTrue(Arrays.equals(weights, Files.readAllBytes(model.resolve(Checkpoint.WEIGHTS))));
        assertEquals(List.of("model", "vocab-source.txt"), names(dir), "no staging directory is left behind");
    }

    @Test
    void missingWeightsAndBadConfigAreNamed() throws IOException {
        Path model = Files.createDirectories(dir.resolve("model"));
        IOException noConfig = assertThrows(IOException.class, () -> Checkpoint.read(model));
        assertTrue(noConfig.getMessage().contains("config.json"), noConfig.getMessage());

        TINY.write(model.resolve(Checkpoint.CONFIG));
        IOException noWeights = assertThrows(IOException.class, () -> Checkpoint.read(model));
        assertTrue(noWeights.getMessage().contains(model.toString()) && noWeights.getMessage().contains("model.safetensors"),
                noWeights.getMessage());

        Files.writeString(model.resolve(Checkpoint.CONFIG), "{\"hidden_size\": 8, \"num_hidden_layers\": \"two\"}");
        IOException badField = assertThrows(IOException.class, () -> Checkpoint.read(model));
        assertTrue(badField.getMessage().contains("config.json") && badField.getMessage().contains("vocab_size"), badField.getMessage());

        Files.writeString(model.resolve(Checkpoint.CONFIG), "{\"vocab_size\": 12, \"hidden_size\": 8, \"num_hidden_layers\": 2,"
                + " \"num_attention_heads\": 3, \"intermediate_size\": 12, \"max_position_embeddings\": 16}");
        IOException heads = assertThrows(IOException.class, () -> Checkpoint.read(model));
        assertTrue(heads.getMessage().contains("num_attention_heads"), heads.getMessage());

        Files.writeString(model.resolve(Checkpoint.CONFIG), "{not json");
        IOException notJson = assertThrows(IOException.class, () -> Checkpoint.read(model));
        assertTrue(notJson.getMessage().contains("config.json"), notJson.getMessage());
    }

    @Test
    void corruptSafetensorsIsNamed() throws IOException {
        Path model = dir.resolve("model");
        Checkpoint.write(tinyMaskedLm(1, TINY).parameters(), TINY, vocab(), true, model);
        Path weights = model.resolve(Checkpoint.WEIGHTS);
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, Arrays.copyOf(bytes, bytes.length - 100));
        IOException error = assertThrows(IOException.class, () -> Checkpoint.read(model));
        assertTrue(error.getMessage().contains(weights.toString()), error.getMessage());
    }
}
