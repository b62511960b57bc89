package bertadapt.pretrain;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PretrainingBatchTest {

    private static final PretrainingInstance PAIR = new PretrainingInstance(
            new int[] {2, 10, 4, 3, 11, 3}, new int[] {0, 0, 0, 1, 1, 1}, new int[] {2, 4}, new int[] {12, 11}, true);
    private static final PretrainingInstance SINGLE = new PretrainingInstance(
            new int[] {2, 4, 3}, new int[] {0, 0, 0}, new int[] {1}, new int[] {13}, false);

    @Test
    void padsToTheLongestWithinTheMaximumAndFlattensMaskedPositionsAsRowTimesLengthPlusColumn() {
        PretrainingBatch batch = PretrainingBatch.of(List.of(PAIR, SINGLE), 0, 6);
        assertEquals(2, batch.batchSize());
        assertEquals(6, batch.length());
        assertArrayEquals(new int[] {2, 10, 4, 3, 11, 3, 2, 4, 3, 0, 0, 0}, batch.inputIds());
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0}, batch.tokenTypeIds());
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, batch.attentionMask());
        assertArrayEquals(new int[] {2, 4, 6 + 1}, Arrays.copyOf(batch.maskedPositions(), 3));
        assertArrayEquals(new int[] {12, 11, 13}, Arrays.copyOf(batch.maskedLabels(), 3));
        assertArrayEquals(new int[] {1, 0}, batch.nextSentenceLabels());
    }

    @Test
    void roundsLengthAndPredictionSlotsUpToMultiplesOf16WithWeightZeroPadding() {
        PretrainingBatch batch = PretrainingBatch.of(List.of(PAIR, SINGLE), 0, 512);
        assertEquals(16, batch.length(), "6 tokens round up to 16");
        assertEquals(2 * 16, batch.inputIds().length);
        assertEquals(0, batch.attentionMask()[6], "padding is masked");
        assertEquals(16, batch.maskedPositions().length, "3 predictions round up to 16 slots");
        assertEquals(16 + 1, batch.maskedPositions()[2], "the second row starts at T = 16");
        float[] weights = new float[16];
        Arrays.fill(weights, 0, 3, 1f);
        assertArrayEquals(weights, batch.maskedWeights());
        assertArrayEquals(new int[13], Arrays.copyOfRange(batch.maskedPositions(), 3, 16), "padding slots point at position 0");
    }
}
