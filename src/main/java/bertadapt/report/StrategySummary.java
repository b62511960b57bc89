package bertadapt.report;

import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * One strategy's results over its seeds: test scores per seed and as mean ± sample std, training time and throughput
 * per phase, and for adaptive strategies the held-out masked-LM scores before and after adaptation.
 *
 * @param adaptation {@code null} when no run of the strategy has an adaptation phase
 */
public record StrategySummary(String strategy, List<Long> seeds, List<Double> accuracyPerSeed, List<Double> f1PerSeed,
                              MeanStd accuracy, MeanStd f1, MeanStd macroF1, PhaseSummary fineTuning,
                              AdaptationSummary adaptation) {

    /** Time and throughput of a phase over seeds. */
    public record PhaseSummary(MeanStd seconds, MeanStd examplesPerSecond) {
    }

    /** An adaptation phase over seeds, with held-out masked-LM scores before and after it. */
    public record AdaptationSummary(PhaseSummary phase, MeanStd lossBefore, MeanStd lossAfter,
                                    MeanStd perplexityBefore, MeanStd perplexityAfter,
                                    MeanStd accuracyBefore, MeanStd accuracyAfter) {
    }

    public StrategySummary {
        seeds = List.copyOf(seeds);
        accuracyPerSeed = List.copyOf(accuracyPerSeed);
        f1PerSeed = List.copyOf(f1PerSeed);
    }

    /** One summary per strategy, in {@link ExperimentResults#strategies()} order. */
    public static List<StrategySummary> of(ExperimentResults results) {
        return results.strategies().stream().map(strategy -> of(strategy, results.runsOf(strategy))).toList();
    }

    static StrategySummary of(String strategy, List<RunResult> runs) {
        List<RunResult.Adaptation> adaptations = runs.stream().map(RunResult::adaptation).filter(Objects::nonNull).toList();
        AdaptationSummary adaptation = adaptations.isEmpty() ? null : new AdaptationSummary(
                phaseSummary(adaptations.stream().map(RunResult.Adaptation::phase).toList()),
                over(adaptations, a -> a.before().loss()), over(adaptations, a -> a.after().loss()),
                over(adaptations, a -> a.before().perplexity()), over(adaptations, a -> a.after().perplexity()),
                over(adaptations, a -> a.before().accuracy()), over(adaptations, a -> a.after().accuracy()));
        return new StrategySummary(strategy,
                runs.stream().map(RunResult::seed).toList(),
                runs.stream().map(run -> run.test().accuracy()).toList(),
                runs.stream().map(run -> run.test().f1()).toList(),
                over(runs, run -> run.test().accuracy()),
                over(runs, run -> run.test().f1()),
                over(runs, run -> run.test().macroF1()),
                phaseSummary(runs.stream().map(RunResult::fineTuning).toList()),
                adaptation);
    }

    private static PhaseSummary phaseSummary(List<RunResult.Phase> phases) {
        return new PhaseSummary(over(phases, RunResult.Phase::seconds), over(phases, RunResult.Phase::examplesPerSecond));
    }

    private static <T> MeanStd over(List<T> items, ToDoubleFunction<T> value) {
        return MeanStd.of(items.stream().mapToDouble(value).toArray());
    }
}
