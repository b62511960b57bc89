package bertadapt.data;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A named dataset: its splits, each a list of examples in file order, and the label vocabulary of its task.
 *
 * @param splits    only the splits the dataset has; iteration follows {@link Split}'s order
 * @param splitSeed the seed that drew the train/test split of a dataset published without one; empty when the
 *                  splits are the publisher's
 */
public record LabelledDataset(String name, Map<Split, List<Example>> splits, LabelVocabulary labels,
                              OptionalLong splitSeed) {

    public LabelledDataset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(labels, "labels");
        Objects.requireNonNull(splitSeed, "splitSeed");
        EnumMap<Split, List<Example>> copy = new EnumMap<>(Split.class);
        splits.forEach((split, examples) -> copy.put(split, List.copyOf(examples)));
        splits = Collections.unmodifiableMap(copy);
    }

    /** A dataset with its publisher's splits. */
    public LabelledDataset(String name, Map<Split, List<Example>> splits, LabelVocabulary labels) {
        this(name, splits, labels, OptionalLong.empty());
    }

    /** A dataset whose train/test split was drawn with {@code splitSeed}. */
    public static LabelledDataset resplit(String name, Map<Split, List<Example>> splits, LabelVocabulary labels,
                                          long splitSeed) {
        return new LabelledDataset(name, splits, labels, OptionalLong.of(splitSeed));
    }

    /** The name, and the seed that drew the split when one was drawn: how commands and reports title the dataset. */
    public String title() {
        return splitSeed.isPresent() ? name + " (split seed " + splitSeed.getAsLong() + ")" : name;
    }

    public boolean has(Split split) {
        return splits.containsKey(split);
    }

    /** The examples of {@code split}; throws naming the splits this dataset has when it lacks it. */
    public List<Example> split(Split split) {
        List<Example> examples = splits.get(split);
        if (examples == null) {
            throw new IllegalArgumentException("Dataset '" + name + "' has no " + split.id() + " split; it has "
                    + splits.keySet().stream().map(Split::id).toList()
                    + (split == Split.VALIDATION ? "; carve one from train with Splits.withValidation" : ""));
        }
        return examples;
    }

    /** This dataset with {@code split} replaced or added. */
    public LabelledDataset with(Split split, List<Example> examples) {
        EnumMap<Split, List<Example>> changed = new EnumMap<>(Split.class);
        changed.putAll(splits);
        changed.put(split, examples);
        return new LabelledDataset(name, changed, labels, splitSeed);
    }
}
