package bertadapt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The whole graph on a tiny random BERT: shapes, padding, dropout, and gradients in float64. */
class BertGraphTest {

    static final BertConfig TINY = new BertConfig(23, 8, 2, 2, 12, 16, 2, 1e-12, 0.1, 0.1, 0.5);

    /** Two sequences of length 6, the first padded after 4 tokens; id 5 repeats. */
    static Map<String, INDArray> batch(DataType dtype) {
        Map<String, INDArray> feed = new HashMap<>();
        feed.put(Bert.INPUT_IDS, Nd4j.createFromArray(new int[][] {{2, 5, 7, 3, 0, 0}, {2, 5, 5, 3, 9, 3}}));
        feed.put(Bert.TOKEN_TYPE_IDS, Nd4j.createFromArray(new int[][] {{0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 1, 1}}));
        feed.put(Bert.ATTENTION_MASK, Nd4j.createFromArray(new double[][] {{1, 1, 1, 1, 0, 0}, {1, 1, 1, 1, 1, 1}}).castTo(dtype));
        feed.put("masked_lm_positions", Nd4j.createFromArray(1, 2, 7, 8, 10));
        feed.put("masked_lm_ids", Nd4j.createFromArray(5, 7, 5, 5, 9));
        feed.put("masked_lm_weights", Nd4j.createFromArray(1.0, 1, 1, 1, 0).castTo(dtype));
        feed.put("labels", Nd4j.createFromArray(1, 2));
        feed.put("next_sentence_labels", Nd4j.createFromArray(0, 1));
        return feed;
    }

    /** The part of {@code feed} that {@code bert}'s graph has placeholders for. */
    static Map<String, INDArray> feedFor(Bert bert, Map<String, INDArray> feed) {
        Map<String, INDArray> used = new HashMap<>(feed);
        used.keySet().removeIf(name -> !bert.sd.hasVariable(name));
        return used;
    }

    @Test
    void everyBlockHasRightGradientsForAllLossesTogether() {
        Nd4j.getRandom().setSeed(11);
        Bert bert = new Bert(TINY.withoutDropout(), DataType.DOUBLE, true);
        Heads.MaskedLm mlm = Heads.maskedLm(bert);
        Heads.NextSentence nsp = Heads.nextSentence(bert);
        Heads.Classifier classifier = Heads.classifier(bert, 3, Heads.ClassifierType.MLP);
        mlm.loss().add(nsp.loss()).add(classifier.loss()).rename("total");
        FiniteDifferences.assertGradientsMatch(bert.sd, batch(DataType.DOUBLE), "total", 6,
                "bert.embeddings.word_embeddings.weight",
                "bert.embeddings.position_embeddings.weight",
                "bert.embeddings.token_type_embeddings.weight",
                "bert.embeddings.LayerNorm.weight",
                "bert.encoder.layer.0.attention.self.query.weight",
                "bert.encoder.layer.0.attention.self.key.bias",
                "bert.encoder.layer.0.attention.self.value.weight",
                "bert.encoder.layer.0.attention.output.dense.weight",
                "bert.encoder.layer.1.intermediate.dense.weight",
                "bert.encoder.layer.1.output.LayerNorm.bias",
                "bert.pooler.dense.weight",
                "cls.predictions.transform.dense.weight",
                "cls.predictions.transform.LayerNorm.weight",
                "cls.predictions.bias",
                "cls.seq_relationship.weight",
                "classifier.dense.weight",
                "classifier.out_proj.bias");
    }

    @Test
    void paddingDoesNotChangeRealTokens() {
        Nd4j.getRandom().setSeed(12);
        Bert bert = new Bert(TINY, DataType.DOUBLE, false);
        Map<String, INDArray> padded = feedFor(bert, batch(DataType.DOUBLE));
        Map<String, INDArray> unpadded = new HashMap<>();
        unpadded.put(Bert.INPUT_IDS, Nd4j.createFromArray(new int[][] {{2, 5, 7, 3}}));
        unpadded.put(Bert.TOKEN_TYPE_IDS, Nd4j.createFromArray(new int[][] {{0, 0, 0, 0}}));
        unpadded.put(Bert.ATTENTION_MASK, Nd4j.ones(DataType.DOUBLE, 1, 4));
        String out = bert.sequenceOutput.name();
        INDArray a = bert.sd.output(padded, out).get(out);    // [2*6, H]
        INDArray b = bert.sd.output(unpadded, out).get(out);  // [1*4, H]
        for (int t = 0; t < 4; t++) {
            assertArrayEquals(b.getRow(t).toDoubleVector(), a.getRow(t).toDoubleVector(), 1e-6, "token " + t);
        }
        assertArrayEquals(new long[] {12, 8}, a.shape());
        INDArray pooled = bert.sd.output(padded, bert.pooledOutput.name()).get(bert.pooledOutput.name());
        assertArrayEquals(new long[] {2, 8}, pooled.shape());
    }

    @Test
    void maskedLmSlotsOfWeightZeroDoNotChangeTheLoss() {
        Nd4j.getRandom().setSeed(13);
        Bert bert = new Bert(TINY, DataType.DOUBLE, false);
        String loss = Heads.maskedLm(bert).loss().name();
        Map<String, INDArray> fourPredictions = feedFor(bert, batch(DataType.DOUBLE));
        fourPredictions.put("masked_lm_positions", Nd4j.createFromArray(1, 2, 7, 8));
        fourPredictions.put("masked_lm_ids", Nd4j.createFromArray(5, 7, 5, 5));
        fourPredictions.put("masked_lm_weights", Nd4j.ones(DataType.DOUBLE, 4));
        Map<String, INDArray> withPadding = new HashMap<>(fourPredictions);
        withPadding.put("masked_lm_positions", Nd4j.createFromArray(1, 2, 7, 8, 0, 0));
        withPadding.put("masked_lm_ids", Nd4j.createFromArray(5, 7, 5, 5, 0, 0));
        withPadding.put("masked_lm_weights", Nd4j.createFromArray(1.0, 1, 1, 1, 0, 0));
        assertEquals(bert.sd.output(fourPredictions, loss).get(loss).getDouble(0),
                bert.sd.output(withPadding, loss).get(loss).getDouble(0), 1e-12);
    }

    @Test
    void dropoutOnlyInTheTrainingGraph() {
        Nd4j.getRandom().setSeed(13);
        Bert training = new Bert(TINY, DataType.DOUBLE, true);
        Bert inference = new Bert(TINY, DataType.DOUBLE, false);
        String out = training.sequenceOutput.name();
        Map<String, INDArray> feed = feedFor(training, batch(DataType.DOUBLE));
        training.seedDropout(1);
        INDArray first = training.sd.output(feed, out).get(out).dup();
        INDArray second = training.sd.output(feed, out).get(out).dup();
        assertFalse(first.equalsWithEps(second, 1e-9), "two training passes should drop different units");
        training.seedDropout(1);
        assertEquals(first, training.sd.output(feed, out).get(out), "the same seed gives the same masks");
        INDArray third = inference.sd.output(feed, out).get(out);
        assertEquals(third, inference.sd.output(feed, out).get(out));
    }

    @Test
    void trainingGraphWithDropoutHasGradients() {
        Nd4j.getRandom().setSeed(14);
        Bert bert = new Bert(TINY, DataType.FLOAT, true);
        Heads.Classifier classifier = Heads.classifier(bert, 3, Heads.ClassifierType.LINEAR);
        bert.sd.setLossVariables(classifier.loss());
        SameDiffFixes.createGradFunction(bert.sd);
        Map<String, INDArray> grads = SameDiffFixes.gradientPass(bert.sd, feedFor(bert, batch(DataType.FLOAT)), List.of(),
                List.of("bert.encoder.layer.0.attention.self.query.weight", "classifier.weight")).gradients();
        assertFalse(grads.get("classifier.weight").isNaN().any());
        assertFalse(grads.get("bert.encoder.layer.0.attention.self.query.weight").eq(0).all(), "gradient reaches layer 0");
    }
}
