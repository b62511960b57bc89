package bertadapt.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

import bertadapt.data.BadRows;
import bertadapt.data.DatasetRegistry;
import bertadapt.data.LabelledDataset;
import bertadapt.data.Split;
import bertadapt.data.Splits;
import bertadapt.eval.ClassificationMetrics;
import bertadapt.train.ClassificationTask;
import bertadapt.train.FineTuning;
import bertadapt.train.Trainer;
import bertadapt.train.TrainerSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bertadapt finetune}: trains a classifier on a named dataset with {@link FineTuning}. */
@Command(name = "finetune", mixinStandardHelpOptions = true, defaultValueProvider = FineTuneCommand.Defaults.class,
        description = {"Fine-tune a model with a classification head on a dataset's training split, keep the best "
                + "epoch (on the validation split, or the test split when there is none) in OUTPUT/best, and score it "
                + "on the test split (OUTPUT/report.json).",
                "Running the same command again on the same OUTPUT resumes from its last checkpoint; "
                        + "a finished run is only scored again."})
final class FineTuneCommand implements Callable<Integer> {

    static final class Defaults extends TrainingOptions.Defaults {
        Defaults() {
            super("3", "2e-5");
        }
    }

    /** Every name the task reports, taken from the metrics themselves so the list cannot drift from them. */
    private static final Set<String> METRICS = metricNames();

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Option(names = "--dataset", required = true, paramLabel = "NAME", completionCandidates = KnownDatasetNames.class,
            description = KnownDatasetNames.HELP)
    String dataset;

    @Mixin
    DatasetsFolder datasets;

    @Option(names = "--split-seed", defaultValue = "42", paramLabel = "S",
            description = "Seed of the stratified 80/20 train/test split of a dataset published without a test split "
                    + "(mqp); published splits ignore it. Default: ${DEFAULT-VALUE}.")
    long splitSeed;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Folder for checkpoints, best/ and report.json.")
    Path output;

    @Mixin
    TrainingOptions training;

    @Option(names = "--micro-batch-size", paramLabel = "M", converter = Checked.Positive.class,
            description = "Examples per forward pass; gradients of batch-size/M passes make one update. "
                    + "Default: the batch size.")
    Integer microBatchSize;

    @Mixin
    HeadOptions head;

    @Option(names = "--no-cache-features",
            description = "With --freeze-encoder, run the encoder (with dropout) every epoch instead of training the "
                    + "head on its outputs computed once.")
    boolean noCacheFeatures;

    @Option(names = "--subset", paramLabel = "N", converter = Checked.Positive.class,
            description = "Train on N examples of the training split, drawn as --subset-draw says.")
    Integer subset;

    @Option(names = "--subset-draw", defaultValue = "stratified", paramLabel = "DRAW",
            description = "How --subset draws: ${COMPLETION-CANDIDATES} (case-insensitive); first takes the split's first N, "
                    + "random N at random (seeded), stratified N at random with each label in its share. "
                    + "Default: ${DEFAULT-VALUE}.")
    Splits.Draw subsetDraw;

    @Option(names = "--evaluate-every-steps", defaultValue = "0", paramLabel = "K", converter = Checked.NonNegative.class,
            description = "Evaluate and checkpoint every K updates; 0 means after each epoch. Default: ${DEFAULT-VALUE}.")
    int evaluateEverySteps;

    @Option(names = "--metric", defaultValue = "accuracy", paramLabel = "NAME",
            description = "Validation metric that picks the best checkpoint: accuracy, f1, macro_f1, loss (lower is better), "
                    + "... Default: ${DEFAULT-VALUE}.")
    String metric;

    @Option(names = "--patience", defaultValue = "0", paramLabel = "P", converter = Checked.NonNegative.class,
            description = "Stop after P evaluations without improvement; 0 never stops early. Default: ${DEFAULT-VALUE}.")
    int patience;

    @Option(names = "--keep-checkpoints", defaultValue = "1", paramLabel = "K", converter = Checked.Positive.class,
            description = "Checkpoints kept besides best/. Default: ${DEFAULT-VALUE}.")
    int keepCheckpoints;

    @Option(names = "--skip-bad-rows", description = "Skip malformed dataset rows instead of failing; their count and first reasons go to stderr and OUTPUT/report.json.")
    boolean skipBadRows;

    @Override
    public Integer call() throws IOException {
        TrainerSettings settings = training.settings(accumulationSteps(), evaluateEverySteps, checkedMetric(),
                metric.equals("loss"), patience, keepCheckpoints);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BadRows badRows = skipBadRows ? BadRows.skip() : BadRows.fail();
        LabelledDataset data = DatasetRegistry.load(dataset, datasets.resolve(),
                DatasetRegistry.Options.defaults().withBadRows(badRows).withSplitSeed(splitSeed));
        if (badRows.count() > 0) {
            err.println("bertadapt: warning: " + badRows.summary());
        }
        if (subset != null) {
            data = data.with(Split.TRAIN, subsetDraw.take(data.split(Split.TRAIN), subset, training.seed.seed));
        }
        ClassificationTask.Options options = new ClassificationTask.Options(data.labels().size(), head.head,
                training.length.maxLength, training.batch.batchSize / settings.accumulationSteps(),
                head.freezeLayerCount(), head.freezeEncoder(), !noCacheFeatures, training.seed.seed);
        Path modelDirectory = model.resolve();
        FineTuning.Report report = FineTuning.run(modelDirectory, data, badRows, options, settings, output);
        // The epoch of the best update, for the summary: the trainer counts updates, not epochs.
        int passesPerEpoch = (data.split(Split.TRAIN).size() + options.batchSize() - 1) / options.batchSize();
        long updatesPerEpoch = settings.withMaxSteps(0).withEpochs(1).totalSteps(passesPerEpoch);
        print(report, data, updatesPerEpoch, out);
        out.flush();
        return 0;
    }

    private int accumulationSteps() {
        int perPass = microBatchSize == null ? training.batch.batchSize : microBatchSize;
        if (training.batch.batchSize % perPass != 0) {
            throw new ParameterException(spec.commandLine(), "--micro-batch-size " + perPass
                    + " does not divide --batch-size " + training.batch.batchSize);
        }
        return training.batch.batchSize / perPass;
    }

    private String checkedMetric() {
        if (!METRICS.contains(metric)) {
            throw new ParameterException(spec.commandLine(), "--metric " + metric + " is not one of " + METRICS);
        }
        return metric;
    }

    private void print(FineTuning.Report report, LabelledDataset data, long updatesPerEpoch, PrintWriter out) {
        Trainer.Result result = report.training();
        if (result.trainingSeconds() == 0) {
            out.println("the run in " + output + " was already complete (" + result.steps() + " steps); "
                    + "its best model was scored again");
        }
        out.printf("dataset    %s: %d training examples, best picked on %s%n", data.title(),
                data.split(Split.TRAIN).size(), report.selectedOn().id());
        out.printf("best       step %d of %d, epoch %d (%s %.4f)%n", result.bestStep(), result.steps(),
                (result.bestStep() + updatesPerEpoch - 1) / updatesPerEpoch, metric, result.bestMetric());
        out.println("test       " + data.split(Split.TEST).size() + " examples");
        MetricsText.printScores(report.test(), data.labels(), out);
        if (result.trainingSeconds() > 0) {
            out.printf("speed      %.1f sequences/s%n", result.examplesPerSecond());
        }
        out.println("model      " + output.resolve(Trainer.BEST_DIR) + " (report: " + output.resolve(FineTuning.REPORT_FILE) + ")");
    }

    private static Set<String> metricNames() {
        Set<String> names = new TreeSet<>(ClassificationMetrics.of(new int[] {0}, new int[] {0}, 1).asMap().keySet());
        names.add("loss");
        return names;
    }
}
