package bertadapt.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;

import bertadapt.data.BadRows;
import bertadapt.data.Example;
import bertadapt.data.LabelVocabulary;
import bertadapt.data.LabelledDataset;
import bertadapt.data.Split;
import bertadapt.eval.ClassificationMetrics;
import bertadapt.io.AtomicFiles;
import bertadapt.text.TextInput;

/**
 * A fine-tuning run on a labelled dataset: trains on the training split, picks the best epoch on the
 * validation split (the test split when there is none, as the seed experiments do), then scores the best
 * model on the test split and writes {@code report.json} beside the checkpoints.
 */
public final class FineTuning {

    /**
     * @param trainedOn        the dataset and the seed of its split
     * @param selectedOn       the split that picked the best checkpoint
     * @param testPredictions  the best model's class for each test example, in the split's order
     * @param testGold         the gold class of each test example
     * @param badRows          the malformed rows skipped when the dataset was read (none when reading failed on them)
     */
    public record Report(TrainedOn trainedOn, Split selectedOn, Trainer.Result training, ClassificationMetrics test,
                         int[] testPredictions, int[] testGold, BadRows badRows) {
    }

    /**
     * The dataset a fine-tuned model learned from, kept in its folder ({@value #FILE}) so that {@code evaluate} can score
     * the test split of the same split.
     *
     * @param splitSeed the seed that drew the train/test split; null for a dataset's published splits
     */
    public record TrainedOn(String dataset, Long splitSeed) {

        public static final String FILE = "trained_on.json";

        static TrainedOn of(LabelledDataset dataset) {
            return new TrainedOn(dataset.name(), dataset.splitSeed().isPresent() ? dataset.splitSeed().getAsLong() : null);
        }

        private static final ObjectMapper JSON = new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

        /** What {@code modelDirectory} records; empty for a model fine-tuned before models recorded it. */
        public static Optional<TrainedOn> read(Path modelDirectory) throws IOException {
            Path file = modelDirectory.resolve(FILE);
            return Files.exists(file) ? Optional.of(JSON.readValue(file.toFile(), TrainedOn.class)) : Optional.empty();
        }

        void write(Path modelDirectory) throws IOException {
            AtomicFiles.writeJson(modelDirectory.resolve(FILE), JSON.convertValue(this, Map.class));
        }
    }

    public static final String REPORT_FILE = "report.json";

    private FineTuning() {
    }

    /** @param badRows what reading {@code dataset} skipped, for the report */
    public static Report run(Path modelDirectory, LabelledDataset dataset, BadRows badRows, ClassificationTask.Options options,
                             TrainerSettings settings, Path outputDir) throws IOException {
        Split selection = dataset.has(Split.VALIDATION) ? Split.VALIDATION : Split.TEST;
        LabelVocabulary labels = dataset.labels();
        ClassificationTask.Data train = data(dataset.split(Split.TRAIN), labels);
        ClassificationTask.Data test = data(dataset.split(Split.TEST), labels);
        try (ClassificationTask task = new ClassificationTask(modelDirectory, options, labels, train,
                data(dataset.split(selection), labels), selection)) {
            Trainer.Result result = new Trainer(settings, outputDir).fit(task);
            Path best = outputDir.resolve(Trainer.BEST_DIR);
            task.loadModel(best);
            TrainedOn trainedOn = TrainedOn.of(dataset);
            trainedOn.write(best);
            int[] predicted = ClassificationTask.argmax(task.predict(test.texts()));
            Report report = new Report(trainedOn, selection, result,
                    ClassificationMetrics.of(test.labels(), predicted, labels.size()), predicted, test.labels(), badRows);
            write(report, outputDir.resolve(REPORT_FILE));
            return report;
        }
    }

    /** Texts and class ids of labelled examples. */
    public static ClassificationTask.Data data(List<Example> examples, LabelVocabulary labels) {
        List<TextInput> texts = examples.stream()
                .map(e -> e.isPair() ? TextInput.pair(e.textA(), e.textB()) : TextInput.single(e.textA())).toList();
        int[] ids = examples.stream().mapToInt(e -> labels.id(e.label())).toArray();
        return new ClassificationTask.Data(texts, ids);
    }

    private static void write(Report report, Path file) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("dataset", report.trainedOn().dataset());
        json.put("split_seed", report.trainedOn().splitSeed());
        json.put("selected_on", report.selectedOn().name().toLowerCase());
        json.put("bad_rows", report.badRows().asJson());
        json.put("training", report.training());
        json.put("test", report.test().asMap());
        json.put("test_confusion", report.test().confusion());
        AtomicFiles.writeJson(file, json);
    }
}
