package bertadapt.experiment;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import org.nd4j.linalg.factory.Nd4j;

import bertadapt.Version;
import bertadapt.model.Freezing;
import bertadapt.model.Heads;
import bertadapt.report.EnvironmentInfo;
import bertadapt.report.ExperimentReport;
import bertadapt.report.ExperimentResults;
import bertadapt.report.RunResult;

/** Turns the grid's {@code run.json} records into the experiment report ({@code summary.md}, plots, statistics). */
final class GridReport {

    private static final ObjectMapper JSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .registerModule(new SimpleModule().addSerializer(Heads.ClassifierHead.class, new StdSerializer<>(Heads.ClassifierHead.class) {
                @Override
                public void serialize(Heads.ClassifierHead head, JsonGenerator out, SerializerProvider provider) throws IOException {
                    // A built-in head as task.head names it; a researcher's own head by its class.
                    out.writeString(head instanceof Enum<?> builtIn ? builtIn.name().toLowerCase(Locale.ROOT) : head.getClass().getName());
                }
            }));

    private GridReport() {
    }

    /** @param task what the report is titled by: the dataset's own name, which a description path is not */
    static void write(ExperimentSpec spec, String task, List<RunRecord> records) throws IOException {
        List<RunResult> runs = new ArrayList<>();
        for (RunRecord record : records) {
            runs.add(result(record, spec.task().metric()));
        }
        ExperimentResults results = new ExperimentResults(task, spec.task().metric(), records.get(0).selectedOn(),
                records.get(0).labels(), config(spec),
                EnvironmentInfo.detect(Version.VALUE, Nd4j.getBackend().getClass().getSimpleName()), runs);
        ExperimentReport.write(results, spec.output());
    }

    /** The spec as the report echoes it: keys as in the YAML, built-in heads and "none" as a spec writes them. */
    static Map<String, Object> config(ExperimentSpec spec) {
        Map<String, Object> config = JSON.convertValue(spec, new TypeReference<Map<String, Object>>() { });
        if (spec.task().freezeLayerCount() == Freezing.NONE) {
            @SuppressWarnings("unchecked")
            Map<String, Object> task = (Map<String, Object>) config.get("task");
            task.put("freeze_layer_count", "none");
        }
        return config;
    }

    private static RunResult result(RunRecord record, String metric) {
        Map<String, Double> test = record.test();
        RunResult.TestMetrics metrics = new RunResult.TestMetrics(test.get("accuracy"), test.get("f1"), test.get("macro_f1"),
                record.testConfusion());
        RunRecord.Phase task = record.phases().get(RunRecord.TASK_PHASE);
        List<RunResult.LossPoint> losses = record.learningCurve().steps().stream()
                .map(step -> new RunResult.LossPoint(step.step(), step.epoch(), step.loss())).toList();
        List<RunResult.ValidationPoint> validation = record.learningCurve().evaluations().stream()
                .map(e -> new RunResult.ValidationPoint(((Number) e.get("step")).longValue(), ((Number) e.get("epoch")).doubleValue(),
                        ((Number) e.get(metric)).doubleValue()))
                .toList();
        RunResult.Phase fineTuning = new RunResult.Phase(task.wallSeconds(), task.examplesPerSecond(), losses, validation);
        RunResult.Adaptation adaptation = null;
        if (record.adaptation() != null) {
            RunRecord.Phase phase = record.phases().get(RunRecord.ADAPTATION_PHASE);
            adaptation = new RunResult.Adaptation(new RunResult.Phase(phase.wallSeconds(), phase.examplesPerSecond(), List.of(), List.of()),
                    scores(record.adaptation().before()), scores(record.adaptation().after()));
        }
        return new RunResult(record.strategy(), record.seed(), metrics, record.testPredictions(), record.testGold(), fineTuning, adaptation);
    }

    private static RunResult.MaskedLmScores scores(Map<String, Double> scores) {
        return new RunResult.MaskedLmScores(scores.get("mlm_loss"), scores.get("perplexity"), scores.get("mlm_accuracy"));
    }
}
