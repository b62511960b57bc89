package bertadapt.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The label names of a classification task and their ids (positions), in a fixed order so that a classifier's
 * output {@code i} means the same class in training, evaluation and inference. Saved as JSON beside a fine-tuned
 * model: {@code {"labels": ["0", "1"]}}.
 */
public final class LabelVocabulary {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final List<String> names;
    private final Map<String, Integer> ids;

    private LabelVocabulary(List<String> names) {
        this.names = List.copyOf(names);
        this.ids = new HashMap<>();
        for (String name : this.names) {
            if (name.isEmpty()) {
                throw new IllegalArgumentException("Empty label name in " + names);
            }
            if (ids.putIfAbsent(name, ids.size()) != null) {
                throw new IllegalArgumentException("Duplicate label '" + name + "' in " + names);
            }
        }
        if (this.names.isEmpty()) {
            throw new IllegalArgumentException("A label vocabulary needs at least one label");
        }
    }

    /** Labels in the given order, e.g. as a dataset's class file lists them. */
    public static LabelVocabulary of(List<String> names) {
        return new LabelVocabulary(names);
    }

    /**
     * The distinct labels of {@code examples} (unlabelled ones ignored) in a deterministic order that does not
     * depend on the order of the examples: numerically when every label is an integer ({@code 2 < 10}),
     * otherwise by {@link String#compareTo}.
     */
    public static LabelVocabulary fromExamples(Collection<Example> examples) {
        TreeSet<String> distinct = new TreeSet<>();
        for (Example example : examples) {
            if (example.label() != null) {
                distinct.add(example.label());
            }
        }
        if (distinct.isEmpty()) {
            throw new IllegalArgumentException("No labelled examples to build a label vocabulary from");
        }
        List<String> sorted = new ArrayList<>(distinct);
        if (sorted.stream().allMatch(LabelVocabulary::isInteger)) {
            sorted.sort(Comparator.comparing(java.math.BigInteger::new));
        }
        return new LabelVocabulary(sorted);
    }

    private static boolean isInteger(String text) {
        return text.matches("[+-]?\\d+");
    }

    /** The id of {@code label}; throws naming the label and the known ones when it is not in the vocabulary. */
    public int id(String label) {
        Integer id = ids.get(label);
        if (id == null) {
            throw new IllegalArgumentException("Unknown label '" + label + "'; known labels: " + names);
        }
        return id;
    }

    public boolean contains(String label) {
        return ids.containsKey(label);
    }

    public String name(int id) {
        if (id < 0 || id >= names.size()) {
            throw new IndexOutOfBoundsException("Label id " + id + " is outside 0.." + (names.size() - 1)
                    + " of " + names);
        }
        return names.get(id);
    }

    public List<String> names() {
        return names;
    }

    public int size() {
        return names.size();
    }

    /** The JSON {@link #write} writes, for files written together with others (a model directory). */
    public String toJson() {
        try {
            return JSON.writeValueAsString(new Json(names));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void write(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            JSON.writeValue(file.toFile(), new Json(names));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write label vocabulary " + file + ": " + e.getMessage(), e);
        }
    }

    public static LabelVocabulary read(Path file) {
        Json json;
        try {
            json = JSON.readValue(file.toFile(), Json.class);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read label vocabulary " + file + ": " + e.getMessage(), e);
        }
        if (json.labels() == null || json.labels().stream().anyMatch(Objects::isNull)) {
            throw new DatasetFormatException(file + ": expected {\"labels\": [names...]} without nulls");
        }
        try {
            return new LabelVocabulary(json.labels());
        } catch (IllegalArgumentException e) {
            throw new DatasetFormatException(file + ": " + e.getMessage(), e);
        }
    }

    private record Json(List<String> labels) {
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LabelVocabulary that && names.equals(that.names);
    }

    @Override
    public int hashCode() {
        return names.hashCode();
    }

    @Override
    public String toString() {
        return "LabelVocabulary" + names;
    }
}
