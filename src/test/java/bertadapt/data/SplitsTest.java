package bertadapt.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SplitsTest {

    private static final Map<Split, Double> THIRDS = Map.of(Split.TRAIN, 0.6, Split.VALIDATION, 0.25, Split.TEST, 0.15);

    /** 101 "a", 37 "b", 12 "c", interleaved so that file order and class order differ. */
    private static List<Example> unbalanced() {
        List<Example> examples = new ArrayList<>();
        int[] remaining = {101, 37, 12};
        for (int i = 0; examples.size() < 150; i++) {
            int label = i % 3;
            if (remaining[label]-- > 0) {
                examples.add(new Example("text " + examples.size(), null, "abc".substring(label, label + 1),
                        "row " + examples.size()));
            }
        }
        return examples;
    }

    @Test
    void eachClassIsSplitInTheGivenProportions() {
        List<Example> examples = unbalanced();
        Map<Split, List<Example>> parts = Splits.stratified(examples, THIRDS, 7);
        Map<String, Long> total = DatasetReadersTest.countByLabel(examples);
        for (Map.Entry<Split, List<Example>> part : parts.entrySet()) {
            Map<String, Long> counts = DatasetReadersTest.countByLabel(part.getValue());
            for (Map.Entry<String, Long> label : total.entrySet()) {
                double exact = label.getValue() * THIRDS.get(part.getKey());
                long actual = counts.getOrDefault(label.getKey(), 0L);
                assertTrue(Math.abs(actual - exact) < 1, part.getKey() + "/" + label.getKey() + ": " + actual
                        + " vs " + exact);
            }
        }
    }

    @Test
    void splitsAreDisjointCoveringAndInInputOrder() {
        List<Example> examples = unbalanced();
        Map<Split, List<Example>> parts = Splits.stratified(examples, THIRDS, 7);
        Set<Example> seen = new HashSet<>();
        for (List<Example> part : parts.values()) {
            for (Example example : part) {
                assertTrue(seen.add(example), "twice: " + example);
            }
            List<Integer> positions = part.stream().map(examples::indexOf).toList();
            assertEquals(positions.stream().sorted().toList(), positions);
        }
        assertEquals(new HashSet<>(examples), seen);
    }

    @Test
    void sameSeedSameSplitOtherSeedOtherSplit() {
        List<Example> examples = unbalanced();
        assertEquals(Splits.stratified(examples, THIRDS, 7), Splits.stratified(examples, THIRDS, 7));
        assertNotEquals(Splits.stratified(examples, THIRDS, 7).get(Split.TEST),
                Splits.stratified(examples, THIRDS, 8).get(Split.TEST));
    }

    @Test
    void subsets() {
        List<Example> examples = unbalanced();
        assertEquals(examples.subList(0, 5), Splits.first(examples, 5));
        assertEquals(examples, Splits.first(examples, 1000));
        List<Example> random = Splits.random(examples, 20, 3);
        assertEquals(20, new HashSet<>(random).size());
        assertEquals(random, Splits.random(examples, 20, 3));
        assertNotEquals(random, Splits.random(examples, 20, 4));
        List<Example> stratified = Splits.stratifiedSample(examples, 30, 3);
        assertEquals(30, stratified.size());
        Map<String, Long> counts = DatasetReadersTest.countByLabel(stratified);
        Map.of("a", 20.2, "b", 7.4, "c", 2.4).forEach((label, exact) ->
                assertTrue(Math.abs(counts.get(label) - exact) < 1, label + ": " + counts));
    }

    @Test
    void eachDrawTakesItsSubsetAndIsNamedInLowerCase() {
        List<Example> examples = unbalanced();
        assertEquals(Splits.first(examples, 5), Splits.Draw.FIRST.take(examples, 5, 3));
        assertEquals(Splits.Draw.FIRST.take(examples, 5, 3), Splits.Draw.FIRST.take(examples, 5, 4), "the seed plays no part");
        assertEquals(Splits.random(examples, 20, 3), Splits.Draw.RANDOM.take(examples, 20, 3));
        assertEquals(Splits.stratifiedSample(examples, 30, 3), Splits.Draw.STRATIFIED.take(examples, 30, 3));
        assertEquals(List.of("first", "random", "stratified"), Arrays.stream(Splits.Draw.values()).map(Splits.Draw::id).toList());
    }

    @Test
    void apportionIsExactAndWithinOne() {
        int[] counts = Splits.apportion(10, new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0});
        assertEquals(List.of(4, 3, 3), List.of(counts[0], counts[1], counts[2]));
    }
}
