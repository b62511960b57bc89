package bertadapt.bench;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ndarray.INDArray;

import bertadapt.model.Bert;
import bertadapt.model.Heads;

/**
 * A random batch drawn as {@code bench/pt_bert_bench.py} draws its batches, so that both benchmarks pad,
 * mask and attend alike: each sequence has a random length between T/2 and T, padded to T, its second half
 * in segment 1, and P masked positions of which the first 15% of its length carry weight.
 *
 * <p>Arrays are flat and row-major: [B, T] for the encoder inputs, [B*P] for the masked positions.
 */
public record SyntheticBatch(int batch, int length, int[] inputIds, int[] tokenTypeIds, int[] attentionMask,
                             int[] maskedPositions, int[] maskedIds, float[] maskedWeights, int[] labels) {

    /** Token ids below this are BERT's special and unused tokens; the reference script skips them too. */
    private static final int FIRST_ORDINARY_TOKEN = 1000;

    public static SyntheticBatch draw(SplittableRandom random, int batch, int length, int masked, int vocabSize, int classes) {
        int[] ids = new int[batch * length];
        int[] types = new int[batch * length];
        int[] mask = new int[batch * length];
        int[] positions = new int[batch * masked];
        float[] weights = new float[batch * masked];
        for (int b = 0; b < batch; b++) {
            int real = length / 2 + random.nextInt(length / 2 + 1);
            int row = b * length;
            for (int t = 0; t < real; t++) {
                ids[row + t] = random.nextInt(FIRST_ORDINARY_TOKEN, vocabSize);
                types[row + t] = t >= real / 2 ? 1 : 0;
                mask[row + t] = 1;
            }
            for (int p = 0; p < masked; p++) {
                positions[b * masked + p] = row + 1 + random.nextInt(real - 1); // never [CLS]
            }
            Arrays.fill(weights, b * masked, b * masked + Math.min(masked, Math.max(1, (int) (0.15 * real))), 1f);
        }
        int[] maskedIds = random.ints(batch * masked, 0, vocabSize).toArray();
        int[] labels = random.ints(batch, 0, classes).toArray();
        return new SyntheticBatch(batch, length, ids, types, mask, positions, maskedIds, weights, labels);
    }

    /** The encoder's placeholders. */
    public Map<String, INDArray> encoderFeed(Bert bert) {
        return bert.inputs(batch, length, inputIds, tokenTypeIds, attentionMask);
    }

    /** The encoder's placeholders and those of the classifier and masked-LM losses. */
    public Map<String, INDArray> trainingFeed(Bert bert, Heads.MaskedLm maskedLm) {
        Map<String, INDArray> feed = new HashMap<>(encoderFeed(bert));
        feed.put(maskedLm.positions().name(), Nd4j.createFromArray(maskedPositions));
        feed.put(maskedLm.labels().name(), Nd4j.createFromArray(maskedIds));
        feed.put(maskedLm.weights().name(), Nd4j.createFromArray(maskedWeights).castTo(bert.dtype));
        feed.put(Heads.LABELS, Nd4j.createFromArray(labels));
        return feed;
    }
}
