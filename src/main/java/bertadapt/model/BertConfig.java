package bertadapt.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The shape of a BERT model, read from a Hugging Face {@code config.json} or a Google
 * {@code bert_config.json} (the same keys, without {@code layer_norm_eps}, which Google fixes at 1e-12).
 *
 * @param vocabSize             V, rows of the word embedding
 * @param hiddenSize            H
 * @param numLayers             L, encoder layers
 * @param numHeads              N, attention heads; H must divide by N
 * @param intermediateSize      I, width of the feed-forward layer
 * @param maxPositions          rows of the position embedding, the longest sequence the model takes
 * @param typeVocabSize         rows of the segment (token type) embedding
 * @param layerNormEps          added to the variance in every LayerNorm
 * @param hiddenDropout         dropout on embeddings, sublayer outputs and the pooled output
 * @param attentionDropout      dropout on attention probabilities
 * @param initializerRange      standard deviation of the truncated normal for new weights
 */
public record BertConfig(
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int intermediateSize,
        int maxPositions,
        int typeVocabSize,
        double layerNormEps,
        double hiddenDropout,
        double attentionDropout,
        double initializerRange) {

    public BertConfig {
        require(vocabSize > 0, "vocab_size", vocabSize, "> 0");
        require(hiddenSize > 0, "hidden_size", hiddenSize, "> 0");
        require(numLayers > 0, "num_hidden_layers", numLayers, "> 0");
        require(numHeads > 0 && hiddenSize % numHeads == 0, "num_attention_heads", numHeads,
                "a divisor of hidden_size " + hiddenSize);
        require(intermediateSize > 0, "intermediate_size", intermediateSize, "> 0");
        require(maxPositions > 0, "max_position_embeddings", maxPositions, "> 0");
        require(typeVocabSize > 0, "type_vocab_size", typeVocabSize, "> 0");
        require(layerNormEps > 0, "layer_norm_eps", layerNormEps, "> 0");
        require(hiddenDropout >= 0 && hiddenDropout < 1, "hidden_dropout_prob", hiddenDropout, "in [0, 1)");
        require(attentionDropout >= 0 && attentionDropout < 1, "attention_probs_dropout_prob", attentionDropout, "in [0, 1)");
        require(initializerRange > 0, "initializer_range", initializerRange, "> 0");
    }

    /** Size of one attention head, D = H / N. */
    public int headSize() {
        return hiddenSize / numHeads;
    }

    /** Google's BERT-Base (12 layers, 768 hidden, 12 heads) with the given vocabulary. */
    public static BertConfig base(int vocabSize) {
        return new BertConfig(vocabSize, 768, 12, 12, 3072, 512, 2, 1e-12, 0.1, 0.1, 0.02);
    }

    /** A small random-initialisable config for tests. */
    public static BertConfig tiny(int vocabSize) {
        return new BertConfig(vocabSize, 32, 2, 4, 64, 64, 2, 1e-12, 0.1, 0.1, 0.02);
    }

    /** The same model with only its bottom {@code layers} encoder layers (layer dropping, Sajjad et al. 2020). */
    public BertConfig withLayers(int layers) {
        return new BertConfig(vocabSize, hiddenSize, layers, numHeads, intermediateSize, maxPositions,
                typeVocabSize, layerNormEps, hiddenDropout, attentionDropout, initializerRange);
    }

    /** The same model without dropout. */
    public BertConfig withoutDropout() {
        return new BertConfig(vocabSize, hiddenSize, numLayers, numHeads, intermediateSize, maxPositions,
                typeVocabSize, layerNormEps, 0, 0, initializerRange);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads {@code config.json} (Hugging Face) or {@code bert_config.json} (Google). */
    public static BertConfig read(Path file) throws IOException {
        JsonNode json;
        try {
            json = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not a readable JSON config: " + e.getMessage(), e);
        }
        if (json == null || !json.isObject()) {
            throw new IOException(file + ": expected a JSON object with the BERT configuration");
        }
        String activation = json.path("hidden_act").asText("gelu");
        if (!activation.equals("gelu")) {
            throw new IOException(file + ": hidden_act is '" + activation + "', only 'gelu' (exact erf GELU, as BERT) is supported");
        }
        try {
            return new BertConfig(
                    integer(json, file, "vocab_size"),
                    integer(json, file, "hidden_size"),
                    integer(json, file, "num_hidden_layers"),
                    integer(json, file, "num_attention_heads"),
                    integer(json, file, "intermediate_size"),
                    integer(json, file, "max_position_embeddings"),
                    json.path("type_vocab_size").asInt(2),
                    json.path("layer_norm_eps").asDouble(1e-12),
                    json.path("hidden_dropout_prob").asDouble(0.1),
                    json.path("attention_probs_dropout_prob").asDouble(0.1),
                    json.path("initializer_range").asDouble(0.02));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Writes a Hugging Face style {@code config.json}. */
    public void write(Path file) throws IOException {
        ObjectNode json = JSON.createObjectNode();
        json.putArray("architectures").add("BertForPreTraining");
        json.put("model_type", "bert");
        json.put("vocab_size", vocabSize);
        json.put("hidden_size", hiddenSize);
        json.put("num_hidden_layers", numLayers);
        json.put("num_attention_heads", numHeads);
        json.put("intermediate_size", intermediateSize);
        json.put("hidden_act", "gelu");
        json.put("max_position_embeddings", maxPositions);
        json.put("type_vocab_size", typeVocabSize);
        json.put("layer_norm_eps", layerNormEps);
        json.put("hidden_dropout_prob", hiddenDropout);
        json.put("attention_probs_dropout_prob", attentionDropout);
        json.put("initializer_range", initializerRange);
        Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }

    private static int integer(JsonNode json, Path file, String key) throws IOException {
        JsonNode value = json.get(key);
        if (value == null || !value.canConvertToInt()) {
            throw new IOException(file + ": field '" + key + "' must be an integer, found " + (value == null ? "nothing" : value));
        }
        return value.asInt();
    }

    private static void require(boolean ok, String key, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException("field '" + key + "' is " + value + ", expected " + expected);
        }
    }
}
