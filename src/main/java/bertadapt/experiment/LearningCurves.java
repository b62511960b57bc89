package bertadapt.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import bertadapt.train.Trainer;

/** Reads a run's learning curve from the {@link Trainer}'s {@code metrics.jsonl}. */
final class LearningCurves {

    private static final ObjectMapper JSON = new ObjectMapper();

    private LearningCurves() {
    }

    /** Update lines (they carry a learning rate) become steps; evaluation lines (they name a split) evaluations. */
    static RunRecord.LearningCurve read(Path metricsFile) throws IOException {
        List<RunRecord.Step> steps = new ArrayList<>();
        List<Map<String, Object>> evaluations = new ArrayList<>();
        if (Files.isRegularFile(metricsFile)) {
            for (String line : Files.readAllLines(metricsFile)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode json = JSON.readTree(line);
                if (json.has("split")) {
                    evaluations.add(JSON.convertValue(json, new TypeReference<Map<String, Object>>() {
                    }));
                } else if (json.has("learning_rate")) {
                    steps.add(new RunRecord.Step(json.path("step").asLong(), json.path("epoch").asInt(), json.path("loss").asDouble(),
                            json.path("learning_rate").asDouble()));
                }
            }
        }
        return new RunRecord.LearningCurve(steps, evaluations);
    }
}
