package bertadapt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import bertadapt.model.Bert;
import bertadapt.model.BertConfig;
import bertadapt.model.Heads;
import bertadapt.weights.Checkpoint;

/** Tiny randomly initialised BERT model directories for tests: they load in milliseconds. */
public final class TinyModels {

    public static final List<String> VOCAB = List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
            "the", "cat", "sat", "on", "mat", ".", "a", "dog", "barked", "ran", "big", "small", "bird", "sang", "##s");

    private TinyModels() {
    }

    /** 2 layers, 32 hidden, 4 heads, 128 positions, with the given dropout on hidden states and attention. */
    public static BertConfig config(double dropout) {
        return new BertConfig(VOCAB.size(), 32, 2, 4, 64, 128, 2, 1e-12, dropout, dropout, 0.02);
    }

    /** Writes a model with random weights (MLM head included) and {@link #VOCAB} into {@code directory}. */
    public static Path write(Path directory, BertConfig config, long seed) throws IOException {
        Nd4j.getRandom().setSeed(seed);
        Bert bert = new Bert(config, DataType.FLOAT, false);
        Heads.maskedLm(bert);
        Files.createDirectories(directory.toAbsolutePath().getParent());
        Path vocab = Files.write(directory.resolveSibling(directory.getFileName() + "-vocab.txt"), VOCAB, StandardCharsets.UTF_8);
        Checkpoint.write(bert.parameters(), config, vocab, true, directory);
        return directory;
    }
}
