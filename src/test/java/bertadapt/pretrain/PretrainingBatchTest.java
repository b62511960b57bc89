package bertadapt.pretrain;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PretrainingBatchTest {

    @Test
    void padsToTheLongestAndFlattensMaskedPositionsAsRowTimesLengthPlusColumn() {
        PretrainingInstance pair = new PretrainingInstance(
                new int[] {2, 10, 4, 3, 11, 3}, new int[] {0, 0, 0, 1, 1, 1}, new int[] {2, 4}, new int[] {12, 11}, true);
        PretrainingInstance single = new PretrainingInstance(
                new int[] {2, 4, 3}, new int[] {0, 0, 0}, new int[] {1}, new int[] {13}, false);
        PretrainingBatch batch = PretrainingBatch.of(List.of(pair, single), 0);
        assertEquals(2, batch.batchSize());
        assertEquals(6, batch.length());
        assertArrayEquals(new int[] {2, 10, 4, 3, 11, 3, 2, 4, 3, 0, 0, 0}, batch.inputIds());
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0}, batch.tokenTypeIds());
        assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0}, batch.attentionMask());
        assertArrayEquals(new int[] {2, 4, 6 + 1}, batch.maskedPositions());
        assertArrayEquals(new int[] {12, 11, 13}, batch.maskedLabels());
        assertArrayEquals(new float[] {1, 1, 1}, batch.maskedWeights());
        assertArrayEquals(new int[] {1, 0}, batch.nextSentenceLabels());
    }
}
