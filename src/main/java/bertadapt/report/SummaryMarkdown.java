package bertadapt.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;

/** Renders {@code summary.md}: what a reader looks at first, so numbers are rounded and explained. */
final class SummaryMarkdown {

    private SummaryMarkdown() {
    }

    static String render(ExperimentResults results, List<StrategySummary> summaries,
                         List<Significance.Comparison> comparisons, ObjectWriter json) throws JsonProcessingException {
        StringBuilder out = new StringBuilder();
        out.append("# Experiment report: ").append(results.task()).append("\n\n");
        out.append(String.format(Locale.ROOT, "%d runs of %d strategies on %d test examples; each run's best epoch picked by %s "
                        + "on the %s split", results.runs().size(), summaries.size(), results.goldLabels().length,
                results.selectionMetric(), results.selectedOn()));
        out.append(results.selectedOn().equals("test")
                ? " (the dataset has no validation split; picking on the test split flatters the test scores below).\n\n"
                : ".\n\n");

        strategies(out, summaries);
        maskedLm(out, summaries);
        significance(out, comparisons);
        environment(out, results.environment());
        out.append("## Configuration\n\n```json\n").append(json.writeValueAsString(results.config())).append("\n```\n");
        return out.toString();
    }

    private static void strategies(StringBuilder out, List<StrategySummary> summaries) {
        out.append("## Strategies\n\n");
        out.append("Accuracy and F1 in percent, mean ± sample standard deviation over seeds; F1 is that of class 1 with "
                + "two classes, else the macro average. Phase times are mean wall seconds per run; seq/s is training "
                + "sequences per second.\n\n");
        table(out, List.of("strategy", "seeds", "accuracy", "F1", "macro F1", "accuracy per seed", "F1 per seed",
                "adaptation s", "adaptation seq/s", "fine-tuning s", "fine-tuning seq/s"));
        for (StrategySummary summary : summaries) {
            StrategySummary.PhaseSummary adaptation = summary.adaptation() == null ? null : summary.adaptation().phase();
            row(out, List.of(summary.strategy(),
                    Integer.toString(summary.seeds().size()),
                    percent(summary.accuracy()),
                    percent(summary.f1()),
                    percent(summary.macroF1()),
                    perSeed(summary.seeds(), summary.accuracyPerSeed()),
                    perSeed(summary.seeds(), summary.f1PerSeed()),
                    adaptation == null ? "–" : number(adaptation.seconds().mean(), 1),
                    adaptation == null ? "–" : number(adaptation.examplesPerSecond().mean(), 1),
                    number(summary.fineTuning().seconds().mean(), 1),
                    number(summary.fineTuning().examplesPerSecond().mean(), 1)));
        }
        out.append('\n');
    }

    private static void maskedLm(StringBuilder out, List<StrategySummary> summaries) {
        List<StrategySummary> adaptive = summaries.stream().filter(summary -> summary.adaptation() != null).toList();
        if (adaptive.isEmpty()) {
            return;
        }
        out.append("### Masked-LM scores on held-out domain text, before → after adaptation\n\n");
        out.append("Means over seeds; loss is the mean cross-entropy over masked tokens.\n\n");
        table(out, List.of("strategy", "loss", "perplexity", "MLM accuracy"));
        for (StrategySummary summary : adaptive) {
            StrategySummary.AdaptationSummary adaptation = summary.adaptation();
            row(out, List.of(summary.strategy(),
                    number(adaptation.lossBefore().mean(), 3) + " → " + number(adaptation.lossAfter().mean(), 3),
                    number(adaptation.perplexityBefore().mean(), 2) + " → " + number(adaptation.perplexityAfter().mean(), 2),
                    number(100 * adaptation.accuracyBefore().mean(), 2) + "% → "
                            + number(100 * adaptation.accuracyAfter().mean(), 2) + "%"));
        }
        out.append('\n');
    }

    private static void significance(StringBuilder out, List<Significance.Comparison> comparisons) {
        out.append("## Significance\n\n");
        if (comparisons.isEmpty()) {
            out.append("Only one strategy: nothing to compare.\n\n");
            return;
        }
        int resamples = comparisons.get(0).bootstrap().resamples();
        out.append(String.format(Locale.ROOT, "Δ is the first strategy's mean-over-seeds test accuracy minus the second's, "
                + "in points. **Paired bootstrap**: %d resamples of the test examples with replacement, the same "
                + "examples for both strategies; per example, the fraction of seeds that got it right; two-sided "
                + "p = 2 · min(share of resampled Δ ≤ 0, share ≥ 0), with the interval its 2.5th–97.5th "
                + "percentiles. It covers test-set sampling, not training randomness. **Welch's t-test** over the "
                + "per-seed accuracies covers training randomness, with Welch–Satterthwaite degrees of freedom.%n%n",
                resamples));
        table(out, List.of("comparison", "Δ accuracy", "bootstrap 95% interval", "p (paired bootstrap)", "Welch t",
                "Welch df", "p (Welch)"));
        for (Significance.Comparison comparison : comparisons) {
            PairedBootstrap bootstrap = comparison.bootstrap();
            WelchTest welch = comparison.welch();
            row(out, List.of(comparison.strategy() + " vs " + comparison.reference(),
                    signedPoints(comparison.accuracyDifference()),
                    "[" + signedPoints(bootstrap.lower95()) + ", " + signedPoints(bootstrap.upper95()) + "]",
                    pValue(bootstrap.pValue()),
                    welch.defined() ? number(welch.t(), 2) : "n/a",
                    welch.defined() ? number(welch.degreesOfFreedom(), 1) : "n/a",
                    welch.defined() ? pValue(welch.pValue()) : "n/a (" + welch.undefinedReason() + ")"));
        }
        out.append('\n');
        for (Significance.Comparison comparison : comparisons) {
            WelchTest welch = comparison.welch();
            out.append("- ").append(comparison.strategy()).append(" vs ").append(comparison.reference()).append(": ")
                    .append(signedPoints(comparison.accuracyDifference())).append(" accuracy points, p ")
                    .append(pRelation(comparison.bootstrap().pValue())).append(" (paired bootstrap), ")
                    .append(welch.defined() ? "p " + pRelation(welch.pValue()) + " (Welch)"
                            : "Welch's test undefined: " + welch.undefinedReason())
                    .append(".\n");
        }
        out.append('\n');
    }

    private static void environment(StringBuilder out, EnvironmentInfo environment) {
        out.append("## Environment\n\n");
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("bertadapt", environment.projectVersion());
        facts.put("Java", environment.javaVersion() + " (" + environment.javaVendor() + ")");
        facts.put("ND4J backend", environment.nd4jBackend());
        facts.put("OS", environment.os());
        facts.put("CPU", environment.cpuModel() + ", " + environment.cores() + " cores");
        facts.put("max heap", number(environment.maxMemoryBytes() / (1024.0 * 1024 * 1024), 1) + " GiB");
        facts.forEach((name, value) -> out.append("- ").append(name).append(": ").append(value).append('\n'));
        out.append('\n');
    }

    private static void table(StringBuilder out, List<String> header) {
        row(out, header);
        List<String> rule = new ArrayList<>();
        header.forEach(column -> rule.add("---"));
        row(out, rule);
    }

    private static void row(StringBuilder out, List<String> cells) {
        out.append('|');
        // A pipe in a strategy name or reason would end the cell early.
        cells.forEach(cell -> out.append(' ').append(cell.replace("|", "\\|")).append(" |"));
        out.append('\n');
    }

    private static String percent(MeanStd value) {
        String mean = number(100 * value.mean(), 2);
        return Double.isNaN(value.std()) ? mean : mean + " ± " + number(100 * value.std(), 2);
    }

    private static String perSeed(List<Long> seeds, List<Double> values) {
        List<String> cells = new ArrayList<>();
        for (int i = 0; i < seeds.size(); i++) {
            cells.add(number(100 * values.get(i), 2) + " (" + seeds.get(i) + ")");
        }
        return String.join(", ", cells);
    }

    private static String signedPoints(double fraction) {
        return String.format(Locale.ROOT, "%+.2f", 100 * fraction);
    }

    private static String number(double value, int decimals) {
        return Double.isNaN(value) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** The p-value as a table cell: below 0.001 only the bound matters. */
    private static String pValue(double p) {
        return p < 0.001 ? "< 0.001" : number(p, 3);
    }

    private static String pRelation(double p) {
        return p < 0.001 ? "< 0.001" : "= " + number(p, 3);
    }
}
