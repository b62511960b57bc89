package bertadapt.data;

import com.fasterxml.jackson.annotation.JsonValue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Seeded, deterministic re-splits and subsets. Stratified means every label is divided in the given proportions,
 * each part within one example of its exact share. Results keep the input's order (shuffle when training), so a
 * split depends only on the examples, the fractions and the seed.
 */
public final class Splits {

    private static final double FRACTION_TOLERANCE = 1e-6;

    /** How a subset of a split is drawn, for quick runs. */
    public enum Draw {
        /** The first N examples in the split's order; the seed plays no part. */
        FIRST,
        /** N examples at random. */
        RANDOM,
        /** N examples at random, each label in its share of the whole. */
        STRATIFIED;

        /** {@code n} examples of {@code examples}, in input order (all of them when there are fewer). */
        public List<Example> take(List<Example> examples, int n, long seed) {
            return switch (this) {
                case FIRST -> first(examples, n);
                case RANDOM -> random(examples, n, seed);
                case STRATIFIED -> stratifiedSample(examples, n, seed);
            };
        }

        /** The lower-case name an experiment spec and the command line use. */
        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private Splits() {
    }

    /**
     * Divides {@code examples} into the given splits, each label in the same proportions. Unlabelled examples
     * are divided as one more group.
     *
     * @param fractions positive shares summing to 1, e.g. {@code {TRAIN: 0.8, TEST: 0.2}}
     */
    public static Map<Split, List<Example>> stratified(List<Example> examples, Map<Split, Double> fractions,
            long seed) {
        EnumMap<Split, Double> shares = checkFractions(fractions);
        List<Split> parts = List.copyOf(shares.keySet());
        double[] weights = shares.values().stream().mapToDouble(Double::doubleValue).toArray();
        List<List<Integer>> chosen = new ArrayList<>();
        parts.forEach(part -> chosen.add(new ArrayList<>()));
        Random random = new Random(seed);
        for (List<Integer> group : shuffledGroupsByLabel(examples, random)) {
            int[] counts = apportion(group.size(), weights);
            int next = 0;
            for (int part = 0; part < counts.length; part++) {
                chosen.get(part).addAll(group.subList(next, next + counts[part]));
                next += counts[part];
            }
        }
        Map<Split, List<Example>> result = new EnumMap<>(Split.class);
        for (int part = 0; part < parts.size(); part++) {
            result.put(parts.get(part), inInputOrder(examples, chosen.get(part)));
        }
        return result;
    }

    /**
     * {@code dataset} with a validation split carved out of its train split (stratified); the rest stays train.
     * For datasets published without one, such as IMDb.
     */
    public static LabelledDataset withValidation(LabelledDataset dataset, double fraction, long seed) {
        if (dataset.has(Split.VALIDATION)) {
            throw new IllegalArgumentException("Dataset '" + dataset.name() + "' already has a validation split");
        }
        Map<Split, List<Example>> parts = stratified(dataset.split(Split.TRAIN),
                Map.of(Split.TRAIN, 1 - fraction, Split.VALIDATION, fraction), seed);
        return dataset.with(Split.TRAIN, parts.get(Split.TRAIN)).with(Split.VALIDATION, parts.get(Split.VALIDATION));
    }

    /** The first {@code n} examples (all of them when there are fewer). */
    public static List<Example> first(List<Example> examples, int n) {
        return List.copyOf(examples.subList(0, Math.min(checkCount(n), examples.size())));
    }

    /** {@code n} examples drawn at random without replacement, in input order (all of them when there are fewer). */
    public static List<Example> random(List<Example> examples, int n, long seed) {
        List<Integer> indices = indices(examples.size());
        Collections.shuffle(indices, new Random(seed));
        return inInputOrder(examples, indices.subList(0, Math.min(checkCount(n), indices.size())));
    }

    /** {@code n} examples drawn at random with each label in its share of the whole, in input order. */
    public static List<Example> stratifiedSample(List<Example> examples, int n, long seed) {
        if (checkCount(n) >= examples.size()) {
            return List.copyOf(examples);
        }
        List<List<Integer>> groups = shuffledGroupsByLabel(examples, new Random(seed));
        int[] quotas = apportion(n, groups.stream().mapToDouble(group -> (double) group.size() / examples.size())
                .toArray());
        List<Integer> chosen = new ArrayList<>();
        for (int g = 0; g < groups.size(); g++) {
            chosen.addAll(groups.get(g).subList(0, quotas[g]));
        }
        return inInputOrder(examples, chosen);
    }

    /** Indices of the examples grouped by label (labels sorted, unlabelled last), each group shuffled. */
    private static List<List<Integer>> shuffledGroupsByLabel(List<Example> examples, Random random) {
        Map<String, List<Integer>> byLabel = new TreeMap<>(Comparator.nullsLast(Comparator.naturalOrder()));
        for (int i = 0; i < examples.size(); i++) {
            byLabel.computeIfAbsent(examples.get(i).label(), label -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> groups = new ArrayList<>(byLabel.values());
        groups.forEach(group -> Collections.shuffle(group, random));
        return groups;
    }

    /**
     * Splits {@code total} into whole counts proportional to {@code weights} (summing to 1) by largest remainder,
     * so each count is within one of its exact share and the counts add up to {@code total}.
     */
    static int[] apportion(int total, double[] weights) {
        int[] counts = new int[weights.length];
        double[] remainders = new double[weights.length];
        int assigned = 0;
        for (int i = 0; i < weights.length; i++) {
            double exact = total * weights[i];
            counts[i] = (int) Math.floor(exact);
            remainders[i] = exact - counts[i];
            assigned += counts[i];
        }
        List<Integer> byRemainder = indices(weights.length);
        // Ties go to the earlier part, so the outcome does not depend on sort stability or floating noise order.
        byRemainder.sort(Comparator.comparingDouble((Integer i) -> -remainders[i]).thenComparing(i -> i));
        for (int k = 0; assigned < total; k++, assigned++) {
            counts[byRemainder.get(k % weights.length)]++;
        }
        return counts;
    }

    private static EnumMap<Split, Double> checkFractions(Map<Split, Double> fractions) {
        if (fractions.isEmpty()) {
            throw new IllegalArgumentException("No split fractions given");
        }
        EnumMap<Split, Double> shares = new EnumMap<>(fractions);
        double sum = 0;
        for (Map.Entry<Split, Double> share : shares.entrySet()) {
            if (!(share.getValue() > 0 && share.getValue() <= 1)) {
                throw new IllegalArgumentException("Split fraction for " + share.getKey().id() + " must be in (0, 1], "
                        + "got " + share.getValue());
            }
            sum += share.getValue();
        }
        if (Math.abs(sum - 1) > FRACTION_TOLERANCE) {
            throw new IllegalArgumentException("Split fractions must sum to 1, got " + sum + " for " + fractions);
        }
        return shares;
    }

    private static int checkCount(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("Subset size must be >= 0, got " + n);
        }
        return n;
    }

    private static List<Integer> indices(int size) {
        List<Integer> indices = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            indices.add(i);
        }
        return indices;
    }

    private static List<Example> inInputOrder(List<Example> examples, List<Integer> indices) {
        return indices.stream().sorted().map(examples::get).toList();
    }
}
