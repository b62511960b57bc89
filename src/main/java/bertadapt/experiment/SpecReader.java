package bertadapt.experiment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.DoublePredicate;
import java.util.function.LongPredicate;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import bertadapt.data.DatasetFormatException;
import bertadapt.data.DatasetRegistry;
import bertadapt.data.MissingDatasetException;
import bertadapt.data.Splits;
import bertadapt.data.TableDataset;
import bertadapt.model.Freezing;
import bertadapt.model.Heads;
import bertadapt.pretrain.InstanceMode;

/**
 * Turns YAML into an {@link ExperimentSpec}: each key read with its type and range checked, defaults taken from the
 * spec records, and any key left unread reported, so a misspelt key is an error rather than silently ignored.
 */
final class SpecReader {

    private static final ObjectMapper YAML = new ObjectMapper(
            new YAMLFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION));
    private static final Map<String, InstanceMode> MODES = Map.of("line", InstanceMode.LINE_BY_LINE,
            "nsp", InstanceMode.NEXT_SENTENCE, "grouped", InstanceMode.GROUPED_TEXT);
    /** Every built-in head by its lower-case name, so a new {@link Heads.ClassifierType} is a new value of task.head. */
    private static final Map<String, Heads.ClassifierHead> HEADS = Arrays.stream(Heads.ClassifierType.values())
            .collect(Collectors.toMap(type -> type.name().toLowerCase(Locale.ROOT), type -> type));
    private static final Map<String, Splits.Draw> DRAWS = Arrays.stream(Splits.Draw.values())
            .collect(Collectors.toMap(Splits.Draw::id, draw -> draw));

    /** A mapping being read, with its key path for messages. */
    private final JsonNode node;
    private final String path;
    private final Set<String> read = new HashSet<>();

    private SpecReader(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    static ExperimentSpec parse(String yaml, Path baseFolder, String defaultName) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ExperimentSpecException("not valid YAML: " + e.getOriginalMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ExperimentSpecException("the spec is empty; it needs at least a dataset");
        }
        if (!root.isObject()) {
            throw new ExperimentSpecException("expected a mapping of keys (name, model, dataset, ...), got " + root);
        }
        SpecReader top = new SpecReader(root, "");
        String name = top.text("name", defaultName);
        String model = top.text("model", ExperimentSpec.DEFAULT_MODEL);
        Path modelFolder = baseFolder.resolve(model);
        if (Files.isDirectory(modelFolder)) {
            model = modelFolder.normalize().toString();
        }
        int modelLayers = (int) top.integer("model_layers", ExperimentSpec.DEFAULT_MODEL_LAYERS, v -> v >= 0, ">= 0");
        String dataset = top.dataset(baseFolder);
        Path datasets = top.has("datasets") ? baseFolder.resolve(top.text("datasets", null)) : defaultDatasetsFolder();
        long splitSeed = top.integer("split_seed", ExperimentSpec.DEFAULT_SPLIT_SEED, v -> true, "(a seed)");
        ExperimentSpec.Subset subset = top.subset();
        List<Strategy> strategies = top.strategies();
        List<Long> seeds = top.seeds();
        Path output = baseFolder.resolve(top.text("output", ExperimentSpec.DEFAULT_OUTPUT_FOLDER + "/" + name)).normalize();
        AdaptationSpec adaptation = top.object("adaptation").adaptation(baseFolder, dataset);
        TaskSpec task = top.object("task").task();
        top.rejectUnknownKeys();
        return new ExperimentSpec(name, model, modelLayers, dataset, datasets, splitSeed, subset, strategies, seeds, output,
                adaptation, task);
    }

    private static Path defaultDatasetsFolder() {
        String fromEnvironment = System.getenv(ExperimentSpec.DATASETS_ENVIRONMENT_VARIABLE);
        return Path.of(fromEnvironment == null || fromEnvironment.isBlank() ? "datasets" : fromEnvironment).toAbsolutePath();
    }

    /** A known dataset's name, or the absolute path of a {@link TableDataset} description, checked now. */
    private String dataset(Path baseFolder) {
        String known = "known datasets: " + String.join(", ", DatasetRegistry.names()) + ", or a dataset description (.yaml)";
        if (!has("dataset")) {
            throw error("dataset", "required; " + known);
        }
        String name = text("dataset", null);
        if (TableDataset.isDescription(name)) {
            Path description = baseFolder.resolve(name).toAbsolutePath().normalize();
            try {
                TableDataset.read(description);
            } catch (MissingDatasetException | DatasetFormatException e) {
                throw error("dataset", e.getMessage());
            }
            return description.toString();
        }
        try {
            DatasetRegistry.folder(name, Path.of(""));
        } catch (IllegalArgumentException e) {
            throw error("dataset", "unknown dataset \"" + name + "\"; " + known);
        }
        return name;
    }

    private ExperimentSpec.Subset subset() {
        SpecReader subset = object("subset");
        ExperimentSpec.Subset value = new ExperimentSpec.Subset(
                (int) subset.integer("train", ExperimentSpec.Subset.ALL.train(), v -> v >= 0, ">= 0 (0 keeps all)"),
                (int) subset.integer("test", ExperimentSpec.Subset.ALL.test(), v -> v >= 0, ">= 0 (0 keeps all)"),
                subset.choice("draw", ExperimentSpec.Subset.ALL.draw(), DRAWS));
        subset.rejectUnknownKeys();
        return value;
    }

    private List<Strategy> strategies() {
        List<Strategy> strategies = list("strategies", ExperimentSpec.DEFAULT_STRATEGIES, (item, key) -> {
            if (!item.isTextual()) {
                throw error(key, "expected a strategy name, got " + item);
            }
            try {
                return Strategy.parse(item.asText());
            } catch (IllegalArgumentException e) {
                throw error(key, e.getMessage());
            }
        });
        if (strategies.stream().map(Strategy::folderName).distinct().count() < strategies.size()) {
            throw error("strategies", "a strategy is listed twice: " + strategies);
        }
        return strategies;
    }

    private List<Long> seeds() {
        List<Long> seeds = list("seeds", ExperimentSpec.DEFAULT_SEEDS, (item, key) -> {
            if (!item.isIntegralNumber() || !item.canConvertToLong()) {
                throw error(key, "expected an integer seed, got " + item);
            }
            return item.asLong();
        });
        if (seeds.stream().distinct().count() < seeds.size()) {
            throw error("seeds", "a seed is listed twice: " + seeds);
        }
        return seeds;
    }

    private AdaptationSpec adaptation(Path baseFolder, String dataset) {
        AdaptationSpec d = AdaptationSpec.DEFAULTS;
        AdaptationSpec.CorpusSource corpus = d.corpus();
        if (has("corpus")) {
            String value = text("corpus", null);
            corpus = switch (value) {
                case "dataset-train" -> AdaptationSpec.CorpusSource.datasetTrain();
                case "unlabelled" -> {
                    if (!DatasetRegistry.hasUnlabelled(dataset)) {
                        throw error("corpus", "\"unlabelled\" needs a dataset with unlabelled text (imdb, or a "
                                + "description with an unlabelled file), not " + dataset);
                    }
                    yield AdaptationSpec.CorpusSource.unlabelled();
                }
                default -> {
                    Path file = baseFolder.resolve(value).normalize();
                    if (!Files.isRegularFile(file)) {
                        throw error("corpus", "expected dataset-train, unlabelled or a Google-format text file, got \""
                                + value + "\" (no such file: " + file + ")");
                    }
                    yield AdaptationSpec.CorpusSource.file(file);
                }
            };
        }
        AdaptationSpec spec = new AdaptationSpec(corpus,
                choice("mode", d.mode(), MODES),
                (int) integer("epochs", d.epochs(), v -> v >= 1, ">= 1"),
                integer("max_steps", d.maxSteps(), v -> v >= 0, ">= 0 (0: run the epochs)"),
                number("learning_rate", d.learningRate(), v -> v > 0, "> 0"),
                (int) integer("batch_size", d.batchSize(), v -> v >= 1, ">= 1"),
                (int) integer("max_length", d.maxLength(), v -> v >= 8, ">= 8"),
                number("masking_probability", d.maskingProbability(), v -> v > 0 && v < 1, "in (0, 1)"),
                (int) integer("max_predictions", d.maxPredictions(), v -> v >= 1, ">= 1"),
                bool("whole_word_masking", d.wholeWordMasking()),
                (int) integer("dupe_factor", d.dupeFactor(), v -> v >= 1, ">= 1"),
                number("held_out", d.heldOut(), v -> v > 0 && v < 1, "in (0, 1)"),
                number("warmup_ratio", d.warmupRatio(), v -> v >= 0 && v <= 1, "in [0, 1]"),
                integer("warmup_steps", d.warmupSteps(), v -> v >= 0, ">= 0 (0: use warmup_ratio)"),
                number("weight_decay", d.weightDecay(), v -> v >= 0, ">= 0"));
        rejectUnknownKeys();
        return spec;
    }

    private TaskSpec task() {
        TaskSpec d = TaskSpec.DEFAULTS;
        int batchSize = (int) integer("batch_size", d.batchSize(), v -> v >= 1, ">= 1");
        int microBatch = (int) integer("micro_batch_size", d.microBatchSize(), v -> v >= 0, ">= 0 (0: batch_size)");
        if (microBatch > 0 && batchSize % microBatch != 0) {
            throw error("micro_batch_size", "expected a divisor of batch_size " + batchSize + ", got " + microBatch);
        }
        String metric = text("metric", d.metric());
        if (!TaskSpec.METRICS.contains(metric)) {
            throw error("metric", "expected one of " + String.join(", ", TaskSpec.METRICS) + ", got \"" + metric + "\"");
        }
        TaskSpec spec = new TaskSpec(
                (int) integer("epochs", d.epochs(), v -> v >= 1, ">= 1"),
                integer("max_steps", d.maxSteps(), v -> v >= 0, ">= 0 (0: run the epochs)"),
                number("learning_rate", d.learningRate(), v -> v > 0, "> 0"),
                batchSize, microBatch,
                (int) integer("max_length", d.maxLength(), v -> v >= 8, ">= 8"),
                number("warmup_ratio", d.warmupRatio(), v -> v >= 0 && v <= 1, "in [0, 1]"),
                integer("warmup_steps", d.warmupSteps(), v -> v >= 0, ">= 0 (0: use warmup_ratio)"),
                number("weight_decay", d.weightDecay(), v -> v >= 0, ">= 0"),
                choice("head", d.head(), HEADS),
                freezeLayerCount(d.freezeLayerCount()),
                metric,
                (int) integer("patience", d.patience(), v -> v >= 0, ">= 0 (0: no early stopping)"),
                number("head_learning_rate", d.headLearningRate(), v -> v > 0, "> 0"),
                (int) integer("head_epochs", d.headEpochs(), v -> v >= 1, ">= 1"));
        rejectUnknownKeys();
        return spec;
    }

    private int freezeLayerCount(int fallback) {
        JsonNode value = value("freeze_layer_count");
        if (value == null) {
            return fallback;
        }
        if (value.isTextual() && value.asText().equals("none")) {
            return Freezing.NONE;
        }
        if (!value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < -1) {
            throw error("freeze_layer_count", "expected none, -1 (embeddings) or N >= 0 (embeddings and layers 0..N-1), got "
                    + value);
        }
        return value.asInt();
    }

    // Readers of one key each. A key set to null (or left empty) takes its default.

    private boolean has(String key) {
        return value(key) != null;
    }

    private JsonNode value(String key) {
        read.add(key);
        JsonNode value = node.get(key);
        return value == null || value.isNull() ? null : value;
    }

    private SpecReader object(String key) {
        JsonNode value = value(key);
        if (value != null && !value.isObject()) {
            throw error(key, "expected a mapping of keys, got " + value);
        }
        return new SpecReader(value == null ? YAML.createObjectNode() : value, qualified(key));
    }

    private String text(String key, String fallback) {
        JsonNode value = value(key);
        if (value == null) {
            return fallback;
        }
        if (!value.isTextual() && !value.isNumber()) {
            throw error(key, "expected a text, got " + value);
        }
        if (value.asText().isBlank()) {
            throw error(key, "expected a text, got an empty one");
        }
        return value.asText().trim();
    }

    private long integer(String key, long fallback, LongPredicate valid, String range) {
        JsonNode value = value(key);
        if (value == null) {
            return fallback;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || !valid.test(value.asLong())) {
            throw error(key, "expected an integer " + range + ", got " + value);
        }
        return value.asLong();
    }

    /** YAML 1.1 reads {@code 5e-5} (no dot) as text, so numeric text counts as a number. */
    private double number(String key, double fallback, DoublePredicate valid, String range) {
        JsonNode value = value(key);
        if (value == null) {
            return fallback;
        }
        Double number = value.isNumber() ? Double.valueOf(value.asDouble()) : value.isTextual() ? parseDouble(value.asText()) : null;
        if (number == null || !Double.isFinite(number) || !valid.test(number)) {
            throw error(key, "expected a number " + range + ", got " + value);
        }
        return number;
    }

    private static Double parseDouble(String text) {
        try {
            return Double.valueOf(text.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private boolean bool(String key, boolean fallback) {
        JsonNode value = value(key);
        if (value == null) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw error(key, "expected true or false, got " + value);
        }
        return value.asBoolean();
    }

    private <T> T choice(String key, T fallback, Map<String, T> choices) {
        JsonNode value = value(key);
        if (value == null) {
            return fallback;
        }
        T chosen = value.isTextual() ? choices.get(value.asText().trim().toLowerCase(Locale.ROOT)) : null;
        if (chosen == null) {
            throw error(key, "expected one of " + String.join(", ", choices.keySet().stream().sorted().toList()) + ", got " + value);
        }
        return chosen;
    }

    private interface ItemReader<T> {
        T read(JsonNode item, String key);
    }

    private <T> List<T> list(String key, List<T> fallback, ItemReader<T> items) {
        JsonNode value = value(key);
        if (value == null) {
            return fallback;
        }
        if (!value.isArray() || value.isEmpty()) {
            throw error(key, "expected a non-empty list, got " + value);
        }
        List<T> out = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            out.add(items.read(value.get(i), key + "[" + i + "]"));
        }
        return out;
    }

    private void rejectUnknownKeys() {
        Iterator<String> keys = node.fieldNames();
        while (keys.hasNext()) {
            String key = keys.next();
            if (!read.contains(key)) {
                throw error(key, "unknown key; known keys here: " + String.join(", ", read.stream().sorted().toList()));
            }
        }
    }

    private String qualified(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private ExperimentSpecException error(String key, String message) {
        return new ExperimentSpecException(qualified(key) + ": " + message);
    }
}
