package bertadapt.model;

import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BERT (Devlin et al. 2019) as a SameDiff graph: embeddings, a stack of Transformer encoder layers
 * and the pooler. Heads and their losses are in {@link Heads}.
 *
 * <p>Variables carry the parameter names of Hugging Face's {@code BertForPreTraining}, with the same
 * shapes (a linear weight is [out, in]); those names are the contract with every checkpoint.
 *
 * <p>Shape legend: B = batch size, T = sequence length (both vary from batch to batch),
 * H = hidden size, N = attention heads, D = H / N, I = intermediate size, V = vocabulary size.
 * Token rows are kept flat as [B*T, H] between layers, so every dense layer is one matrix product.
 *
 * <p>Dropout is part of the graph only when it is built for training; an inference graph has none.
 */
public final class Bert {

    public static final String INPUT_IDS = "input_ids";
    public static final String TOKEN_TYPE_IDS = "token_type_ids";
    public static final String ATTENTION_MASK = "attention_mask";

    /** The graph's building blocks and parameter registry, shared with the heads. */
    public final Layers layers;
    public final SameDiff sd;
    public final BertConfig config;
    public final DataType dtype;
    public final boolean training;

    /** [B, T] token ids. */
    public final SDVariable inputIds;
    /** [B, T] segment ids, 0 for the first text and 1 for the second. */
    public final SDVariable tokenTypeIds;
    /** [B, T] 1 for real tokens, 0 for padding. */
    public final SDVariable attentionMask;

    /** [B*T, H] after the embedding LayerNorm. */
    public final SDVariable embeddingOutput;
    /** [B*T, H] output of each encoder layer, bottom first. */
    public final List<SDVariable> layerOutputs;
    /** [B*T, H] output of the last encoder layer. */
    public final SDVariable sequenceOutput;
    /** [B, H] tanh(dense(hidden state of [CLS])). */
    public final SDVariable pooledOutput;

    /** [2] holding (B, T), for reshapes whose batch and length are known only at run time. */
    private final SDVariable batchAndLength;

    /** Builds the encoder and pooler; {@code training} adds dropout. */
    public Bert(BertConfig config, DataType dtype, boolean training) {
        this.layers = new Layers(dtype, training, config.initializerRange());
        this.sd = layers.sd;
        this.config = config;
        this.dtype = dtype;
        this.training = training;
        inputIds = sd.placeHolder(INPUT_IDS, DataType.INT, -1, -1);
        tokenTypeIds = sd.placeHolder(TOKEN_TYPE_IDS, DataType.INT, -1, -1);
        attentionMask = sd.placeHolder(ATTENTION_MASK, dtype, -1, -1);
        batchAndLength = sd.shape(inputIds).castTo(DataType.LONG);

        embeddingOutput = embeddings();
        SDVariable attentionBias = attentionBias();
        List<SDVariable> outputs = new ArrayList<>();
        SDVariable x = embeddingOutput;
        for (int layer = 0; layer < config.numLayers(); layer++) {
            x = transformerLayer(layer, x, attentionBias);
            outputs.add(x);
        }
        layerOutputs = Collections.unmodifiableList(outputs);
        sequenceOutput = x.rename("sequence_output");
        pooledOutput = pooler(sequenceOutput);
    }

    /**
     * The graph's inputs for a batch of B sequences of length T, as flat row-major arrays.
     * Extra placeholders (labels, masked positions) are added by the caller.
     */
    public Map<String, INDArray> inputs(int batch, int length, int[] inputIds, int[] tokenTypeIds, int[] attentionMask) {
        if (length > config.maxPositions()) {
            throw new IllegalArgumentException("sequences of " + length + " tokens are longer than the model's "
                    + config.maxPositions() + " positions (max_position_embeddings): use a max length of at most " + config.maxPositions());
        }
        Map<String, INDArray> feed = new HashMap<>();
        feed.put(INPUT_IDS, Nd4j.createFromArray(inputIds).reshape(batch, length));
        feed.put(TOKEN_TYPE_IDS, Nd4j.createFromArray(tokenTypeIds).reshape(batch, length));
        feed.put(ATTENTION_MASK, Nd4j.createFromArray(attentionMask).reshape(batch, length).castTo(dtype));
        return feed;
    }

    /** Restarts the sequence dropout masks are drawn from; the same seed gives the same masks. */
    public void seedDropout(long seed) {
        layers.seedDropout(seed);
    }

    /** Word + position + segment embeddings, LayerNorm and dropout: [B*T, H]. */
    private SDVariable embeddings() {
        int h = config.hiddenSize();
        String p = "bert.embeddings.";
        SDVariable wordTable = weight(p + "word_embeddings.weight", config.vocabSize(), h);   // [V, H]
        SDVariable positionTable = weight(p + "position_embeddings.weight", config.maxPositions(), h); // [P, H]
        SDVariable typeTable = weight(p + "token_type_embeddings.weight", config.typeVocabSize(), h);  // [2, H]

        SDVariable flatIds = inputIds.reshape(-1);                                              // [B*T]
        SDVariable flatTypes = tokenTypeIds.reshape(-1);                                        // [B*T]
        SDVariable length = sd.sizeAt(inputIds, 1);                                             // T
        SDVariable positionIds = sd.range(sd.constant(0), length, sd.constant(1), DataType.INT); // [T]

        SDVariable words = SameDiffFixes.gather(sd, "word_vectors", wordTable, flatIds);         // [B*T, H]
        SDVariable types = SameDiffFixes.gather(sd, "type_vectors", typeTable, flatTypes);       // [B*T, H]
        SDVariable positions = SameDiffFixes.gather(sd, "position_vectors", positionTable, positionIds); // [T, H]

        SDVariable x = sd.reshape(words.add(types), withHidden(h)).add(positions);              // [B, T, H]
        x = x.reshape(-1, h);                                                                   // [B*T, H]
        x = layerNorm(p + "LayerNorm", x);                                                      // [B*T, H]
        return dropout(x, config.hiddenDropout()).rename("embedding_output");
    }

    /** 0 where a key is a real token and -10000 where it is padding, as Google's code: [B, 1, 1, T]. */
    private SDVariable attentionBias() {
        SDVariable mask = sd.expandDims(sd.expandDims(attentionMask, 1), 1);                    // [B, 1, 1, T]
        return mask.rsub(1.0).mul(-10000.0);                                                    // [B, 1, 1, T]
    }

    /** One encoder layer: self-attention and a feed-forward block, each with a residual and LayerNorm. */
    private SDVariable transformerLayer(int layer, SDVariable x, SDVariable attentionBias) {
        String p = "bert.encoder.layer." + layer + ".";
        int h = config.hiddenSize();
        SDVariable context = selfAttention(p + "attention.self.", x, attentionBias);            // [B*T, H]
        SDVariable attended = dense(p + "attention.output.dense", context, h, h);                     // [B*T, H]
        attended = dropout(attended, config.hiddenDropout());                                   // [B*T, H]
        attended = addAndNorm(p + "attention.output.LayerNorm", attended, x);                   // [B*T, H]

        SDVariable intermediate = SameDiffFixes.gelu(dense(p + "intermediate.dense", attended, h, config.intermediateSize())); // [B*T, I]
        SDVariable output = dense(p + "output.dense", intermediate, config.intermediateSize(), h);                            // [B*T, H]
        output = dropout(output, config.hiddenDropout());                                       // [B*T, H]
        return addAndNorm(p + "output.LayerNorm", output, attended).rename("layer_" + layer + "_output"); // [B*T, H]
    }

    /**
     * Multi-head scaled dot-product self-attention: [B*T, H] -> [B*T, H]. Head n is columns n*D..(n+1)*D of the
     * query, key and value rows, and of the context rows it writes.
     */
    private SDVariable selfAttention(String p, SDVariable x, SDVariable attentionBias) {
        int h = config.hiddenSize();
        int heads = config.numHeads();
        SDVariable query = dense(p + "query", x, h, h);                                         // [B*T, H]
        SDVariable key = dense(p + "key", x, h, h);                                             // [B*T, H]
        SDVariable value = dense(p + "value", x, h, h);                                         // [B*T, H]

        double scale = 1.0 / Math.sqrt(config.headSize());
        SDVariable scores = SameDiffFixes.headScores(query, key, heads, scale, batchAndLength); // [B, N, T, T]
        SDVariable probs = SameDiffFixes.attentionSoftmax(scores, attentionBias);               // [B, N, T, T]
        probs = dropout(probs, config.attentionDropout());                                      // [B, N, T, T]
        return SameDiffFixes.headContext(probs, value, heads, batchAndLength);                  // [B*T, H]
    }

    /** tanh(dense(hidden state of the first token)): [B*T, H] -> [B, H]. */
    private SDVariable pooler(SDVariable sequence) {
        SDVariable byExample = sd.reshape(sequence, withHidden(config.hiddenSize()));          // [B, T, H]
        SDVariable first = byExample.get(SDIndex.all(), SDIndex.point(0), SDIndex.all());      // [B, H]
        int h = config.hiddenSize();
        return sd.math.tanh(dense("bert.pooler.dense", first, h, h)).rename("pooled_output");   // [B, H]
    }

    /** (B, T, width) as a shape variable. */
    SDVariable withHidden(int width) {
        return sd.concat(0, batchAndLength, sd.constant(Nd4j.createFromArray((long) width)));
    }

    /** Every parameter by name, in the order the graph was built, whether trainable or frozen. */
    public Map<String, INDArray> parameters() {
        return layers.parameters();
    }

    SDVariable dense(String name, SDVariable x, int in, int out) {
        return layers.dense(name, x, in, out);
    }

    SDVariable layerNorm(String name, SDVariable x) {
        return layers.layerNorm(name, x, config.hiddenSize(), config.layerNormEps());
    }

    /** LayerNorm(x + residual): [B*T, H]. */
    SDVariable addAndNorm(String name, SDVariable x, SDVariable residual) {
        return layers.addAndNorm(name, x, residual, config.hiddenSize(), config.layerNormEps());
    }

    SDVariable dropout(SDVariable x, double rate) {
        return layers.dropout(x, rate);
    }

    SDVariable weight(String name, long... shape) {
        return layers.weight(name, shape);
    }
}
