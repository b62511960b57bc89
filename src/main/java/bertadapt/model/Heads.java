package bertadapt.model;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The task heads that sit on a {@link Bert} encoder, each with its loss. A new head or loss goes here.
 *
 * <p>Shape legend as in {@link Bert}, plus M = masked positions in the batch and C = classes.
 * Placeholder names follow Google's pre-training and classifier code.
 */
public final class Heads {

    private Heads() {
    }

    /**
     * Masked language model head, computed only at the masked positions.
     *
     * @param positions [M] flat row of each masked token in the [B*T, H] sequence output, b * T + t
     * @param labels    [M] the original token id at each masked position
     * @param weights   [M] 1 for a real prediction, 0 for a padding slot
     * @param logits    [M, V]
     * @param loss      scalar, weighted mean cross-entropy over the real predictions
     */
    public record MaskedLm(SDVariable positions, SDVariable labels, SDVariable weights, SDVariable logits, SDVariable loss) {
    }

    /** @param labels [B] 0 if segment B follows segment A, 1 if it is random; @param logits [B, 2]; @param loss scalar mean */
    public record NextSentence(SDVariable labels, SDVariable logits, SDVariable loss) {
    }

    /** @param labels [B] class ids; @param logits [B, C]; @param probabilities [B, C]; @param loss scalar mean */
    public record Classifier(SDVariable labels, SDVariable logits, SDVariable probabilities, SDVariable loss) {
    }

    /** Placeholder of the class ids [B] that every classification head's loss reads. */
    public static final String LABELS = "labels";

    /**
     * A classification head and its loss on pooled features [B, H]. Implement it for a head or loss of your
     * own and pass it wherever a head is asked for ({@code ClassificationTask.Options}, an experiment's
     * {@code TaskSpec}); read the class ids from the placeholder {@link #LABELS}, and create parameters with
     * {@link Layers#dense} or {@link Layers#parameter} so they are trained, frozen and saved like the rest.
     */
    public interface ClassifierHead {
        Classifier build(Layers layers, SDVariable pooled, int hidden, double dropout, int numClasses);
    }

    /** The built-in heads. */
    public enum ClassifierType implements ClassifierHead {
        /** dropout, then one dense layer on the pooled [CLS] output (Devlin et al.). */
        LINEAR,
        /** dropout, dense H -> H, ReLU, dropout, dense H -> C on the pooled [CLS] output. */
        MLP;

        @Override
        public Classifier build(Layers layers, SDVariable pooled, int hidden, double dropout, int numClasses) {
            return classifier(layers, pooled, hidden, dropout, numClasses, this);
        }
    }

    /** Transform (dense, GELU, LayerNorm) then the decoder tied to the word embeddings, plus a bias. */
    public static MaskedLm maskedLm(Bert bert) {
        SameDiff sd = bert.sd;
        int h = bert.config.hiddenSize();
        int v = bert.config.vocabSize();
        SDVariable positions = sd.placeHolder("masked_lm_positions", DataType.INT, -1);           // [M]
        SDVariable labels = sd.placeHolder("masked_lm_ids", DataType.INT, -1);                    // [M]
        SDVariable weights = sd.placeHolder("masked_lm_weights", bert.dtype, -1);                 // [M]

        SDVariable x = SameDiffFixes.gather(sd, "masked_vectors", bert.sequenceOutput, positions); // [M, H]
        x = SameDiffFixes.gelu(bert.dense("cls.predictions.transform.dense", x, h, h));          // [M, H]
        x = bert.layerNorm("cls.predictions.transform.LayerNorm", x);                            // [M, H]
        SDVariable wordTable = sd.getVariable("bert.embeddings.word_embeddings.weight");         // [V, H]
        SDVariable bias = bert.layers.parameter("cls.predictions.bias", Nd4j.zeros(bert.dtype, v));             // [V]
        SDVariable logits = SameDiffFixes.linear(x, wordTable, bias).rename("mlm_logits");       // [M, V]

        SDVariable perPosition = SameDiffFixes.crossEntropy(logits, labels);                    // [M]
        SDVariable loss = perPosition.mul(weights).sum().div(weights.sum().add(1e-5)).rename("mlm_loss"); // scalar
        return new MaskedLm(positions, labels, weights, logits, loss);
    }

    /** Next sentence prediction: a 2-way dense layer on the pooled output. */
    public static NextSentence nextSentence(Bert bert) {
        SameDiff sd = bert.sd;
        SDVariable labels = sd.placeHolder("next_sentence_labels", DataType.INT, -1);            // [B]
        SDVariable logits = bert.dense("cls.seq_relationship", bert.pooledOutput, bert.config.hiddenSize(), 2)
                .rename("nsp_logits");                                                           // [B, 2]
        SDVariable loss = SameDiffFixes.crossEntropy(logits, labels).mean().rename("nsp_loss"); // scalar
        return new NextSentence(labels, logits, loss);
    }

    /** Sequence classification on the pooled [CLS] output. */
    public static Classifier classifier(Bert bert, int numClasses, ClassifierHead head) {
        return head.build(bert.layers, bert.pooledOutput, bert.config.hiddenSize(), bert.config.hiddenDropout(), numClasses);
    }

    /**
     * A built-in head on pooled features [B, H], from the encoder or from a cache of its outputs; the
     * parameter names are the same either way.
     */
    private static Classifier classifier(Layers layers, SDVariable pooled, int h, double dropout, int numClasses, ClassifierType type) {
        SameDiff sd = layers.sd;
        SDVariable labels = sd.placeHolder(LABELS, DataType.INT, -1);                            // [B]
        SDVariable x = layers.dropout(pooled, dropout);                                          // [B, H]
        SDVariable logits = switch (type) {
            case LINEAR -> layers.dense("classifier", x, h, numClasses);                        // [B, C]
            case MLP -> {
                SDVariable hidden = sd.nn.relu(layers.dense("classifier.dense", x, h, h), 0);   // [B, H]
                hidden = layers.dropout(hidden, dropout);                                        // [B, H]
                yield layers.dense("classifier.out_proj", hidden, h, numClasses);               // [B, C]
            }
        };
        logits = logits.rename("logits");
        SDVariable probabilities = sd.nn.softmax("probabilities", logits, -1);                  // [B, C]
        SDVariable loss = SameDiffFixes.crossEntropy(logits, labels).mean().rename("classifier_loss"); // scalar
        return new Classifier(labels, logits, probabilities, loss);
    }
}
