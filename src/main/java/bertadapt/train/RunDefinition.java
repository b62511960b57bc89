package bertadapt.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;

import bertadapt.io.AtomicFiles;

/**
 * What a run in an output folder was started with, kept in {@link Trainer#DEFINITION_FILE}: its task's data and
 * options ({@link TrainingTask#definition}) and the trainer's settings. A run resumes only under the definition it
 * started with; otherwise its checkpoints, metrics and report would mix two runs under the name of one.
 */
final class RunDefinition {

    /** Snake case, as the settings' names are in error messages and the rest of the run's JSON. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    private final ObjectNode definition;

    private RunDefinition(ObjectNode definition) {
        this.definition = definition;
    }

    /** Everything that decides the run's updates; how many checkpoints it keeps does not. */
    static RunDefinition of(TrainingTask task, TrainerSettings settings) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("task", task.definition());
        values.put("settings", settings);
        ObjectNode tree;
        try {
            // Through text, so numbers take the node types that reading the file gives them (42 is an int either way).
            tree = (ObjectNode) JSON.readTree(JSON.writeValueAsString(values));
        } catch (IOException e) {
            throw new IllegalArgumentException("the run's definition is not JSON: " + e.getMessage(), e);
        }
        ((ObjectNode) tree.get("settings")).remove("keep_checkpoints");
        return new RunDefinition(tree);
    }

    /** Records a fresh run's definition in {@code outputDir}. */
    void write(Path outputDir) throws IOException {
        AtomicFiles.writeJson(outputDir.resolve(Trainer.DEFINITION_FILE), definition);
    }

    /**
     * Checks that the run in {@code outputDir} was started with this definition; records it for a run started before
     * runs recorded theirs.
     *
     * @throws IllegalArgumentException naming each value that differs, then and now
     */
    void checkResumable(Path outputDir) throws IOException {
        Path file = outputDir.resolve(Trainer.DEFINITION_FILE);
        if (!Files.exists(file)) {
            write(outputDir);
            return;
        }
        JsonNode started = JSON.readTree(file.toFile());
        List<String> differences = new ArrayList<>();
        compare("", started, definition, differences);
        if (!differences.isEmpty()) {
            throw new IllegalArgumentException(outputDir + " holds a run started with other settings ("
                    + Trainer.DEFINITION_FILE + "): " + String.join("; ", differences)
                    + ". Resume it with the settings it started with, or train into another folder.");
        }
    }

    private static void compare(String path, JsonNode then, JsonNode now, List<String> differences) {
        if (then != null && now != null && then.isObject() && now.isObject()) {
            Set<String> names = new LinkedHashSet<>();
            then.fieldNames().forEachRemaining(names::add);
            now.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                compare(path.isEmpty() ? name : path + "." + name, then.get(name), now.get(name), differences);
            }
        } else if (then == null || !then.equals(now)) {
            differences.add(path + " was " + then + ", is " + now);
        }
    }
}
