package bertadapt.bench;

import java.util.Locale;

import bertadapt.model.BertConfig;

/**
 * The model sizes of the project's PyTorch reference script {@code bench/pt_bert_bench.py}, so that both
 * benchmark the same graph: BERT's vocabulary, 512 positions, 2 segments, and BERT's dropout.
 */
public enum BenchShape {
    TINY(128, 2, 2, 512),
    MINI(256, 4, 4, 1024),
    SMALL(512, 4, 8, 2048),
    BASE(768, 12, 12, 3072);

    /** BERT's uncased WordPiece vocabulary. */
    public static final int VOCAB_SIZE = 30522;

    private final int hidden;
    private final int layers;
    private final int heads;
    private final int intermediate;

    BenchShape(int hidden, int layers, int heads, int intermediate) {
        this.hidden = hidden;
        this.layers = layers;
        this.heads = heads;
        this.intermediate = intermediate;
    }

    public BertConfig config() {
        return new BertConfig(VOCAB_SIZE, hidden, layers, heads, intermediate, 512, 2, 1e-12, 0.1, 0.1, 0.02);
    }

    /** Whether a model (a checkpoint's config) has this size, whatever its vocabulary. */
    public boolean matches(BertConfig config) {
        return config.hiddenSize() == hidden && config.numLayers() == layers && config.numHeads() == heads
                && config.intermediateSize() == intermediate;
    }

    /** The name the command line and the PyTorch script use. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
