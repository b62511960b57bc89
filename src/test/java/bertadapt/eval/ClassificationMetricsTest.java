package bertadapt.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {

    @Test
    void binaryScoresThePositiveClass() {
        // gold 1 1 1 1 0 0 0 0 0 0 ; predicted 1 1 1 0 1 0 0 0 0 0 -> TP 3, FN 1, FP 1, TN 5
        int[] gold = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0};
        int[] predicted = {1, 1, 1, 0, 1, 0, 0, 0, 0, 0};
        ClassificationMetrics m = ClassificationMetrics.of(gold, predicted, 2);
        assertEquals(0.8, m.accuracy(), 1e-12);
        assertEquals(0.75, m.precision(), 1e-12);
        assertEquals(0.75, m.recall(), 1e-12);
        assertEquals(0.75, m.f1(), 1e-12);
        assertArrayEquals(new int[] {5, 1}, m.confusion()[0]);
        assertArrayEquals(new int[] {1, 3}, m.confusion()[1]);
        // class 0: precision 5/6, recall 5/6 -> macro F1 = (5/6 + 3/4) / 2
        assertEquals((5.0 / 6 + 0.75) / 2, m.macroF1(), 1e-12);
    }

    @Test
    void multiClassMacroAndMicro() {
        int[] gold = {0, 0, 1, 1, 2, 2};
        int[] predicted = {0, 1, 1, 1, 2, 0};
        ClassificationMetrics m = ClassificationMetrics.of(gold, predicted, 3);
        // class 0: P 1/2 R 1/2 F 1/2; class 1: P 2/3 R 1 F 0.8; class 2: P 1 R 1/2 F 2/3
        assertEquals((0.5 + 0.8 + 2.0 / 3) / 3, m.macroF1(), 1e-12);
        assertEquals(m.macroF1(), m.f1(), 1e-12);
        assertEquals(4.0 / 6, m.microF1(), 1e-12);
        assertEquals(4.0 / 6, m.accuracy(), 1e-12);
    }

    @Test
    void aClassNeverPredictedHasZeroPrecisionNotNaN() {
        ClassificationMetrics m = ClassificationMetrics.of(new int[] {1, 1, 0}, new int[] {0, 0, 0}, 2);
        assertEquals(0, m.precision());
        assertEquals(0, m.f1());
    }

    @Test
    void mismatchedLengthsAreAnError() {
        assertThrows(IllegalArgumentException.class, () -> ClassificationMetrics.of(new int[] {1}, new int[] {1, 0}, 2));
    }
}
