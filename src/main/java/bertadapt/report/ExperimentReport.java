package bertadapt.report;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import bertadapt.io.AtomicFiles;

/**
 * Writes an experiment's report into its output directory: {@value #SUMMARY_MARKDOWN}, {@value #SUMMARY_CSV},
 * {@value #RESULTS_JSON} and PNG + SVG charts under {@value #PLOTS_DIR}/ (see {@link Plots} for which).
 *
 * <p>Every file is rendered in memory first, then each is replaced atomically ({@link AtomicFiles}), with
 * {@value #SUMMARY_MARKDOWN} last: a failure while computing leaves the previous report untouched, and one while
 * writing leaves every file either the previous version or the new one, never half-written.
 */
public final class ExperimentReport {

    public static final String SUMMARY_MARKDOWN = "summary.md";
    public static final String SUMMARY_CSV = "summary.csv";
    public static final String RESULTS_JSON = "results.json";
    public static final String PLOTS_DIR = "plots";

    /** Replaces one file with the given content; {@link AtomicFiles#write} outside tests. */
    @FunctionalInterface
    interface FileReplacer {
        void replace(Path target, AtomicFiles.BinaryContent content) throws IOException;
    }

    /**
     * Everything {@value #RESULTS_JSON} holds: the inputs, and the statistics computed from them.
     *
     * @param generatedAt ISO-8601 instant the report was written
     */
    public record ResultsDocument(String generatedAt, ExperimentResults results, List<StrategySummary> strategies,
                                  List<Significance.Comparison> comparisons) {
    }

    private static final ObjectWriter JSON = new ObjectMapper().writerWithDefaultPrettyPrinter();

    private ExperimentReport() {
    }

    /**
     * Writes the report with {@link Significance#DEFAULT_RESAMPLES} bootstrap resamples and a fixed seed, creating
     * {@code outputDir} if needed.
     *
     * @return the files written, {@value #SUMMARY_MARKDOWN} last
     */
    public static List<Path> write(ExperimentResults results, Path outputDir) throws IOException {
        return write(results, outputDir, Significance.DEFAULT_RESAMPLES, Significance.DEFAULT_SEED);
    }

    /** As {@link #write(ExperimentResults, Path)}, with the bootstrap's resamples and seed. */
    public static List<Path> write(ExperimentResults results, Path outputDir, int bootstrapResamples, long bootstrapSeed)
            throws IOException {
        return write(results, outputDir, bootstrapResamples, bootstrapSeed, AtomicFiles::write);
    }

    static List<Path> write(ExperimentResults results, Path outputDir, int bootstrapResamples, long bootstrapSeed,
                            FileReplacer files) throws IOException {
        List<StrategySummary> summaries = StrategySummary.of(results);
        List<Significance.Comparison> comparisons = Significance.compareAll(results, bootstrapResamples, bootstrapSeed);

        Map<Path, byte[]> contents = new LinkedHashMap<>();
        Plots.render(results, summaries)
                .forEach((name, bytes) -> contents.put(outputDir.resolve(PLOTS_DIR).resolve(name), bytes));
        contents.put(outputDir.resolve(SUMMARY_CSV), utf8(SummaryCsv.render(results, summaries)));
        contents.put(outputDir.resolve(RESULTS_JSON), JSON.writeValueAsBytes(
                new ResultsDocument(Instant.now().toString(), results, summaries, comparisons)));
        // Last, so a summary.md that is new means the whole report is.
        contents.put(outputDir.resolve(SUMMARY_MARKDOWN), utf8(SummaryMarkdown.render(results, summaries, comparisons, JSON)));

        Files.createDirectories(outputDir.resolve(PLOTS_DIR));
        List<Path> written = new ArrayList<>();
        for (Map.Entry<Path, byte[]> file : contents.entrySet()) {
            files.replace(file.getKey(), channel -> {
                ByteBuffer buffer = ByteBuffer.wrap(file.getValue());
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            });
            written.add(file.getKey());
        }
        return written;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
