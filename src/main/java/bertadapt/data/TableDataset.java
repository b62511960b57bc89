package bertadapt.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A dataset of one's own: a CSV, TSV or JSON-lines file per split, described by a YAML file that {@code --dataset}
 * (and an experiment's {@code dataset:}) accepts in place of a known name.
 *
 * <pre>
 * name: support-tickets          # default: the description's file name without .yaml
 * format: csv                    # csv, tsv or jsonl; default: from the training file's extension
 * header: true                   # csv and tsv: the first row names the columns (default true)
 * delimiter: ";"                 # csv: a delimiter other than the comma
 * text: body                     # a column name, or a 0-based position
 * text_pair: subject             # optional: the second text of a pair
 * label: queue
 * labels: [billing, bug, other]  # optional: else the training split's labels, sorted
 * splits:                        # paths relative to the description; train is required
 *   train: train.csv
 *   validation: dev.csv
 *   test: test.csv
 *   unlabelled: more.csv         # optional: texts without labels, for adapt
 * </pre>
 *
 * A dataset without a test split is re-split from its training file as {@link DatasetRegistry.Options} says
 * (stratified 80/20 with seed 42 by default), as the medical question pairs are.
 *
 * @param files the file of each split the description names
 */
public record TableDataset(String name, TableReader.Spec spec, Map<Split, Path> files) {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> KEYS = Set.of("name", "format", "header", "delimiter", "text", "text_pair", "label",
            "labels", "splits");

    public TableDataset {
        files = Map.copyOf(files);
        if (!files.containsKey(Split.TRAIN)) {
            throw new IllegalArgumentException("A table dataset needs a train split");
        }
    }

    /** Whether {@code --dataset}'s value names a description file rather than a known dataset. */
    public static boolean isDescription(String dataset) {
        String lower = dataset.trim().toLowerCase(Locale.ROOT);
        return lower.endsWith(".yaml") || lower.endsWith(".yml");
    }

    /** Reads a description; errors name the file and the key. */
    public static TableDataset read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new MissingDatasetException("Dataset description " + file + " does not exist");
        }
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new DatasetFormatException(file + ": not valid YAML: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        return new Description(file, root).dataset();
    }

    /** Reads the labelled splits; labels outside the vocabulary are bad rows, named by file and line. */
    public LabelledDataset load(DatasetRegistry.Options options) {
        Path trainFile = files.get(Split.TRAIN);
        List<Example> train = TableReader.read(trainFile, spec, options.badRows());
        LabelVocabulary labels = spec.knownLabels();
        if (labels == null) {
            if (train.isEmpty()) {
                throw new DatasetFormatException(trainFile + ": no examples to learn the labels from");
            }
            labels = LabelVocabulary.fromExamples(train);
        }
        TableReader.Spec labelled = spec.withKnownLabels(labels);
        boolean resplit = !files.containsKey(Split.TEST);
        Map<Split, List<Example>> splits = new EnumMap<>(Split.class);
        if (resplit) {
            splits.putAll(Splits.stratified(train, options.resplitFractions(), options.splitSeed()));
        } else {
            splits.put(Split.TRAIN, train);
        }
        for (Split split : List.of(Split.VALIDATION, Split.TEST)) {
            if (files.containsKey(split)) {
                splits.put(split, TableReader.read(files.get(split), labelled, options.badRows()));
            }
        }
        return resplit ? LabelledDataset.resplit(name, splits, labels, options.splitSeed())
                : new LabelledDataset(name, splits, labels);
    }

    /** The texts of the unlabelled file, which {@link #load} leaves out, as {@link DatasetRegistry} does for IMDb. */
    public List<Example> unlabelled(BadRows badRows) {
        Path file = files.get(Split.UNLABELLED);
        if (file == null) {
            throw new IllegalArgumentException("Dataset '" + name + "' has no unlabelled file");
        }
        return TableReader.read(file, spec.withoutLabel(), badRows);
    }

    /** A description being read, for messages that name the file and the key. */
    private record Description(Path file, JsonNode root) {

        TableDataset dataset() {
            if (!root.isObject()) {
                throw error(null, "expected a mapping of keys, got " + root);
            }
            for (Iterator<String> keys = root.fieldNames(); keys.hasNext(); ) {
                String key = keys.next();
                if (!KEYS.contains(key)) {
                    throw error(key, "unknown key; known keys: " + KEYS.stream().sorted().toList());
                }
            }
            Map<Split, Path> files = splits();
            String fileName = file.getFileName().toString();
            String name = text("name", fileName.substring(0, fileName.lastIndexOf('.')));
            TableReader.Format format = format(files.get(Split.TRAIN));
            TableReader.Spec spec = new TableReader.Spec(format, delimiter(format), bool("header", true),
                    column("text", true), column("text_pair", false), column("label", true), labels());
            return new TableDataset(name, spec, files);
        }

        private Map<Split, Path> splits() {
            JsonNode splits = root.get("splits");
            if (splits == null || !splits.isObject()) {
                throw error("splits", "expected a mapping from split (train, validation, test, unlabelled) to file, got "
                        + splits);
            }
            Map<Split, Path> files = new EnumMap<>(Split.class);
            for (Iterator<Map.Entry<String, JsonNode>> entries = splits.fields(); entries.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = entries.next();
                String key = "splits." + entry.getKey();
                Split split;
                try {
                    split = Split.parse(entry.getKey());
                } catch (IllegalArgumentException e) {
                    throw error(key, e.getMessage());
                }
                if (!entry.getValue().isTextual() || entry.getValue().asText().isBlank()) {
                    throw error(key, "expected a file name, got " + entry.getValue());
                }
                Path path = file.toAbsolutePath().getParent().resolve(entry.getValue().asText().trim());
                if (!Files.isRegularFile(path)) {
                    throw error(key, path + " does not exist");
                }
                files.put(split, path);
            }
            if (!files.containsKey(Split.TRAIN)) {
                throw error("splits.train", "required: the file of the training split");
            }
            return files;
        }

        private TableReader.Format format(Path trainFile) {
            String fallback = extension(trainFile);
            String format = text("format", fallback);
            for (TableReader.Format known : TableReader.Format.values()) {
                if (known.name().equalsIgnoreCase(format)) {
                    return known;
                }
            }
            throw has("format") ? error("format", "expected csv, tsv or jsonl, got \"" + format + "\"")
                    : error("format", "required: " + trainFile.getFileName() + " does not end in .csv, .tsv or .jsonl");
        }

        private Character delimiter(TableReader.Format format) {
            String delimiter = text("delimiter", null);
            if (delimiter == null) {
                return null;
            }
            if (format != TableReader.Format.CSV || delimiter.length() != 1) {
                throw error("delimiter", "expected one character, for csv only; got \"" + delimiter + "\" for "
                        + format.name().toLowerCase(Locale.ROOT));
            }
            return delimiter.charAt(0);
        }

        private Column column(String key, boolean required) {
            JsonNode value = root.get(key);
            if (value == null || value.isNull()) {
                if (required) {
                    throw error(key, "required: a column name or a 0-based position");
                }
                return null;
            }
            if (value.isInt() && value.asInt() >= 0) {
                return Column.at(value.asInt());
            }
            if (value.isTextual() && !value.asText().isBlank()) {
                return Column.named(value.asText());
            }
            throw error(key, "expected a column name or a 0-based position, got " + value);
        }

        private LabelVocabulary labels() {
            JsonNode value = root.get("labels");
            if (value == null || value.isNull()) {
                return null;
            }
            List<String> names = new ArrayList<>();
            if (value.isArray()) {
                value.forEach(label -> names.add(label.isValueNode() ? label.asText() : null));
            }
            if (names.isEmpty() || names.contains(null) || names.stream().distinct().count() != names.size()) {
                throw error("labels", "expected a list of distinct labels, got " + value);
            }
            return LabelVocabulary.of(names);
        }

        private String text(String key, String fallback) {
            JsonNode value = root.get(key);
            if (value == null || value.isNull()) {
                return fallback;
            }
            if (!value.isValueNode() || value.asText().isEmpty()) {
                throw error(key, "expected a text, got " + value);
            }
            return value.asText();
        }

        private boolean bool(String key, boolean fallback) {
            JsonNode value = root.get(key);
            if (value == null || value.isNull()) {
                return fallback;
            }
            if (!value.isBoolean()) {
                throw error(key, "expected true or false, got " + value);
            }
            return value.asBoolean();
        }

        private boolean has(String key) {
            return root.hasNonNull(key);
        }

        private static String extension(Path path) {
            String name = path.getFileName().toString();
            int dot = name.lastIndexOf('.');
            return dot < 0 ? null : name.substring(dot + 1);
        }

        private DatasetFormatException error(String key, String message) {
            return new DatasetFormatException(file + (key == null ? "" : ": " + key) + ": " + message);
        }
    }
}
