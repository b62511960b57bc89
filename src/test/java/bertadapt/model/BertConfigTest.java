package bertadapt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

class BertConfigTest {

    @TempDir
    Path dir;

    @Test
    void readsGoogleBertConfigWithItsFixedEpsilon() throws IOException {
        Path file = Files.writeString(dir.resolve("bert_config.json"), """
                {"attention_probs_dropout_prob": 0.1, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
                 "hidden_size": 768, "initializer_range": 0.02, "intermediate_size": 3072,
                 "max_position_embeddings": 512, "num_attention_heads": 12, "num_hidden_layers": 12,
                 "type_vocab_size": 2, "vocab_size": 30522}""");
        assertEquals(BertConfig.base(30522), BertConfig.read(file));
    }

    @Test
    void readsHuggingFaceConfigWithItsEpsilon() throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), """
                {"architectures": ["BertForMaskedLM"], "model_type": "bert", "hidden_act": "gelu",
                 "hidden_size": 256, "num_hidden_layers": 4, "num_attention_heads": 4, "intermediate_size": 1024,
                 "max_position_embeddings": 512, "type_vocab_size": 2, "vocab_size": 30522, "layer_norm_eps": 1e-5,
                 "hidden_dropout_prob": 0.2, "attention_probs_dropout_prob": 0.0, "initializer_range": 0.02}""");
        BertConfig config = BertConfig.read(file);
        assertEquals(1e-5, config.layerNormEps());
        assertEquals(0.2, config.hiddenDropout());
        assertEquals(0.0, config.attentionDropout());
        assertEquals(64, config.headSize());
    }

    @Test
    void rejectsApproximateGelu() throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), """
                {"hidden_act": "gelu_new", "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2,
                 "intermediate_size": 8, "max_position_embeddings": 8, "vocab_size": 10}""");
        IOException error = assertThrows(IOException.class, () -> BertConfig.read(file));
        assertTrue(error.getMessage().contains("hidden_act") && error.getMessage().contains(file.toString()), error.getMessage());
    }

    @Test
    void sequenceLongerThanThePositionTableIsAnError() {
        Bert bert = new Bert(BertGraphTest.TINY, DataType.FLOAT, false);
        int length = BertGraphTest.TINY.maxPositions() + 1;
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> bert.inputs(1, length, new int[length], new int[length], new int[length]));
        assertTrue(error.getMessage().contains("max_position_embeddings"), error.getMessage());
    }
}
