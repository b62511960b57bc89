package bertadapt.text;

import java.util.Arrays;

/**
 * One encoded input, {@code [CLS] A [SEP]} or {@code [CLS] A [SEP] B [SEP]}, with
 * {@code truncated} telling whether word pieces were dropped to fit the maximum length.
 *
 * <p>Arrays are compared by content in {@link #equals}; callers must not modify them.
 */
public record EncodedText(int[] inputIds, int[] tokenTypeIds, int[] attentionMask, boolean truncated) {

    public EncodedText {
        if (inputIds.length != tokenTypeIds.length || inputIds.length != attentionMask.length) {
            throw new IllegalArgumentException("inputIds, tokenTypeIds and attentionMask differ in length: "
                    + inputIds.length + ", " + tokenTypeIds.length + ", " + attentionMask.length);
        }
    }

    public int length() {
        return inputIds.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EncodedText that
                && truncated == that.truncated
                && Arrays.equals(inputIds, that.inputIds)
                && Arrays.equals(tokenTypeIds, that.tokenTypeIds)
                && Arrays.equals(attentionMask, that.attentionMask);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * Arrays.hashCode(inputIds) + Arrays.hashCode(tokenTypeIds))
                + Arrays.hashCode(attentionMask)) + Boolean.hashCode(truncated);
    }

    @Override
    public String toString() {
        return "EncodedText[inputIds=" + Arrays.toString(inputIds) + ", tokenTypeIds=" + Arrays.toString(tokenTypeIds)
                + ", attentionMask=" + Arrays.toString(attentionMask) + ", truncated=" + truncated + "]";
    }
}
