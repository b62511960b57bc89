package bertadapt.pretrain;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaskedLmEvaluationTest {

    private static float log(double x) {
        return (float) Math.log(x);
    }

    @Test
    void uniformLogitsGivePerplexityOfTheVocabularySize() {
        MaskedLmEvaluation evaluation = new MaskedLmEvaluation();
        evaluation.add(new float[] {3, 3, 3, 3, 3, 3, 3, 3}, 4, new int[] {2, 0}, new float[] {1, 1});
        assertEquals(4.0, evaluation.score().perplexity(), 1e-6);
        assertEquals(0.5, evaluation.score().accuracy(), 1e-12, "ties go to id 0, right only for the second");
    }

    @Test
    void knownDistributionsAcrossBatchesWithPaddingSlotsIgnored() {
        MaskedLmEvaluation evaluation = new MaskedLmEvaluation();
        // p(label) = 1/4, wrong: the argmax is id 0.
        evaluation.add(new float[] {log(0.5), log(0.125), log(0.25), log(0.125)}, 4, new int[] {2}, new float[] {1});
        // p(label) = 1/2, right; the second row is a padding slot with weight 0.
        evaluation.add(new float[] {log(0.5), log(0.25), log(0.125), log(0.125), 100, 0, 0, 0}, 4,
                new int[] {0, 3}, new float[] {1, 0});
        MaskedLmEvaluation.MaskedLmScore score = evaluation.score();
        assertEquals(2, score.predictions());
        assertEquals(0.5, score.accuracy(), 1e-12);
        assertEquals(1.5 * Math.log(2), score.meanCrossEntropy(), 1e-6);
        assertEquals(Math.pow(2, 1.5), score.perplexity(), 1e-5);
    }

    @Test
    void largeLogitsDoNotOverflow() {
        MaskedLmEvaluation evaluation = new MaskedLmEvaluation();
        evaluation.add(new float[] {1000, 1000}, 2, new int[] {1}, new float[] {1});
        assertEquals(Math.log(2), evaluation.score().meanCrossEntropy(), 1e-9);
    }

    @Test
    void emptyScoreIsNaNAndShapesAreChecked() {
        assertTrue(Double.isNaN(new MaskedLmEvaluation().score().perplexity()));
        assertThrows(IllegalArgumentException.class,
                () -> new MaskedLmEvaluation().add(new float[5], 4, new int[] {1}, new float[] {1}));
    }
}
