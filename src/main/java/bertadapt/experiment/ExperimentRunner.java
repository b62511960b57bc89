package bertadapt.experiment;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import bertadapt.data.BadRows;
import bertadapt.data.DatasetRegistry;
import bertadapt.data.LabelledDataset;
import bertadapt.data.Split;
import bertadapt.hub.ModelStore;
import bertadapt.model.Freezing;
import bertadapt.pretrain.Corpus;
import bertadapt.train.Adaptation;
import bertadapt.train.FineTuning;
import bertadapt.train.Trainer;

/**
 * Runs an experiment's grid: for each seed, the masked-LM adaptation once (when an adaptive strategy needs it) into
 * {@code <output>/seed-<s>/adaptation/}, then every strategy into {@code <output>/seed-<s>/<strategy>/}, each ending
 * with a {@code run.json} ({@link RunRecord}).
 *
 * <p>Resumable: a run whose {@code run.json} exists is not touched again; an unfinished run resumes from its last
 * checkpoint (the {@link Trainer} does that by itself), and an adaptation whose {@code report.json} exists is reused.
 * So after a crash or Ctrl-C, running the same spec again finishes the grid.
 *
 * <p>One line per run start and finish goes to stderr, with the time since the grid started.
 *
 * <p>A head or loss of your own: implement {@link bertadapt.model.Heads.ClassifierHead} and run
 * {@code spec.withTask(spec.task().withHead(myHead))}. A new built-in head goes into
 * {@link bertadapt.model.Heads.ClassifierType}, which {@code task.head} then accepts by its lower-case name.
 */
public final class ExperimentRunner {

    public static final String RUN_FILE = "run.json";
    public static final String ADAPTATION_FOLDER = "adaptation";
    /** Seeds the subset sample: the same examples for every seed, so seeds vary only the training. */
    static final long SUBSET_SEED = 42;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ExperimentSpec spec;
    private final PrintStream log;
    private long startNanos;

    public ExperimentRunner(ExperimentSpec spec, PrintStream log) {
        this.spec = spec;
        this.log = log;
    }

    /** Runs (or finishes) the grid of {@code spec}, logging to stderr; returns every run's record, seed by seed. */
    public static List<RunRecord> run(ExperimentSpec spec) throws IOException {
        return new ExperimentRunner(spec, System.err).run();
    }

    /** The folder of one run of the grid. */
    public static Path runFolder(ExperimentSpec spec, long seed, Strategy strategy) {
        return seedFolder(spec, seed).resolve(strategy.folderName());
    }

    /** The folder of a seed's adaptation; its adapted model is {@code best/}. */
    public static Path adaptationFolder(ExperimentSpec spec, long seed) {
        return seedFolder(spec, seed).resolve(ADAPTATION_FOLDER);
    }

    private static Path seedFolder(ExperimentSpec spec, long seed) {
        return spec.output().resolve("seed-" + seed);
    }

    public List<RunRecord> run() throws IOException {
        startNanos = System.nanoTime();
        Files.createDirectories(spec.output());
        Path model = startModel();
        LabelledDataset dataset = subset(DatasetRegistry.load(spec.dataset(), spec.datasets(),
                DatasetRegistry.Options.defaults().withSplitSeed(spec.splitSeed())));
        List<RunRecord> records = new ArrayList<>();
        for (long seed : spec.seeds()) {
            AdaptedModel adapted = null;
            for (Strategy strategy : spec.strategies()) {
                Path runFile = runFolder(spec, seed, strategy).resolve(RUN_FILE);
                if (Files.isRegularFile(runFile)) {
                    progress(seed, strategy.name(), "finished before, kept");
                    records.add(RunRecord.read(runFile));
                    continue;
                }
                if (strategy.adapts() && adapted == null) {
                    adapted = adapt(model, dataset, seed);
                }
                records.add(runStrategy(strategy, seed, strategy.adapts() ? adapted.model() : model, dataset, adapted));
            }
        }
        GridReport.write(spec, dataset.title(), records);
        progress(null, "grid", "finished: " + records.size() + " runs; report in " + spec.output().resolve("summary.md"));
        return records;
    }

    /** The spec's model, cut to {@code model_layers} layers into the output folder when asked. */
    private Path startModel() throws IOException {
        Path model = ModelStore.fromEnvironment().resolve(spec.model());
        if (spec.modelLayers() == 0) {
            return model;
        }
        return LayerDropping.truncate(model, spec.modelLayers(), spec.output().resolve("model-" + spec.modelLayers() + "-layers"));
    }

    private LabelledDataset subset(LabelledDataset dataset) {
        LabelledDataset out = dataset;
        for (Split split : List.of(Split.TRAIN, Split.VALIDATION, Split.TEST)) {
            int size = split == Split.TRAIN ? spec.subset().train() : spec.subset().test();
            if (size > 0 && out.has(split)) {
                out = out.with(split, spec.subset().draw().take(out.split(split), size, SUBSET_SEED));
            }
        }
        return out;
    }

    /** The seed's adapted model: trained now, resumed, or read back when its report is there. */
    private record AdaptedModel(Path model, Map<String, Double> before, Map<String, Double> after, RunRecord.Phase phase) {
    }

    private AdaptedModel adapt(Path model, LabelledDataset dataset, long seed) throws IOException {
        Path folder = adaptationFolder(spec, seed);
        Path report = folder.resolve(Adaptation.REPORT_FILE);
        double wallSeconds = 0;
        if (Files.isRegularFile(report)) {
            progress(seed, ADAPTATION_FOLDER, "finished before, reused");
        } else {
            progress(seed, ADAPTATION_FOLDER, "started");
            long start = System.nanoTime();
            AdaptationSpec adaptation = spec.adaptation();
            Adaptation.run(model, corpus(dataset), adaptation.dataConfig(seed), adaptation.heldOut(), adaptation.batchSize(),
                    adaptation.trainerSettings(seed), folder);
            wallSeconds = (System.nanoTime() - start) / 1e9;
            progress(seed, ADAPTATION_FOLDER, "finished in " + duration(wallSeconds));
        }
        JsonNode json = JSON.readTree(report.toFile());
        TypeReference<Map<String, Double>> scores = new TypeReference<>() {
        };
        JsonNode training = json.path("training");
        return new AdaptedModel(folder.resolve(Trainer.BEST_DIR),
                JSON.convertValue(json.path("held_out_before"), scores), JSON.convertValue(json.path("held_out_after"), scores),
                new RunRecord.Phase(training.path("trainingSeconds").asDouble(), training.path("examplesPerSecond").asDouble(),
                        training.path("steps").asLong(), wallSeconds));
    }

    private Corpus corpus(LabelledDataset dataset) {
        AdaptationSpec adaptation = spec.adaptation();
        return switch (adaptation.corpus().kind()) {
            case FILE -> Corpus.googleFormat(adaptation.corpus().file());
            case DATASET_TRAIN -> Corpus.ofExamples(dataset.split(Split.TRAIN), adaptation.sentenceSplitting());
            case UNLABELLED -> Corpus.ofExamples(DatasetRegistry.unlabelled(spec.dataset(), spec.datasets(), BadRows.fail()),
                    adaptation.sentenceSplitting());
        };
    }

    private RunRecord runStrategy(Strategy strategy, long seed, Path startModel, LabelledDataset dataset, AdaptedModel adapted)
            throws IOException {
        Path folder = runFolder(spec, seed, strategy);
        progress(seed, strategy.name(), "started");
        long start = System.nanoTime();
        FineTuning.Report report = FineTuning.run(startModel, dataset, BadRows.fail(),
                spec.task().options(strategy, dataset.labels().size(), seed), spec.task().trainerSettings(strategy, seed), folder);
        double wallSeconds = (System.nanoTime() - start) / 1e9;

        Map<String, RunRecord.Phase> phases = new LinkedHashMap<>();
        if (adapted != null && strategy.adapts()) {
            phases.put(RunRecord.ADAPTATION_PHASE, adapted.phase());
        }
        Trainer.Result training = report.training();
        phases.put(RunRecord.TASK_PHASE, new RunRecord.Phase(training.trainingSeconds(), training.examplesPerSecond(),
                training.steps(), wallSeconds));
        int freeze = spec.task().freezeLayerCount(strategy);
        RunRecord record = new RunRecord(RunRecord.FORMAT_VERSION, spec.name(), dataset.name(), strategy.name(), seed,
                shown(startModel), freeze == Freezing.NONE ? null : freeze, dataset.labels().names(),
                report.selectedOn().id(), report.test().asMap(), report.test().confusion(), report.testPredictions(),
                report.testGold(), phases, LearningCurves.read(folder.resolve(Trainer.METRICS_FILE)),
                strategy.adapts() ? new RunRecord.AdaptationScores(shown(adapted.model()), adapted.before(), adapted.after()) : null);
        record.write(folder.resolve(RUN_FILE));
        progress(seed, strategy.name(), String.format("finished in %s, test accuracy %.4f", duration(wallSeconds),
                report.test().accuracy()));
        return record;
    }

    /** A path inside the grid's folder relative to it, so a moved grid's records stay right. */
    private String shown(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        Path output = spec.output().toAbsolutePath().normalize();
        return absolute.startsWith(output) ? output.relativize(absolute).toString() : path.toString();
    }

    private void progress(Long seed, String what, String message) {
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        log.printf("[%s +%s] %s%s: %s%n", spec.name(), duration(elapsed), seed == null ? "" : "seed " + seed + " ", what, message);
        log.flush();
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
