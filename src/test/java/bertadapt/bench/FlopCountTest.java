package bertadapt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FlopCountTest {

    /** The tiny size (H 128, L 2, I 512, V 30522) at B 2, T 16, P 20, C 2: n = B*T = 32 rows, M = B*P = 40 masked. */
    private final FlopCount tiny = new FlopCount(BenchShape.TINY.config(), 2, 16, 20, 2);

    @Test
    void layerCountsProjectionsFeedForwardAndAttention() {
        long projections = 4 * 2 * 32 * 128 * 128;   //  4,194,304
        long feedForward = 2 * 2 * 32 * 128 * 512;    //  8,388,608
        long attention = 2 * 2 * 32 * 16 * 128;       //    262,144
        assertEquals(12_845_056, projections + feedForward + attention);
        assertEquals(12_845_056, tiny.layerForward());
    }

    @Test
    void encoderIsTheLayersAndThePooler() {
        assertEquals(2 * 12_845_056 + 2 * 2 * 128 * 128, tiny.encoderForward()); // 25,755,648
    }

    @Test
    void headsAreClassifierTransformAndTheDecoderOverTheVocabulary() {
        long classifier = 2 * 2 * 128 * 2;            //       1,024
        long transform = 2 * 40 * 128 * 128;          //   1,310,720
        long decoder = 2L * 40 * 128 * 30522;         // 312,545,280
        assertEquals(313_857_024, classifier + transform + decoder);
        assertEquals(313_857_024, tiny.headsForward());
    }

    @Test
    void trainingIsThreeForwardPassesAndFrozenLayersRunForwardOnly() {
        assertEquals(3 * (25_755_648L + 313_857_024L), tiny.trainingStep());                   // 1,018,838,016
        assertEquals(12_845_056 + 3 * (25_755_648L + 313_857_024L - 12_845_056), tiny.frozenTrainingStep(1));
        assertEquals(tiny.trainingStep(), tiny.frozenTrainingStep(0));
    }
}
