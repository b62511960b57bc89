package bertadapt.text;

import java.util.Arrays;
import java.util.List;

/**
 * A batch padded to its longest row, stored row-major in flat arrays of {@code batchSize *
 * sequenceLength} so it maps directly onto a tensor, e.g.
 * {@code Nd4j.createFromArray(batch.inputIds()).reshape(batch.shape())}.
 *
 * <p>Padding positions hold the [PAD] id, token type 0 and attention mask 0. {@code truncated[i]}
 * tells whether row {@code i} lost word pieces to the maximum length. Arrays are compared by
 * content in {@link #equals}; callers must not modify them.
 */
public record EncodedBatch(
        int batchSize,
        int sequenceLength,
        int[] inputIds,
        int[] tokenTypeIds,
        int[] attentionMask,
        boolean[] truncated) {

    public EncodedBatch {
        int cells = Math.multiplyExact(batchSize, sequenceLength);
        if (inputIds.length != cells || tokenTypeIds.length != cells || attentionMask.length != cells) {
            throw new IllegalArgumentException("expected " + batchSize + " x " + sequenceLength + " = " + cells
                    + " values per array, got " + inputIds.length + ", " + tokenTypeIds.length + ", "
                    + attentionMask.length);
        }
        if (truncated.length != batchSize) {
            throw new IllegalArgumentException("expected " + batchSize + " truncation flags, got " + truncated.length);
        }
    }

    /**
     * Training batches are padded to a multiple of this many tokens (and masked-LM predictions to a multiple of
     * this many slots). SameDiff reuses a released buffer only for an array of exactly its shape, so with every
     * batch at its own length a step allocates most of its buffers afresh; a few lengths let the buffers of one
     * batch serve the next, for at most 15 padded positions per row.
     */
    public static final int SIZE_MULTIPLE = 16;

    /** {@code size} rounded up to a multiple of {@link #SIZE_MULTIPLE}, but at most {@code max} (itself at least {@code size}). */
    public static int paddedSize(int size, int max) {
        if (max < size) {
            throw new IllegalArgumentException("cannot pad " + size + " to at most " + max);
        }
        return Math.min((size + SIZE_MULTIPLE - 1) / SIZE_MULTIPLE * SIZE_MULTIPLE, max);
    }

    /** Pads encoded texts to the longest of them with {@code padId} (attention mask 0 on padding). */
    public static EncodedBatch pad(List<EncodedText> rows, int padId) {
        return padTo(rows, padId, longest(rows));
    }

    /** The length of the longest of {@code rows}, 0 for none. */
    public static int longest(List<EncodedText> rows) {
        return rows.stream().mapToInt(EncodedText::length).max().orElse(0);
    }

    /** Pads encoded texts to {@code length}, which must be at least the longest of them. */
    public static EncodedBatch padTo(List<EncodedText> rows, int padId, int length) {
        if (length < longest(rows)) {
            throw new IllegalArgumentException("cannot pad to " + length + " tokens: the longest row has " + longest(rows));
        }
        int[] inputIds = new int[rows.size() * length];
        int[] tokenTypeIds = new int[rows.size() * length];
        int[] attentionMask = new int[rows.size() * length];
        boolean[] truncated = new boolean[rows.size()];
        Arrays.fill(inputIds, padId);
        for (int row = 0; row < rows.size(); row++) {
            EncodedText text = rows.get(row);
            System.arraycopy(text.inputIds(), 0, inputIds, row * length, text.length());
            System.arraycopy(text.tokenTypeIds(), 0, tokenTypeIds, row * length, text.length());
            System.arraycopy(text.attentionMask(), 0, attentionMask, row * length, text.length());
            truncated[row] = text.truncated();
        }
        return new EncodedBatch(rows.size(), length, inputIds, tokenTypeIds, attentionMask, truncated);
    }

    /** {@code {batchSize, sequenceLength}}, the shape of each array as a tensor. */
    public long[] shape() {
        return new long[] {batchSize, sequenceLength};
    }

    /** How many rows were truncated, for reporting. */
    public int truncatedCount() {
        int count = 0;
        for (boolean rowTruncated : truncated) {
            count += rowTruncated ? 1 : 0;
        }
        return count;
    }

    public int[][] inputIdsMatrix() {
        return toMatrix(inputIds);
    }

    public int[][] tokenTypeIdsMatrix() {
        return toMatrix(tokenTypeIds);
    }

    public int[][] attentionMaskMatrix() {
        return toMatrix(attentionMask);
    }

    private int[][] toMatrix(int[] flat) {
        int[][] rows = new int[batchSize][];
        for (int row = 0; row < batchSize; row++) {
            rows[row] = Arrays.copyOfRange(flat, row * sequenceLength, (row + 1) * sequenceLength);
        }
        return rows;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EncodedBatch that
                && batchSize == that.batchSize
                && sequenceLength == that.sequenceLength
                && Arrays.equals(inputIds, that.inputIds)
                && Arrays.equals(tokenTypeIds, that.tokenTypeIds)
                && Arrays.equals(attentionMask, that.attentionMask)
                && Arrays.equals(truncated, that.truncated);
    }

    @Override
    public int hashCode() {
        int hash = 31 * batchSize + sequenceLength;
        hash = 31 * hash + Arrays.hashCode(inputIds);
        hash = 31 * hash + Arrays.hashCode(tokenTypeIds);
        hash = 31 * hash + Arrays.hashCode(attentionMask);
        return 31 * hash + Arrays.hashCode(truncated);
    }

    @Override
    public String toString() {
        return "EncodedBatch[" + batchSize + " x " + sequenceLength + ", inputIds=" + Arrays.deepToString(inputIdsMatrix())
                + ", truncated=" + Arrays.toString(truncated) + "]";
    }
}
