package bertadapt.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

import bertadapt.data.DatasetRegistry;
import bertadapt.data.Splits;

/**
 * An experiment: which strategies to run on which dataset, with which model and seeds, and where the runs go.
 * Read from YAML with {@link #read(Path)} ({@code experiments/README.md} documents every key and its default; the
 * defaults themselves are {@link #DEFAULT_MODEL} and the other constants here, {@link AdaptationSpec#DEFAULTS} and
 * {@link TaskSpec#DEFAULTS}); run with {@link ExperimentRunner#run(ExperimentSpec)}.
 *
 * @param name        a label for logs, by default the YAML file's name without {@code .yaml}
 * @param model       a known model name, a model directory (absolute once read) or a hub id
 * @param modelLayers when > 0, only the bottom K encoder layers of {@code model} are kept (layer dropping)
 * @param datasets    the folder holding the named datasets
 * @param splitSeed   the seed of the train/test split of a dataset published without one (MQP)
 * @param subset      how many training and test examples to keep
 * @param seeds       one run of every strategy per seed
 * @param output      the grid's folder: {@code seed-<s>/adaptation/} and {@code seed-<s>/<strategy>/}
 */
public record ExperimentSpec(String name, String model, int modelLayers, String dataset, Path datasets, long splitSeed,
                             Subset subset, List<Strategy> strategies, List<Long> seeds, Path output,
                             AdaptationSpec adaptation, TaskSpec task) {

    /**
     * A sample of the training and the test split ({@code 0} keeps a split whole), drawn as {@code draw} says. The
     * test size also caps a validation split, when the dataset has one. The sample is the same for every seed, so
     * the seeds vary only the training's randomness.
     */
    public record Subset(int train, int test, Splits.Draw draw) {
        public static final Subset ALL = new Subset(0, 0, Splits.Draw.STRATIFIED);

        public Subset {
            Objects.requireNonNull(draw, "draw");
        }
    }

    public static final String DEFAULT_MODEL = "bert-base-uncased";
    public static final int DEFAULT_MODEL_LAYERS = 0;
    public static final long DEFAULT_SPLIT_SEED = DatasetRegistry.Options.defaults().splitSeed();
    public static final List<Strategy> DEFAULT_STRATEGIES = List.of(Strategy.of(Strategy.Kind.BASELINE),
            Strategy.of(Strategy.Kind.ADAPTIVE), Strategy.of(Strategy.Kind.BEHAVIOURAL),
            Strategy.of(Strategy.Kind.ADAPTIVE_BEHAVIOURAL));
    public static final List<Long> DEFAULT_SEEDS = List.of(1L, 2L, 3L);
    /** The output folder's default, {@code runs/<name>} beside the YAML file. */
    public static final String DEFAULT_OUTPUT_FOLDER = "runs";
    /** Where datasets are when the spec does not say: this variable, else {@code ./datasets}. */
    public static final String DATASETS_ENVIRONMENT_VARIABLE = "BERTADAPT_DATASETS";

    public ExperimentSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(datasets, "datasets");
        Objects.requireNonNull(subset, "subset");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(adaptation, "adaptation");
        Objects.requireNonNull(task, "task");
        strategies = List.copyOf(strategies);
        seeds = List.copyOf(seeds);
        if (strategies.isEmpty() || seeds.isEmpty()) {
            throw new IllegalArgumentException("an experiment needs at least one strategy and one seed");
        }
    }

    /**
     * Reads a YAML spec; relative paths in it are relative to the file's folder.
     *
     * @throws ExperimentSpecException naming the file and the key path of the first problem
     */
    public static ExperimentSpec read(Path file) throws IOException {
        String fileName = file.getFileName().toString();
        String name = fileName.replaceFirst("\\.ya?ml$", "");
        Path folder = file.toAbsolutePath().getParent();
        try {
            return parse(Files.readString(file), folder, name);
        } catch (ExperimentSpecException e) {
            throw new ExperimentSpecException(file + ": " + e.getMessage());
        }
    }

    /**
     * Parses YAML text.
     *
     * @param baseFolder  what relative paths ({@code output}, {@code datasets}, a corpus file, a model folder) are
     *                    relative to
     * @param defaultName the name when the text sets none
     */
    public static ExperimentSpec parse(String yaml, Path baseFolder, String defaultName) {
        return SpecReader.parse(yaml, baseFolder.toAbsolutePath(), defaultName);
    }

    /** Whether any strategy needs the adapted model. */
    public boolean adapts() {
        return strategies.stream().anyMatch(Strategy::adapts);
    }

    /** The same experiment with other task settings, e.g. {@code spec.withTask(spec.task().withHead(myHead))}. */
    public ExperimentSpec withTask(TaskSpec newTask) {
        return new ExperimentSpec(name, model, modelLayers, dataset, datasets, splitSeed, subset, strategies, seeds, output,
                adaptation, newTask);
    }
}
