package bertadapt.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The name table on synthetic names; EasyBertCheckpointTest runs it over the real checkpoint. */
class GoogleCheckpointNamesTest {
    static final Tensor MATRIX = new Tensor(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
    static final Tensor VECTOR = new Tensor(new long[] {3}, new float[] {1, 2, 3});

    @Test
    void mapsEveryKindOfGoogleVariable() {
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("bert/embeddings/word_embeddings", "bert.embeddings.word_embeddings.weight");
        expected.put("bert/embeddings/position_embeddings", "bert.embeddings.position_embeddings.weight");
        expected.put("bert/embeddings/token_type_embeddings", "bert.embeddings.token_type_embeddings.weight");
        expected.put("bert/embeddings/LayerNorm/gamma", "bert.embeddings.LayerNorm.weight");
        expected.put("bert/embeddings/LayerNorm/beta", "bert.embeddings.LayerNorm.bias");
        expected.put("bert/encoder/layer_0/attention/self/query/kernel", "bert.encoder.layer.0.attention.self.query.weight");
        expected.put("bert/encoder/layer_3/attention/self/key/bias", "bert.encoder.layer.3.attention.self.key.bias");
        expected.put("bert/encoder/layer_11/attention/self/value/kernel", "bert.encoder.layer.11.attention.self.value.weight");
        expected.put("bert/encoder/layer_2/attention/output/dense/kernel", "bert.encoder.layer.2.attention.output.dense.weight");
        expected.put("bert/encoder/layer_2/attention/output/LayerNorm/gamma", "bert.encoder.layer.2.attention.output.LayerNorm.weight");
        expected.put("bert/encoder/layer_23/intermediate/dense/bias", "bert.encoder.layer.23.intermediate.dense.bias");
        expected.put("bert/encoder/layer_4/output/dense/kernel", "bert.encoder.layer.4.output.dense.weight");
        expected.put("bert/encoder/layer_4/output/LayerNorm/beta", "bert.encoder.layer.4.output.LayerNorm.bias");
        expected.put("bert/pooler/dense/kernel", "bert.pooler.dense.weight");
        expected.put("cls/predictions/transform/dense/bias", "cls.predictions.transform.dense.bias");
        expected.put("cls/predictions/transform/LayerNorm/gamma", "cls.predictions.transform.LayerNorm.weight");
        expected.put("cls/predictions/output_bias", "cls.predictions.bias");
        expected.put("cls/seq_relationship/output_weights", "cls.seq_relationship.weight");
        expected.put("cls/seq_relationship/output_bias", "cls.seq_relationship.bias");
        expected.forEach((tf, hf) -> {
            assertEquals(hf, GoogleCheckpointNames.huggingFaceName(tf).orElseThrow().name(), tf);
            assertEquals(hf, GoogleCheckpointNames.huggingFaceName("module/" + tf).orElseThrow().name(), "module/" + tf);
        });
    }

    @Test
    void transposesKernelsButNotTheNextSentenceWeights() {
        Map<String, Tensor> tf = new LinkedHashMap<>();
        tf.put("module/bert/pooler/dense/kernel", MATRIX);
        tf.put("cls/seq_relationship/output_weights", MATRIX);
        tf.put("bert/embeddings/token_type_embeddings", MATRIX);
        Map<String, Tensor> hf = GoogleCheckpointNames.toHuggingFace(tf);
        assertEquals(MATRIX.transpose2d(), hf.get("bert.pooler.dense.weight"));
        assertSame(MATRIX, hf.get("cls.seq_relationship.weight"));
        assertSame(MATRIX, hf.get("bert.embeddings.token_type_embeddings.weight"));
    }

    @Test
    void dropsOptimiserSlotsAndKeepsUnknownNames() {
        Map<String, Tensor> tf = new LinkedHashMap<>();
        tf.put("bert/pooler/dense/kernel/adam_m", MATRIX);
        tf.put("bert/pooler/dense/kernel/adam_v", MATRIX);
        tf.put("global_step", VECTOR);
        tf.put("bert/pooler/dense/bias", VECTOR);
        tf.put("my_head/dense/kernel", MATRIX);
        tf.put("bert/embeddings/LayerNorm/kernel", MATRIX); // a LayerNorm has no kernel
        GoogleCheckpointNames.Conversion c = GoogleCheckpointNames.convert(tf);
        assertEquals(List.of("bert/pooler/dense/kernel/adam_m", "bert/pooler/dense/kernel/adam_v", "global_step"), c.ignored());
        assertEquals(List.of("my_head/dense/kernel", "bert/embeddings/LayerNorm/kernel"), c.unmapped());
        assertEquals(List.of("bert.pooler.dense.bias", "my_head/dense/kernel", "bert/embeddings/LayerNorm/kernel"),
                List.copyOf(c.tensors().keySet()));
        assertSame(MATRIX, c.tensors().get("my_head/dense/kernel"), "unknown tensors are kept as they are");
    }

    @Test
    void stripsAnyScopeBeforeBertOrCls() {
        assertEquals("bert/pooler/dense/kernel", GoogleCheckpointNames.stripScope("a/b/bert/pooler/dense/kernel"));
        assertEquals("cls/predictions/output_bias", GoogleCheckpointNames.stripScope("module/cls/predictions/output_bias"));
        assertEquals("xbert/pooler", GoogleCheckpointNames.stripScope("xbert/pooler"), "only whole path components");
    }

    @Test
    void rejectsTwoVariablesForOneParameter() {
        Map<String, Tensor> tf = new LinkedHashMap<>();
        tf.put("bert/pooler/dense/bias", VECTOR);
        tf.put("module/bert/pooler/dense/bias", VECTOR);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GoogleCheckpointNames.convert(tf));
        assertTrue(e.getMessage().contains("bert/pooler/dense/bias") && e.getMessage().contains("module/bert/pooler/dense/bias")
                && e.getMessage().contains("bert.pooler.dense.bias"), e.getMessage());
    }

    @Test
    void rejectsAKernelThatIsNotAMatrix() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GoogleCheckpointNames.convert(Map.of("bert/pooler/dense/kernel", VECTOR)));
        assertTrue(e.getMessage().contains("bert/pooler/dense/kernel"), e.getMessage());
    }

    @Test
    void normalisesOldHuggingFaceNames() {
        Map<String, Tensor> old = new LinkedHashMap<>();
        old.put("embeddings.word_embeddings.weight", MATRIX);
        old.put("encoder.layer.0.output.LayerNorm.gamma", VECTOR);
        old.put("bert.encoder.layer.0.attention.output.LayerNorm.beta", VECTOR);
        old.put("pooler.dense.bias", VECTOR);
        old.put("cls.predictions.transform.LayerNorm.gamma", VECTOR);
        old.put("cls.predictions.bias", VECTOR);
        old.put("classifier.weight", MATRIX);
        Map<String, Tensor> hf = GoogleCheckpointNames.normaliseHuggingFace(old);
        assertEquals(List.of("bert.embeddings.word_embeddings.weight", "bert.encoder.layer.0.output.LayerNorm.weight",
                        "bert.encoder.layer.0.attention.output.LayerNorm.bias", "bert.pooler.dense.bias",
                        "cls.predictions.transform.LayerNorm.weight", "cls.predictions.bias", "classifier.weight"),
                List.copyOf(hf.keySet()));
        assertArrayEquals(MATRIX.values(), hf.get("bert.embeddings.word_embeddings.weight").values());
    }
}
