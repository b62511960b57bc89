package bertadapt.pretrain;

import java.util.Arrays;

/**
 * An unmasked model input, {@code [CLS] A [SEP]} or {@code [CLS] A [SEP] B [SEP]}, before a
 * {@link Masker} masks it. Segment ids are 0 up to and including the first [SEP], 1 after it.
 * {@code isRandomNext} is true when B was drawn from another document (always false for singles).
 * Callers must not modify the arrays.
 */
public record PretrainingSequence(int[] tokenIds, int[] segmentIds, boolean isRandomNext) {

    public PretrainingSequence {
        if (tokenIds.length != segmentIds.length) {
            throw new IllegalArgumentException(tokenIds.length + " token ids but " + segmentIds.length + " segment ids");
        }
    }

    /** {@code [CLS] content [SEP]}, all segment 0. */
    public static PretrainingSequence single(int[] content, int from, int to, PretrainingVocab vocab) {
        int[] tokens = new int[to - from + 2];
        tokens[0] = vocab.clsId();
        System.arraycopy(content, from, tokens, 1, to - from);
        tokens[tokens.length - 1] = vocab.sepId();
        return new PretrainingSequence(tokens, new int[tokens.length], false);
    }

    /** {@code [CLS] a[aFrom, aTo) [SEP] b[bFrom, bTo) [SEP]}, segment ids 0 then 1. */
    public static PretrainingSequence pair(int[] a, int aFrom, int aTo, int[] b, int bFrom, int bTo,
                                           boolean isRandomNext, PretrainingVocab vocab) {
        int lengthA = aTo - aFrom;
        int lengthB = bTo - bFrom;
        int[] tokens = new int[lengthA + lengthB + 3];
        int[] segments = new int[tokens.length];
        tokens[0] = vocab.clsId();
        System.arraycopy(a, aFrom, tokens, 1, lengthA);
        tokens[lengthA + 1] = vocab.sepId();
        System.arraycopy(b, bFrom, tokens, lengthA + 2, lengthB);
        tokens[tokens.length - 1] = vocab.sepId();
        Arrays.fill(segments, lengthA + 2, tokens.length, 1);
        return new PretrainingSequence(tokens, segments, isRandomNext);
    }

    public int length() {
        return tokenIds.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PretrainingSequence that
                && isRandomNext == that.isRandomNext
                && Arrays.equals(tokenIds, that.tokenIds)
                && Arrays.equals(segmentIds, that.segmentIds);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(tokenIds) + Arrays.hashCode(segmentIds)) + Boolean.hashCode(isRandomNext);
    }

    @Override
    public String toString() {
        return "PretrainingSequence[tokenIds=" + Arrays.toString(tokenIds) + ", segmentIds=" + Arrays.toString(segmentIds)
                + ", isRandomNext=" + isRandomNext + "]";
    }
}
