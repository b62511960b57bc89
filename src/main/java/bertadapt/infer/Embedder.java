package bertadapt.infer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;

import bertadapt.text.EncodedBatch;
import bertadapt.text.TextInput;

/** Final hidden states and pooled outputs of texts or text pairs. */
public final class Embedder {

    /**
     * @param tokens       the WordPiece tokens with [CLS] and [SEP], padding removed
     * @param hiddenStates [tokens][H] the last layer's output for each token
     * @param pooled       [H] tanh(dense([CLS])), the sentence vector BERT's classifier uses
     * @param truncated    whether the text was cut to the maximum length
     */
    public record Embedding(TextInput input, List<String> tokens, float[][] hiddenStates, float[] pooled, boolean truncated) {
    }

    private final PretrainedBert model;

    public Embedder(PretrainedBert model) {
        this.model = model;
    }

    /** Embeds {@code inputs} in batches of {@code batchSize}, each padded only to its longest member. */
    public List<Embedding> embed(List<TextInput> inputs, int maxLength, int batchSize) {
        List<Embedding> out = new ArrayList<>();
        for (int start = 0; start < inputs.size(); start += batchSize) {
            List<TextInput> chunk = inputs.subList(start, Math.min(inputs.size(), start + batchSize));
            out.addAll(embedBatch(chunk, maxLength));
        }
        return out;
    }

    private List<Embedding> embedBatch(List<TextInput> inputs, int maxLength) {
        EncodedBatch batch = model.tokenizer().encodeBatch(inputs, maxLength);
        int b = batch.batchSize();
        int t = batch.sequenceLength();
        Map<String, INDArray> feed = model.bert().inputs(b, t, batch.inputIds(), batch.tokenTypeIds(), batch.attentionMask());
        String sequenceName = model.bert().sequenceOutput.name();
        String pooledName = model.bert().pooledOutput.name();
        Map<String, INDArray> outputs = model.bert().sd.output(feed, sequenceName, pooledName);
        INDArray sequence = outputs.get(sequenceName); // [B*T, H]
        INDArray pooled = outputs.get(pooledName);     // [B, H]

        List<Embedding> out = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            List<String> tokens = new ArrayList<>();
            List<float[]> states = new ArrayList<>();
            for (int j = 0; j < t; j++) {
                if (batch.attentionMask()[i * t + j] == 1) {
                    tokens.add(model.tokenizer().idToToken(batch.inputIds()[i * t + j]));
                    states.add(sequence.getRow((long) i * t + j).toFloatVector());
                }
            }
            out.add(new Embedding(inputs.get(i), tokens, states.toArray(float[][]::new), pooled.getRow(i).toFloatVector(),
                    batch.truncated()[i]));
        }
        return out;
    }
}
