package bertadapt.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightMatchTest {
    static Tensor zeros(long... shape) {
        return new Tensor(shape, new float[(int) Tensor.numel(shape)]);
    }

    static Map<String, long[]> model() {
        Map<String, long[]> expected = new LinkedHashMap<>();
        expected.put("a.weight", new long[] {2, 3});
        expected.put("a.bias", new long[] {2});
        expected.put("head.weight", new long[] {4, 2});
        expected.put("head.bias", new long[] {4});
        return expected;
    }

    @Test
    void reportsMatchedMissingAndUnused() {
        Map<String, Tensor> checkpoint = new LinkedHashMap<>();
        checkpoint.put("a.bias", zeros(2));
        checkpoint.put("a.weight", zeros(2, 3));
        checkpoint.put("cls.seq_relationship.weight", zeros(2, 2));
        WeightMatch match = WeightMatch.of(model(), checkpoint);
        assertEquals(List.of("a.weight", "a.bias"), match.matched());
        assertEquals(List.of("head.weight", "head.bias"), match.missing());
        assertEquals(List.of("cls.seq_relationship.weight"), match.unused());
        assertEquals(false, match.isComplete());
        assertEquals("Some weights of ckpt were not used when initializing BertForSequenceClassification: "
                        + "[cls.seq_relationship.weight]\n"
                        + "Some weights of BertForSequenceClassification were not initialized from ckpt and are newly "
                        + "initialized: [head.weight, head.bias]\n",
                match.describe("ckpt", "BertForSequenceClassification"));
    }

    @Test
    void describesACompleteMatchInOneLine() {
        Map<String, Tensor> checkpoint = new LinkedHashMap<>();
        model().forEach((name, shape) -> checkpoint.put(name, zeros(shape)));
        WeightMatch match = WeightMatch.of(model(), checkpoint);
        assertTrue(match.isComplete());
        assertEquals("All 4 weights of the model were initialized from the checkpoint.\n", match.describe());
    }

    @Test
    void listsEveryShapeMismatch() {
        Map<String, Tensor> checkpoint = new LinkedHashMap<>();
        checkpoint.put("a.weight", zeros(3, 2));
        checkpoint.put("a.bias", zeros(2));
        checkpoint.put("head.weight", zeros(2, 4));
        WeightMatch.ShapeMismatchException e = assertThrows(WeightMatch.ShapeMismatchException.class,
                () -> WeightMatch.of(model(), checkpoint));
        assertEquals(List.of("a.weight: checkpoint [3, 2] vs model [2, 3]", "head.weight: checkpoint [2, 4] vs model [4, 2]"),
                e.mismatches());
        assertTrue(e.getMessage().contains("a.weight: checkpoint [3, 2] vs model [2, 3]")
                && e.getMessage().contains("head.weight: checkpoint [2, 4] vs model [4, 2]"), e.getMessage());
    }
}
