package bertadapt.experiment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;

import bertadapt.io.AtomicFiles;

/**
 * What one finished run of the grid wrote to its {@code run.json}: the input of {@code bertadapt.report}. Keys are
 * the components' names in snake_case ({@code test_predictions}); every key is always present ({@code null} where it
 * does not apply). A change of meaning or layout bumps {@link #FORMAT_VERSION}.
 *
 * @param formatVersion   {@link #FORMAT_VERSION} of the writer
 * @param experiment      the spec's name
 * @param dataset         the dataset's name
 * @param strategy        the strategy's name, e.g. {@code adaptive} or {@code behavioural[freeze=6]}
 * @param seed            the seed of the head's initialisation, data order, dropout and (adaptive) masking
 * @param startModel      the model directory the run started from: relative to the grid's output folder when inside it
 *                        ({@code seed-1/adaptation/best} for the adaptive strategies), else absolute or as named
 * @param freezeLayerCount encoder freezing of a fine-tuning run: null for none, -1 embeddings, N embeddings and
 *                        layers 0..N-1; null for the frozen-encoder strategies, whose whole encoder is frozen
 * @param labels          class names by id: the ids of {@code test_predictions}, {@code test_gold} and the confusion
 * @param selectedOn      the split whose {@code task.metric} picked the best epoch ({@code validation}, else
 *                        {@code test} for datasets without a validation split, as the seed experiments did)
 * @param test            the best model's test scores: accuracy, precision, recall, f1 (binary: of class 1),
 *                        macro_precision, macro_recall, macro_f1, micro_f1
 * @param testConfusion   test counts [gold][predicted]
 * @param testPredictions the predicted class id of each test example, in the split's order
 * @param testGold        the gold class id of each test example, in the same order
 * @param phases          {@code task} always, {@code adaptation} for the adaptive strategies (one adaptation per seed,
 *                        shared by both adaptive strategies: count it once)
 * @param learningCurve   the task run's updates and evaluations, from its {@code metrics.jsonl}
 * @param adaptation      the shared adaptation's model and held-out scores; null for non-adaptive strategies
 */
public record RunRecord(int formatVersion, String experiment, String dataset, String strategy, long seed, String startModel,
                        Integer freezeLayerCount, List<String> labels, String selectedOn, Map<String, Double> test,
                        int[][] testConfusion, int[] testPredictions, int[] testGold, Map<String, Phase> phases,
                        LearningCurve learningCurve, AdaptationScores adaptation) {

    public static final int FORMAT_VERSION = 1;
    /** The phase names in {@link #phases}. */
    public static final String TASK_PHASE = "task";
    public static final String ADAPTATION_PHASE = "adaptation";

    /**
     * Time spent training in a phase.
     *
     * @param trainingSeconds   seconds in the trainer's update loop during the last (or only) session; a resumed run
     *                          counts only the part after resuming
     * @param examplesPerSecond training examples per second in that loop
     * @param steps             optimiser updates of the whole phase
     * @param wallSeconds       seconds of the whole phase in that session: loading, feature caching, data
     *                          generation, evaluation and test scoring included
     */
    public record Phase(double trainingSeconds, double examplesPerSecond, long steps, double wallSeconds) {
    }

    /**
     * @param steps       one point per optimiser update
     * @param evaluations one per evaluation on the selection split: {@code step}, {@code epoch}, {@code split} and the
     *                    scores (the test metrics' names, plus {@code loss})
     */
    public record LearningCurve(List<Step> steps, List<Map<String, Object>> evaluations) {
    }

    /** An update: its number (from 1), epoch (from 0), mean training loss and learning rate. */
    public record Step(long step, int epoch, double loss, double learningRate) {
    }

    /**
     * @param model  the adapted model directory, as {@link #startModel}
     * @param before held-out {@code mlm_loss}, {@code perplexity} and {@code mlm_accuracy} of the model before adaptation
     * @param after  the same scores of the adapted model
     */
    public record AdaptationScores(String model, Map<String, Double> before, Map<String, Double> after) {
    }

    static final ObjectMapper JSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    /** Reads a {@code run.json}. */
    public static RunRecord read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), RunRecord.class);
    }

    /** Writes this record to {@code file} atomically: a crash leaves the old file or none, never half of one. */
    public void write(Path file) throws IOException {
        JsonNode tree = JSON.valueToTree(this);
        AtomicFiles.writeJson(file, tree);
    }
}
