package bertadapt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import bertadapt.train.AdamW;

class FreezingTest {

    private static Bert tinyClassifier() {
        Nd4j.getRandom().setSeed(21);
        Bert bert = new Bert(BertGraphTest.TINY, DataType.FLOAT, true);
        Heads.Classifier classifier = Heads.classifier(bert, 3, Heads.ClassifierType.LINEAR);
        bert.sd.setLossVariables(classifier.loss());
        return bert;
    }

    private static Map<String, INDArray> snapshot(Bert bert) {
        Map<String, INDArray> copy = new HashMap<>();
        bert.parameters().forEach((name, values) -> copy.put(name, values.dup()));
        return copy;
    }

    private static void trainOneStep(Bert bert) {
        SameDiffFixes.createGradFunction(bert.sd);
        List<String> trainable = Freezing.trainable(bert);
        Map<String, INDArray> gradients = SameDiffFixes.gradientPass(bert.sd,
                BertGraphTest.feedFor(bert, BertGraphTest.batch(DataType.FLOAT)), List.of(), trainable).gradients();
        new AdamW(AdamW.Settings.bert(0.01)).step(bert.parameters(), gradients, 1e-3);
    }

    /**
     * The key bias adds q.b to every score of a query row, which softmax cancels: its gradient is zero
     * up to rounding, so whether it moves says nothing about freezing.
     */
    private static boolean hasZeroGradient(String name) {
        return name.endsWith("attention.self.key.bias");
    }

    @Test
    void freezingFreesTheArraysOfTheGradientFunctionItDrops() {
        Bert bert = tinyClassifier();
        trainOneStep(bert);
        ArrayCacheMemoryMgr cache = (ArrayCacheMemoryMgr) bert.sd.getFunction("grad").getSessions().values().iterator().next().getMmgr();
        List<INDArray> cached = cache.getArrays().values().stream().flatMap(List::stream).toList();
        assertFalse(cached.isEmpty());

        Freezing.freezeLayerCount(bert, 1);

        assertTrue(cached.stream().allMatch(INDArray::wasClosed), "arrays cached by the dropped gradient function are freed");
    }

    @Test
    void bottomLayersFrozenStayBitIdenticalAndTheRestTrain() {
        Bert bert = tinyClassifier();
        Freezing.freezeLayerCount(bert, 1);
        Map<String, INDArray> before = snapshot(bert);
        trainOneStep(bert);
        for (Map.Entry<String, INDArray> parameter : bert.parameters().entrySet()) {
            String name = parameter.getKey();
            boolean frozen = name.startsWith("bert.embeddings.") || name.startsWith("bert.encoder.layer.0.");
            if (frozen) {
                assertEquals(before.get(name), parameter.getValue(), name + " is frozen and must not change");
            } else if (!hasZeroGradient(name)) {
                assertFalse(before.get(name).equals(parameter.getValue()), name + " trains and must change");
            }
        }
    }

    @Test
    void unfreezingAfterATrainingStepTrainsEverything() {
        Bert bert = tinyClassifier();
        Freezing.freezeEncoder(bert);
        trainOneStep(bert);
        Freezing.unfreezeAll(bert);
        Map<String, INDArray> before = snapshot(bert);
        trainOneStep(bert);
        bert.parameters().forEach((name, values) ->
                assertTrue(hasZeroGradient(name) || !before.get(name).equals(values), name + " should train"));
    }

    @Test
    void freezeLayerCountConvention() {
        Bert bert = tinyClassifier();
        Freezing.freezeLayerCount(bert, -1);
        assertTrue(Freezing.trainable(bert).stream().noneMatch(n -> n.startsWith("bert.embeddings.")));
        assertTrue(Freezing.trainable(bert).stream().anyMatch(n -> n.startsWith("bert.encoder.layer.0.")));
        Freezing.freezeLayerCount(bert, 2);
        assertTrue(Freezing.trainable(bert).stream().noneMatch(n -> n.startsWith("bert.encoder.")));
        assertTrue(Freezing.trainable(bert).contains("bert.pooler.dense.weight"));
        Freezing.freezeLayerCount(bert, Freezing.NONE);
        assertEquals(bert.parameters().size(), Freezing.trainable(bert).size());
        assertThrows(IllegalArgumentException.class, () -> Freezing.freezeLayerCount(bert, 3));
        assertThrows(IllegalArgumentException.class, () -> Freezing.freezeLayerCount(bert, -2));
    }

    @Test
    void summaryCountsMatchTheParameterShapes() {
        Bert bert = tinyClassifier();
        Freezing.freezeLayerCount(bert, 1);
        BertConfig c = BertGraphTest.TINY;
        long h = c.hiddenSize();
        long embeddings = (c.vocabSize() + c.maxPositions() + c.typeVocabSize()) * h + 2 * h;
        long layer = 4 * (h * h + h) + 2 * h + (h * c.intermediateSize() + c.intermediateSize())
                + (c.intermediateSize() * h + h) + 2 * h;
        Map<String, Freezing.BlockCount> byBlock = new HashMap<>();
        Freezing.summary(bert).forEach(count -> byBlock.put(count.block(), count));
        assertEquals(new Freezing.BlockCount("embeddings", 0, embeddings), byBlock.get("embeddings"));
        assertEquals(new Freezing.BlockCount("layer.0", 0, layer), byBlock.get("layer.0"));
        assertEquals(new Freezing.BlockCount("layer.1", layer, 0), byBlock.get("layer.1"));
        assertEquals(new Freezing.BlockCount("pooler", h * h + h, 0), byBlock.get("pooler"));
        assertEquals(new Freezing.BlockCount("classifier", 3 * h + 3, 0), byBlock.get("classifier"));
        String table = Freezing.summaryTable(bert);
        assertTrue(table.contains("total"), table);
    }

    @Test
    void layerNormAndBiasesDoNotDecay() {
        assertFalse(AdamW.decays("bert.encoder.layer.0.output.LayerNorm.weight"));
        assertFalse(AdamW.decays("bert.pooler.dense.bias"));
        assertTrue(AdamW.decays("bert.encoder.layer.0.attention.self.query.weight"));
        assertTrue(AdamW.decays("bert.embeddings.word_embeddings.weight"));
    }
}
