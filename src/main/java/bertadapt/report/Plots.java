package bertadapt.report;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Renders the report's charts, each as PNG and SVG bytes keyed by file name:
 * <ul>
 *   <li>{@code loss-<strategy>}: fine-tuning training loss against step, one line per seed;</li>
 *   <li>{@code validation-<strategy>}: the metric that picks the best epoch against step, one line per seed (on the
 *   test split for a dataset without a validation split, as the title says);</li>
 *   <li>{@code scores}: mean test accuracy and F1 per strategy, error bars one sample std over seeds;</li>
 *   <li>{@code confusion-<strategy>}: the test confusion matrix summed over the strategy's seeds, so each cell counts
 *       example-seed pairs and the matrix total is examples × seeds.</li>
 * </ul>
 * A learning-curve chart is left out for a strategy whose runs recorded no points.
 */
final class Plots {

    static {
        // Charts are drawn off screen; without this a machine with no display fails in AWT's first call. Must run
        // before AWT initialises, and leaves a caller's explicit choice alone.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private static final int WIDTH = 900;
    private static final int HEIGHT = 600;

    private Plots() {
    }

    static Map<String, byte[]> render(ExperimentResults results, List<StrategySummary> summaries) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        add(files, "scores", scores(summaries));
        Map<String, String> stems = fileStems(results.strategies());
        for (String strategy : results.strategies()) {
            List<RunResult> runs = results.runsOf(strategy);
            String stem = stems.get(strategy);
            XYChart loss = curves("Fine-tuning training loss: " + strategy, "training loss", runs,
                    run -> pointsOf(run.fineTuning().trainLoss(), RunResult.LossPoint::step, RunResult.LossPoint::loss));
            if (loss != null) {
                add(files, "loss-" + stem, loss);
            }
            String metric = results.selectedOn() + " " + results.selectionMetric();
            XYChart validation = curves(Character.toUpperCase(metric.charAt(0)) + metric.substring(1) + ": " + strategy,
                    metric, runs,
                    run -> pointsOf(run.fineTuning().validation(), RunResult.ValidationPoint::step,
                            RunResult.ValidationPoint::value));
            if (validation != null) {
                add(files, "validation-" + stem, validation);
            }
            add(files, "confusion-" + stem, confusion(results, strategy, runs));
        }
        return files;
    }

    /**
     * File-name-safe stems, unique even when two strategy names differ only in characters that are replaced.
     */
    static Map<String, String> fileStems(List<String> strategies) {
        Map<String, String> stems = new LinkedHashMap<>();
        Set<String> taken = new HashSet<>();
        for (String strategy : strategies) {
            String base = strategy.replaceAll("[^A-Za-z0-9._+-]", "_");
            String stem = base;
            for (int suffix = 2; !taken.add(stem); suffix++) {
                stem = base + "-" + suffix;
            }
            stems.put(strategy, stem);
        }
        return stems;
    }

    private record Curve(double[] steps, double[] values) {
    }

    private static <P> Curve pointsOf(List<P> points, Function<P, Long> step, Function<P, Double> value) {
        return new Curve(points.stream().mapToDouble(point -> step.apply(point)).toArray(),
                points.stream().mapToDouble(point -> value.apply(point)).toArray());
    }

    private static XYChart curves(String title, String yTitle, List<RunResult> runs, Function<RunResult, Curve> curveOf) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("optimizer step").yAxisTitle(yTitle).build();
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        // Below the plot: loss falls and validation scores rise, so any corner inside would cover some curve.
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        boolean anyPoints = false;
        for (RunResult run : runs) {
            Curve curve = curveOf.apply(run);
            if (curve.steps().length == 0) {
                continue;
            }
            XYSeries series = chart.addSeries("seed " + run.seed(), curve.steps(), curve.values());
            // Markers only where points are few enough to tell apart (validation every few hundred steps).
            series.setMarker(curve.steps().length <= 30 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
            anyPoints = true;
        }
        return anyPoints ? chart : null;
    }

    private static CategoryChart scores(List<StrategySummary> summaries) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Test scores: mean over seeds, error bars ± 1 sample std")
                .xAxisTitle("strategy").yAxisTitle("percent").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(100.0);
        chart.getStyler().setXAxisLabelRotation(summaries.size() > 4 ? 20 : 0);
        List<String> strategies = summaries.stream().map(StrategySummary::strategy).toList();
        chart.addSeries("accuracy", strategies, percents(summaries, StrategySummary::accuracy, MeanStd::mean),
                percents(summaries, StrategySummary::accuracy, MeanStd::std));
        chart.addSeries("F1", strategies, percents(summaries, StrategySummary::f1, MeanStd::mean),
                percents(summaries, StrategySummary::f1, MeanStd::std));
        return chart;
    }

    private static List<Double> percents(List<StrategySummary> summaries, Function<StrategySummary, MeanStd> score,
                                         Function<MeanStd, Double> statistic) {
        // One seed has no std: draw no error bar rather than fail on NaN.
        return summaries.stream().map(summary -> statistic.apply(score.apply(summary)))
                .map(value -> Double.isNaN(value) ? 0.0 : 100 * value).toList();
    }

    private static HeatMapChart confusion(ExperimentResults results, String strategy, List<RunResult> runs) {
        int classes = runs.get(0).test().confusion().length;
        long[][] summed = new long[classes][classes];
        for (RunResult run : runs) {
            int[][] confusion = run.test().confusion();
            if (confusion.length != classes) {
                throw new IllegalArgumentException(strategy + " seed " + run.seed() + " has a " + confusion.length
                        + "-class confusion matrix, seed " + runs.get(0).seed() + " one of " + classes);
            }
            for (int gold = 0; gold < classes; gold++) {
                for (int predicted = 0; predicted < classes; predicted++) {
                    summed[gold][predicted] += confusion[gold][predicted];
                }
            }
        }
        List<String> predictedNames = new ArrayList<>();
        List<String> goldNames = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            predictedNames.add(results.className(c));
            // The y axis grows upwards; listing gold classes last-first puts class 0 in the top row as usual.
            goldNames.add(results.className(classes - 1 - c));
        }
        List<Number[]> cells = new ArrayList<>();
        long max = 0;
        for (int gold = 0; gold < classes; gold++) {
            for (int predicted = 0; predicted < classes; predicted++) {
                cells.add(new Number[] {predicted, classes - 1 - gold, summed[gold][predicted]});
                max = Math.max(max, summed[gold][predicted]);
            }
        }
        HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT)
                .title("Confusion matrix: " + strategy + " (sum over " + runs.size() + " seeds)")
                .xAxisTitle("predicted").yAxisTitle("gold").build();
        chart.getStyler().setShowValue(true);
        chart.getStyler().setMin(0);
        chart.getStyler().setMax(Math.max(1, max));
        chart.getStyler().setHeatMapValueDecimalPattern("#");
        // Light colours keep the black counts readable in every cell.
        chart.getStyler().setRangeColors(new Color[] {new Color(0xF7FBFF), new Color(0x9ECAE1), new Color(0x4292C6)});
        chart.getStyler().setLegendVisible(false);
        chart.addSeries("examples", predictedNames, goldNames, cells);
        return chart;
    }

    private static void add(Map<String, byte[]> files, String stem, Chart<?, ?> chart) throws IOException {
        files.put(stem + ".png", BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        ByteArrayOutputStream svg = new ByteArrayOutputStream();
        VectorGraphicsEncoder.saveVectorGraphic(chart, svg, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        files.put(stem + ".svg", svg.toByteArray());
    }
}
