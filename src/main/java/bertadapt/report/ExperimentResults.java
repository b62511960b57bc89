package bertadapt.report;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything one experiment produced: the configuration it ran with, where it ran, and one {@link RunResult} per
 * strategy and seed. Every run must have been scored on the same test examples in the same order, since the paired
 * bootstrap compares strategies example by example.
 *
 * @param selectionMetric  the metric that picked each run's best epoch and makes its learning curve, e.g. {@code accuracy}
 * @param selectedOn       the split it was computed on: {@code validation}, or {@code test} for a dataset without one
 * @param classNames       label of each class id, for the confusion matrices; empty to show the ids
 * @param config           the configuration echo, as the harness read it; keeps its iteration order
 */
public record ExperimentResults(String task, String selectionMetric, String selectedOn, List<String> classNames,
                                Map<String, Object> config, EnvironmentInfo environment, List<RunResult> runs) {

    public ExperimentResults {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(selectionMetric, "selectionMetric");
        Objects.requireNonNull(selectedOn, "selectedOn");
        Objects.requireNonNull(environment, "environment");
        classNames = List.copyOf(classNames);
        // Not Map.copyOf: a config echo may hold nulls and its order is what the user wrote.
        config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
        runs = List.copyOf(runs);
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no runs to report");
        }
        int[] gold = runs.get(0).goldLabels();
        Set<String> strategySeeds = new HashSet<>();
        for (RunResult run : runs) {
            if (!Arrays.equals(gold, run.goldLabels())) {
                throw new IllegalArgumentException(run.strategy() + " seed " + run.seed()
                        + " was scored on other test labels than " + runs.get(0).strategy() + " seed " + runs.get(0).seed());
            }
            if (!strategySeeds.add(run.strategy() + "\u0000" + run.seed())) {
                throw new IllegalArgumentException(run.strategy() + " seed " + run.seed() + " appears twice");
            }
        }
    }

    /** The strategies in the order their first run appears. */
    public List<String> strategies() {
        Set<String> names = new LinkedHashSet<>();
        runs.forEach(run -> names.add(run.strategy()));
        return List.copyOf(names);
    }

    /** The runs of one strategy, in the order given. */
    public List<RunResult> runsOf(String strategy) {
        return runs.stream().filter(run -> run.strategy().equals(strategy)).toList();
    }

    /** The gold label of each test example, shared by every run. */
    public int[] goldLabels() {
        return runs.get(0).goldLabels();
    }

    /** The name shown for a class id. */
    public String className(int classId) {
        return classId < classNames.size() ? classNames.get(classId) : Integer.toString(classId);
    }
}
