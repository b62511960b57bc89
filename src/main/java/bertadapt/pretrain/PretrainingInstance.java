package bertadapt.pretrain;

import java.util.Arrays;

/**
 * One masked pre-training example.
 *
 * @param tokenIds        [T] the model input, [CLS]/[SEP] included, masked positions already replaced
 * @param segmentIds      [T] 0 for [CLS] A [SEP], 1 for B [SEP]
 * @param maskedPositions [M] ascending positions in {@code tokenIds} the MLM head predicts
 * @param maskedLabels    [M] the original id at each masked position
 * @param isRandomNext    NSP label: true when segment B was drawn from another document
 *
 * <p>Arrays are compared by content; callers must not modify them.
 */
public record PretrainingInstance(int[] tokenIds, int[] segmentIds, int[] maskedPositions, int[] maskedLabels,
                                  boolean isRandomNext) {

    public PretrainingInstance {
        if (tokenIds.length != segmentIds.length) {
            throw new IllegalArgumentException(tokenIds.length + " token ids but " + segmentIds.length + " segment ids");
        }
        if (maskedPositions.length != maskedLabels.length) {
            throw new IllegalArgumentException(maskedPositions.length + " masked positions but "
                    + maskedLabels.length + " labels");
        }
        for (int i = 0; i < maskedPositions.length; i++) {
            int position = maskedPositions[i];
            if (position < 0 || position >= tokenIds.length || (i > 0 && position <= maskedPositions[i - 1])) {
                throw new IllegalArgumentException("masked positions must ascend within [0, " + tokenIds.length
                        + "), got " + Arrays.toString(maskedPositions));
            }
        }
    }

    public int length() {
        return tokenIds.length;
    }

    /** The NSP head's label: 0 when B follows A, 1 when B is random. */
    public int nextSentenceLabel() {
        return isRandomNext ? 1 : 0;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PretrainingInstance that
                && isRandomNext == that.isRandomNext
                && Arrays.equals(tokenIds, that.tokenIds)
                && Arrays.equals(segmentIds, that.segmentIds)
                && Arrays.equals(maskedPositions, that.maskedPositions)
                && Arrays.equals(maskedLabels, that.maskedLabels);
    }

    @Override
    public int hashCode() {
        int hash = Arrays.hashCode(tokenIds);
        hash = 31 * hash + Arrays.hashCode(segmentIds);
        hash = 31 * hash + Arrays.hashCode(maskedPositions);
        hash = 31 * hash + Arrays.hashCode(maskedLabels);
        return 31 * hash + Boolean.hashCode(isRandomNext);
    }

    @Override
    public String toString() {
        return "PretrainingInstance[tokenIds=" + Arrays.toString(tokenIds) + ", segmentIds=" + Arrays.toString(segmentIds)
                + ", maskedPositions=" + Arrays.toString(maskedPositions) + ", maskedLabels="
                + Arrays.toString(maskedLabels) + ", isRandomNext=" + isRandomNext + "]";
    }
}
