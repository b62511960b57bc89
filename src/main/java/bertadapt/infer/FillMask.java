package bertadapt.infer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import bertadapt.model.Heads;
import bertadapt.text.EncodedText;

/** Predicts the tokens behind each {@code [MASK]} of a text with the masked language model head. */
public final class FillMask {

    /** One candidate for a masked position. */
    public record Candidate(String token, int id, double probability, double logit) {
    }

    /** The candidates for one {@code [MASK]}, best first; {@code position} counts tokens from [CLS] = 0. */
    public record MaskedPosition(int position, List<Candidate> candidates) {
    }

    private final PretrainedBert model;
    private final Heads.MaskedLm head;

    /** Loads a model with the MLM head for inference. */
    public static FillMask load(String nameOrPath) throws IOException {
        Heads.MaskedLm[] head = new Heads.MaskedLm[1];
        PretrainedBert model = PretrainedBert.load(nameOrPath, false, bert -> head[0] = Heads.maskedLm(bert));
        return new FillMask(model, head[0]);
    }

    public FillMask(PretrainedBert model, Heads.MaskedLm head) {
        this.model = model;
        this.head = head;
    }

    public PretrainedBert model() {
        return model;
    }

    /** The {@code topK} best tokens for every {@code [MASK]} in {@code text}, with their softmax probabilities. */
    public List<MaskedPosition> predict(String text, int topK, int maxLength) {
        EncodedText encoded = model.tokenizer().encode(text, maxLength);
        int[] ids = encoded.inputIds();
        int mask = model.tokenizer().maskTokenId();
        int[] positions = IntStream.range(0, ids.length).filter(i -> ids[i] == mask).toArray();
        if (positions.length == 0) {
            throw new IllegalArgumentException("the text has no [MASK] token"
                    + (encoded.truncated() ? " within its first " + maxLength + " tokens" : "") + ": " + text);
        }
        Map<String, INDArray> feed = model.bert().inputs(1, ids.length, ids, encoded.tokenTypeIds(), encoded.attentionMask());
        feed.put(head.positions().name(), Nd4j.createFromArray(positions));
        String logitsName = head.logits().name();
        INDArray logits = model.bert().sd.output(feed, logitsName).get(logitsName); // [M, V]

        List<MaskedPosition> out = new ArrayList<>();
        for (int m = 0; m < positions.length; m++) {
            double[] row = logits.getRow(m).toDoubleVector();
            double max = Arrays.stream(row).max().orElseThrow();
            double sum = 0;
            for (double value : row) {
                sum += Math.exp(value - max);
            }
            double normaliser = sum;
            List<Candidate> best = IntStream.range(0, row.length).boxed()
                    .sorted(Comparator.comparingDouble((Integer id) -> row[id]).reversed())
                    .limit(topK)
                    .map(id -> new Candidate(model.tokenizer().idToToken(id), id, Math.exp(row[id] - max) / normaliser, row[id]))
                    .toList();
            out.add(new MaskedPosition(positions[m], best));
        }
        return out;
    }
}
