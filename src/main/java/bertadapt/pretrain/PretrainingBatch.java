package bertadapt.pretrain;

import java.util.Arrays;
import java.util.List;

import bertadapt.text.EncodedBatch;

/**
 * The feed arrays of one pre-training step, for {@code Bert.inputs} and the placeholders of
 * {@code Heads.maskedLm} and {@code Heads.nextSentence}. Rows are padded to the batch's longest
 * instance rounded up by {@link EncodedBatch#paddedSize} (dynamic padding), stored row-major:
 *
 * @param batchSize          B
 * @param length             T, the longest instance of the batch rounded up
 * @param inputIds           [B*T] padding holds [PAD]
 * @param tokenTypeIds       [B*T] padding holds 0
 * @param attentionMask      [B*T] 1 for real tokens, 0 for padding
 * @param maskedPositions    [M] {@code masked_lm_positions}, the flat row b*T + t of each masked token
 * @param maskedLabels       [M] {@code masked_lm_ids}, the original ids
 * @param maskedWeights      [M] {@code masked_lm_weights}: the real predictions of all rows come first,
 *                           with weight 1, then padding slots up to a multiple of 16 (position 0, id 0,
 *                           weight 0), which the weighted masked-LM loss ignores
 * @param nextSentenceLabels [B] {@code next_sentence_labels}, 0 when B follows A, 1 when random
 *
 * <p>Callers must not modify the arrays.
 */
public record PretrainingBatch(int batchSize, int length, int[] inputIds, int[] tokenTypeIds, int[] attentionMask,
                               int[] maskedPositions, int[] maskedLabels, float[] maskedWeights,
                               int[] nextSentenceLabels) {

    public PretrainingBatch {
        int cells = Math.multiplyExact(batchSize, length);
        if (inputIds.length != cells || tokenTypeIds.length != cells || attentionMask.length != cells) {
            throw new IllegalArgumentException("expected " + batchSize + " x " + length + " = " + cells
                    + " values per token array");
        }
        if (maskedLabels.length != maskedPositions.length || maskedWeights.length != maskedPositions.length) {
            throw new IllegalArgumentException("masked positions, labels and weights differ in length");
        }
        if (nextSentenceLabels.length != batchSize) {
            throw new IllegalArgumentException("expected " + batchSize + " next sentence labels");
        }
    }

    /**
     * Pads {@code instances} to their longest, rounded up to at most {@code maxLength} tokens; {@code padId}
     * fills the padding of {@code inputIds}.
     */
    public static PretrainingBatch of(List<PretrainingInstance> instances, int padId, int maxLength) {
        if (instances.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one instance");
        }
        int batchSize = instances.size();
        int length = EncodedBatch.paddedSize(instances.stream().mapToInt(PretrainingInstance::length).max().orElseThrow(),
                maxLength);
        int predictions = instances.stream().mapToInt(instance -> instance.maskedPositions().length).sum();
        int masked = EncodedBatch.paddedSize(predictions, Integer.MAX_VALUE);
        int[] inputIds = new int[batchSize * length];
        int[] tokenTypeIds = new int[batchSize * length];
        int[] attentionMask = new int[batchSize * length];
        int[] positions = new int[masked];
        int[] labels = new int[masked];
        float[] weights = new float[masked];
        int[] nextSentenceLabels = new int[batchSize];
        Arrays.fill(inputIds, padId);
        Arrays.fill(weights, 0, predictions, 1f);
        int m = 0;
        for (int b = 0; b < batchSize; b++) {
            PretrainingInstance instance = instances.get(b);
            int rowStart = b * length;
            System.arraycopy(instance.tokenIds(), 0, inputIds, rowStart, instance.length());
            System.arraycopy(instance.segmentIds(), 0, tokenTypeIds, rowStart, instance.length());
            Arrays.fill(attentionMask, rowStart, rowStart + instance.length(), 1);
            for (int i = 0; i < instance.maskedPositions().length; i++, m++) {
                positions[m] = rowStart + instance.maskedPositions()[i];
                labels[m] = instance.maskedLabels()[i];
            }
            nextSentenceLabels[b] = instance.nextSentenceLabel();
        }
        return new PretrainingBatch(batchSize, length, inputIds, tokenTypeIds, attentionMask, positions, labels, weights,
                nextSentenceLabels);
    }
}
