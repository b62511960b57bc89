package bertadapt.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns the label as written in a file into the label name examples carry: unchanged ({@code "1"} stays
 * {@code "1"}), or through a class file that names the classes by line ({@code "3"} becomes {@code "Business"}).
 *
 * @param rawToName accepted raw labels and their names, in vocabulary order; null accepts any label unchanged
 */
record LabelDecoder(Map<String, String> rawToName) {

    /** Accepts any non-empty label as it is, for files whose label set is not known in advance. */
    static LabelDecoder any() {
        return new LabelDecoder(null);
    }

    /** Accepts exactly {@code labels}, unchanged. */
    static LabelDecoder exactly(Collection<String> labels) {
        Map<String, String> identity = new LinkedHashMap<>();
        labels.forEach(label -> identity.put(label, label));
        return new LabelDecoder(identity);
    }

    /**
     * Reads a class file (one class name a line) whose first line is class {@code firstId}: AG News numbers its
     * classes from 1 in the original files and from 0 in the subset.
     */
    static LabelDecoder classFile(Path file, int firstId) {
        List<String> names;
        try {
            names = Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip)
                    .filter(line -> !line.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read class file " + file + ": " + e.getMessage(), e);
        }
        if (names.isEmpty()) {
            throw new DatasetFormatException(file + ": expected one class name a line, found none");
        }
        Map<String, String> byId = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            byId.put(Integer.toString(firstId + i), names.get(i));
        }
        return new LabelDecoder(byId);
    }

    Optional<String> decode(String raw) {
        return rawToName == null ? Optional.of(raw) : Optional.ofNullable(rawToName.get(raw));
    }

    /** The vocabulary this decoder defines, in its order; empty for {@link #any()}. */
    Optional<LabelVocabulary> vocabulary() {
        return rawToName == null ? Optional.empty() : Optional.of(LabelVocabulary.of(List.copyOf(rawToName.values())));
    }

    /** Describes the accepted labels for error messages. */
    String expected() {
        if (rawToName == null) {
            return "a label";
        }
        return "one of " + rawToName.keySet() + (rawToName.keySet().equals(Set.copyOf(rawToName.values())) ? ""
                : " (" + String.join(", ", rawToName.values()) + ")");
    }
}
