package bertadapt.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

import bertadapt.data.DatasetRegistry;
import bertadapt.data.LabelledDataset;
import bertadapt.data.Split;
import bertadapt.eval.ClassificationMetrics;
import bertadapt.infer.Classifier;
import bertadapt.train.ClassificationTask;
import bertadapt.train.FineTuning;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code bertadapt evaluate}: scores a fine-tuned classifier on one split of a dataset. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Score a fine-tuned model (a folder with labels.json, such as finetune's OUTPUT/best) on a "
                + "dataset split: accuracy, precision, recall, F1 and the confusion matrix.")
final class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "The fine-tuned model's folder.")
    Path model;

    @Option(names = "--dataset", required = true, paramLabel = "NAME", completionCandidates = KnownDatasetNames.class,
            description = KnownDatasetNames.HELP)
    String dataset;

    @Mixin
    DatasetsFolder datasets;

    @Option(names = "--split-seed", paramLabel = "S",
            description = "Seed of the train/test split to score, for a dataset published without a test split (mqp). "
                    + "Default: the seed the model was fine-tuned with (its " + FineTuning.TrainedOn.FILE + "), else 42.")
    Long splitSeed;

    @Option(names = "--split", defaultValue = "test", paramLabel = "SPLIT", converter = SplitName.class,
            description = "train, validation (or dev) or test. Default: ${DEFAULT-VALUE}.")
    Split split;

    @Mixin
    MaxLengthOption length;

    @Mixin
    BatchSizeOption batch;

    @Override
    public Integer call() throws IOException {
        Optional<FineTuning.TrainedOn> trainedOn = FineTuning.TrainedOn.read(model);
        DatasetRegistry.Options defaults = DatasetRegistry.Options.defaults();
        Long modelsSeed = trainedOn.map(FineTuning.TrainedOn::splitSeed).orElse(null);
        long seed = splitSeed != null ? splitSeed : modelsSeed != null ? modelsSeed : defaults.splitSeed();
        LabelledDataset data = DatasetRegistry.load(dataset, datasets.resolve(), defaults.withSplitSeed(seed));
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (modelsSeed != null && modelsSeed != seed && data.name().equals(trainedOn.get().dataset())) {
            err.println("bertadapt: warning: " + model + " was fine-tuned on the training pairs of " + data.name()
                    + "'s split with seed " + modelsSeed + "; the " + split.id() + " split of seed " + seed
                    + " holds some of them");
        }
        try (Classifier classifier = Classifier.load(model)) {
            WeightReport.printIfIncomplete(classifier.model(), "the classifier", name -> false, err);
            if (!classifier.labels().equals(data.labels())) {
                throw new IllegalArgumentException(model + " was trained for labels " + classifier.labels().names()
                        + " but " + data.name() + " has " + data.labels().names());
            }
            ClassificationTask.Data examples = FineTuning.data(data.split(split), data.labels());
            int maxLength = MaxLength.fitToModel(length.maxLength, classifier.model(), spec.commandLine().getErr());
            int[] predicted = ClassificationTask.argmax(classifier.predict(examples.texts(), maxLength, batch.batchSize));
            ClassificationMetrics metrics = ClassificationMetrics.of(examples.labels(), predicted, data.labels().size());
            out.printf("%s %s: %d examples%n", data.title(), split.id(), predicted.length);
            MetricsText.printScores(metrics, data.labels(), out);
            MetricsText.printConfusion(metrics, data.labels(), out);
        }
        out.flush();
        return 0;
    }

    /** Reads a split name as {@link Split#parse} does, so the error lists the splits. */
    static final class SplitName implements ITypeConverter<Split> {
        @Override
        public Split convert(String value) {
            try {
                return Split.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
