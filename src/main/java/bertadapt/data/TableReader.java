package bertadapt.data;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.commons.csv.CSVFormat;

/**
 * Reads examples from any CSV, TSV or JSON-lines file, with the text, optional second text and optional label
 * picked by column. Labels are accepted as written; check them against a {@link LabelVocabulary} with
 * {@link Spec#knownLabels}.
 */
public final class TableReader {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The kind of file. */
    public enum Format {
        /** Comma (or {@link Spec#delimiter}) separated, fields optionally quoted with {@code "}. */
        CSV,
        /** Tab separated, with no quoting: quotes are kept as part of the text. */
        TSV,
        /** One JSON object a line; columns are field names (or positions, for lines that are JSON arrays). */
        JSONL
    }

    /**
     * What to read.
     *
     * @param delimiter overrides the CSV delimiter (e.g. {@code ';'}); null for the format's own
     * @param hasHeader the first row names the columns (ignored for JSONL)
     * @param textPair the second text of a pair, or null for single texts
     * @param label the label column, or null for unlabelled texts
     * @param knownLabels the labels a row may have; null accepts any non-empty label
     */
    public record Spec(Format format, Character delimiter, boolean hasHeader, Column text, Column textPair,
            Column label, LabelVocabulary knownLabels) {

        public Spec {
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(text, "text");
            if (format == Format.JSONL && delimiter != null) {
                throw new IllegalArgumentException("A delimiter makes no sense for JSONL");
            }
        }

        /** A single-text spec with a header row and labels accepted as written. */
        public static Spec of(Format format, Column text, Column label) {
            return new Spec(format, null, true, text, null, label, null);
        }

        public Spec withTextPair(Column column) {
            return new Spec(format, delimiter, hasHeader, text, column, label, knownLabels);
        }

        /** For texts without labels, such as an unlabelled split. */
        public Spec withoutLabel() {
            return new Spec(format, delimiter, hasHeader, text, textPair, null, null);
        }

        public Spec withKnownLabels(LabelVocabulary labels) {
            return new Spec(format, delimiter, hasHeader, text, textPair, label, labels);
        }

        public Spec withHeader(boolean header) {
            return new Spec(format, delimiter, header, text, textPair, label, knownLabels);
        }

        public Spec withDelimiter(char separator) {
            return new Spec(format, separator, hasHeader, text, textPair, label, knownLabels);
        }
    }

    private TableReader() {
    }

    public static List<Example> read(Path file, Spec spec, BadRows badRows) {
        LabelDecoder labels = spec.knownLabels() == null ? LabelDecoder.any()
                : LabelDecoder.exactly(spec.knownLabels().names());
        Function<Row, Example> mapper = row -> new Example(row.text(spec.text()),
                spec.textPair() == null ? null : row.text(spec.textPair()),
                spec.label() == null ? null : row.label(spec.label(), labels), row.source());
        if (spec.format() == Format.JSONL) {
            return readJsonLines(file, mapper, badRows);
        }
        CSVFormat format = spec.format() == Format.TSV ? DelimitedFiles.TSV_LITERAL_QUOTES : DelimitedFiles.CSV;
        if (spec.delimiter() != null) {
            format = format.builder().setDelimiter(spec.delimiter()).get();
        }
        return DelimitedFiles.read(file, new DelimitedFiles.Layout(format, spec.hasHeader(), null), mapper, badRows);
    }

    private static List<Example> readJsonLines(Path file, Function<Row, Example> mapper, BadRows badRows) {
        List<Example> examples = new ArrayList<>();
        try (BufferedReader reader = DelimitedFiles.openUtf8(file)) {
            int lineNumber = 0;
            for (String line; (line = reader.readLine()) != null; ) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                String source = file + ":" + lineNumber;
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (JacksonException e) {
                    badRows.reject(source, "expected a JSON object or array: " + e.getOriginalMessage());
                    continue;
                }
                if (!node.isObject() && !node.isArray()) {
                    badRows.reject(source, "expected a JSON object or array but found " + node.getNodeType());
                    continue;
                }
                DelimitedFiles.mapRow(jsonRow(source, node), mapper, badRows).ifPresent(examples::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        return examples;
    }

    /** A JSON line as a row: an object's fields by name in their order, an array's elements by position. */
    private static Row jsonRow(String source, JsonNode node) {
        List<String> names = node.isObject() ? new ArrayList<>() : null;
        List<String> values = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = node.isObject() ? node.fields() : null;
        if (fields != null) {
            fields.forEachRemaining(field -> {
                names.add(field.getKey());
                values.add(textOf(field.getValue()));
            });
        } else {
            node.forEach(element -> values.add(textOf(element)));
        }
        return new Row(source, values, names);
    }

    /** Strings as they are, numbers and booleans as written (labels are often {@code 0}/{@code 1}), null as absent. */
    private static String textOf(JsonNode value) {
        return value.isNull() ? null : value.isValueNode() ? value.asText() : value.toString();
    }
}
