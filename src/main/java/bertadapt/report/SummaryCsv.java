package bertadapt.report;

import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * Renders {@code summary.csv}: one row per strategy and seed, then per strategy a {@code mean} and a {@code std} row
 * (in the seed column). Scores are fractions, unrounded, for spreadsheets and scripts; an empty cell means the run had
 * no such value (no adaptation phase) or the statistic is undefined (std of one seed).
 */
final class SummaryCsv {

    static final List<String> HEADER = List.of("strategy", "seed", "accuracy", "f1", "macro_f1",
            "adaptation_seconds", "adaptation_examples_per_second", "fine_tuning_seconds",
            "fine_tuning_examples_per_second", "mlm_loss_before", "mlm_loss_after", "mlm_perplexity_before",
            "mlm_perplexity_after", "mlm_accuracy_before", "mlm_accuracy_after");

    private SummaryCsv() {
    }

    static String render(ExperimentResults results, List<StrategySummary> summaries) throws IOException {
        StringWriter out = new StringWriter();
        try (CSVPrinter printer = CSVFormat.DEFAULT.builder().setHeader(HEADER.toArray(String[]::new)).get().print(out)) {
            for (StrategySummary summary : summaries) {
                for (RunResult run : results.runsOf(summary.strategy())) {
                    printer.printRecord(runRow(run));
                }
                printer.printRecord(aggregateRow(summary, "mean", MeanStd::mean));
                printer.printRecord(aggregateRow(summary, "std", MeanStd::std));
            }
        }
        return out.toString();
    }

    private static List<String> runRow(RunResult run) {
        RunResult.Adaptation adaptation = run.adaptation();
        List<String> row = new ArrayList<>(List.of(run.strategy(), Long.toString(run.seed()),
                cell(run.test().accuracy()), cell(run.test().f1()), cell(run.test().macroF1())));
        if (adaptation == null) {
            row.addAll(List.of("", ""));
        } else {
            row.addAll(List.of(cell(adaptation.phase().seconds()), cell(adaptation.phase().examplesPerSecond())));
        }
        row.addAll(List.of(cell(run.fineTuning().seconds()), cell(run.fineTuning().examplesPerSecond())));
        if (adaptation == null) {
            row.addAll(List.of("", "", "", "", "", ""));
        } else {
            row.addAll(List.of(cell(adaptation.before().loss()), cell(adaptation.after().loss()),
                    cell(adaptation.before().perplexity()), cell(adaptation.after().perplexity()),
                    cell(adaptation.before().accuracy()), cell(adaptation.after().accuracy())));
        }
        return row;
    }

    private static List<String> aggregateRow(StrategySummary summary, String statistic, Function<MeanStd, Double> of) {
        StrategySummary.AdaptationSummary adaptation = summary.adaptation();
        List<String> row = new ArrayList<>(List.of(summary.strategy(), statistic,
                cell(of.apply(summary.accuracy())), cell(of.apply(summary.f1())), cell(of.apply(summary.macroF1()))));
        if (adaptation == null) {
            row.addAll(List.of("", ""));
        } else {
            row.addAll(List.of(cell(of.apply(adaptation.phase().seconds())),
                    cell(of.apply(adaptation.phase().examplesPerSecond()))));
        }
        row.addAll(List.of(cell(of.apply(summary.fineTuning().seconds())),
                cell(of.apply(summary.fineTuning().examplesPerSecond()))));
        if (adaptation == null) {
            row.addAll(List.of("", "", "", "", "", ""));
        } else {
            row.addAll(List.of(cell(of.apply(adaptation.lossBefore())), cell(of.apply(adaptation.lossAfter())),
                    cell(of.apply(adaptation.perplexityBefore())), cell(of.apply(adaptation.perplexityAfter())),
                    cell(of.apply(adaptation.accuracyBefore())), cell(of.apply(adaptation.accuracyAfter()))));
        }
        return row;
    }

    private static String cell(double value) {
        return Double.isNaN(value) ? "" : Double.toString(value);
    }
}
