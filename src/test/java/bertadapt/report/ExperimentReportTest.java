package bertadapt.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import bertadapt.io.AtomicFiles;

class ExperimentReportTest {

    /** Few resamples: these tests check the files, PairedBootstrapTest the statistics. */
    private static final int RESAMPLES = 500;

    private static final List<String> STRATEGIES = List.of("baseline", "adaptive", "behavioural", "adaptive+behavioural");

    @TempDir
    static Path reportDir;

    @BeforeAll
    static void writeReport() throws IOException {
        ExperimentReport.write(ReportFixtures.experiment("sst2"), reportDir, RESAMPLES, 1);
    }

    @Test
    void csvHasARowPerRunAndMeanAndStdRowsPerStrategy() throws IOException {
        try (Reader reader = Files.newBufferedReader(reportDir.resolve(ExperimentReport.SUMMARY_CSV));
             CSVParser parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader)) {
            assertEquals(SummaryCsv.HEADER, parser.getHeaderNames());
            List<CSVRecord> rows = parser.getRecords();
            // 3 + 3 + 1 + 3 runs, and a mean and a std row for each of 4 strategies.
            assertEquals(10 + 8, rows.size());

            CSVRecord first = rows.get(0);
            assertEquals("baseline", first.get("strategy"));
            assertEquals("13", first.get("seed"));
            assertEquals("", first.get("mlm_loss_before"), "baseline has no adaptation");
            double accuracy = Double.parseDouble(first.get("accuracy"));
            assertTrue(accuracy > 0.6 && accuracy < 0.9, "accuracy " + accuracy);

            CSVRecord adaptiveMean = rows.stream()
                    .filter(row -> row.get("strategy").equals("adaptive") && row.get("seed").equals("mean"))
                    .findFirst().orElseThrow();
            assertEquals(2.5, Double.parseDouble(adaptiveMean.get("mlm_loss_before")), 1e-12);
            assertEquals(2.0, Double.parseDouble(adaptiveMean.get("mlm_loss_after")), 1e-12);

            CSVRecord oneSeedStd = rows.stream()
                    .filter(row -> row.get("strategy").equals("behavioural") && row.get("seed").equals("std"))
                    .findFirst().orElseThrow();
            assertEquals("", oneSeedStd.get("accuracy"), "the std of one seed is undefined");
        }
    }

    @Test
    void markdownNamesEveryStrategyAndPair() throws IOException {
        String markdown = Files.readString(reportDir.resolve(ExperimentReport.SUMMARY_MARKDOWN));

        for (String strategy : STRATEGIES) {
            assertTrue(markdown.contains("| " + strategy + " |"), strategy + " row missing:\n" + markdown);
        }
        for (int later = 1; later < STRATEGIES.size(); later++) {
            for (int earlier = 0; earlier < later; earlier++) {
                String pair = STRATEGIES.get(later) + " vs " + STRATEGIES.get(earlier);
                assertTrue(markdown.contains("- " + pair + ": "), pair + " sentence missing:\n" + markdown);
            }
        }
        assertTrue(markdown.matches("(?s).*- adaptive\\+behavioural vs baseline: \\+\\d+\\.\\d\\d accuracy points, "
                + "p [<=] [0-9.]+ \\(paired bootstrap\\), p [<=] [0-9.]+ \\(Welch\\)\\..*"), markdown);
        assertTrue(markdown.contains("behavioural vs baseline") && markdown.contains("needs at least two seeds"),
                "one-seed strategy gets Welch's reason");
        assertTrue(markdown.contains("2.500 → 2.000"), "MLM loss before → after");
        assertTrue(markdown.contains("\"learning_rate\" : 2.0E-5"), "config echo");
        assertTrue(markdown.contains("each run's best epoch picked by accuracy on the validation split.\n"), markdown);
    }

    @Test
    void markdownSaysWhenTheTestSplitPickedTheBestEpoch() throws IOException {
        ExperimentResults validated = ReportFixtures.experiment("mqp");
        ExperimentResults results = new ExperimentResults(validated.task(), validated.selectionMetric(), "test",
                validated.classNames(), validated.config(), validated.environment(), validated.runs());
        String markdown = SummaryMarkdown.render(results, StrategySummary.of(results),
                Significance.compareAll(results, RESAMPLES, 1), new ObjectMapper().writer());
        assertTrue(markdown.contains("picked by accuracy on the test split (the dataset has no validation split; "
                + "picking on the test split flatters the test scores below)"), markdown);
    }

    @Test
    void jsonHoldsEverything() throws IOException {
        JsonNode json = new ObjectMapper().readTree(reportDir.resolve(ExperimentReport.RESULTS_JSON).toFile());

        JsonNode results = json.get("results");
        assertEquals("sst2", results.get("task").asText());
        assertEquals(2e-5, results.get("config").get("learning_rate").asDouble());
        assertTrue(results.get("config").get("comment").isNull());
        assertEquals(3, results.get("config").get("seeds").size());
        assertEquals("CpuBackend", results.get("environment").get("nd4jBackend").asText());
        assertEquals(10, results.get("runs").size());
        assertEquals(ReportFixtures.EXAMPLES, results.get("runs").get(0).get("predictions").size());
        assertEquals(4, json.get("strategies").size());
        assertEquals(6, json.get("comparisons").size());
        JsonNode comparison = json.get("comparisons").get(0);
        assertEquals("adaptive", comparison.get("strategy").asText());
        assertEquals("baseline", comparison.get("reference").asText());
        assertEquals(RESAMPLES, comparison.get("bootstrap").get("resamples").asInt());
    }

    @Test
    void plotsAreReadablePngAndSvg() throws IOException {
        Path plots = reportDir.resolve(ExperimentReport.PLOTS_DIR);
        List<String> stems = Stream.concat(Stream.of("scores"), STRATEGIES.stream()
                        .flatMap(strategy -> Stream.of("loss-", "validation-", "confusion-").map(kind -> kind + strategy)))
                .toList();
        for (String stem : stems) {
            BufferedImage image = ImageIO.read(plots.resolve(stem + ".png").toFile());
            assertNotNull(image, stem + ".png is not an image");
            assertEquals(900, image.getWidth());
            assertEquals(600, image.getHeight());
            String svg = Files.readString(plots.resolve(stem + ".svg"), StandardCharsets.UTF_8).stripLeading();
            assertTrue(svg.startsWith("<?xml") || svg.startsWith("<svg"), stem + ".svg starts " + svg.substring(0, 20));
            assertTrue(svg.contains("</svg>"), stem + ".svg is complete");
        }
        assertTrue(GraphicsEnvironment.isHeadless());
    }

    @Test
    void fileStemsAreSafeAndUnique() {
        assertEquals(List.of("adaptive+behavioural", "freeze_6_", "freeze_6_-2"),
                List.copyOf(Plots.fileStems(List.of("adaptive+behavioural", "freeze(6)", "freeze[6]")).values()));
    }

    @Test
    void failureWhileWritingSummaryLeavesThePreviousOneIntact(@TempDir Path dir) throws IOException {
        ExperimentReport.write(ReportFixtures.experiment("first"), dir, RESAMPLES, 1);
        byte[] previous = Files.readAllBytes(dir.resolve(ExperimentReport.SUMMARY_MARKDOWN));

        // The disk "fills up" halfway through summary.md: AtomicFiles gets a content that writes part and fails.
        ExperimentReport.FileReplacer failingSummary = (target, content) -> AtomicFiles.write(target, channel -> {
            if (target.getFileName().toString().equals(ExperimentReport.SUMMARY_MARKDOWN)) {
                channel.write(ByteBuffer.wrap("# Experiment report: sec".getBytes(StandardCharsets.UTF_8)));
                throw new IOException("No space left on device");
            }
            content.writeTo(channel);
        });
        IOException failure = assertThrows(IOException.class, () -> ExperimentReport.write(
                ReportFixtures.experiment("second"), dir, RESAMPLES, 1, failingSummary));

        assertEquals("No space left on device", failure.getMessage());
        assertArrayEquals(previous, Files.readAllBytes(dir.resolve(ExperimentReport.SUMMARY_MARKDOWN)));
        assertNoTemporaryFiles(dir);
    }

    @Test
    void failureOnAnEarlierFileLeavesThePreviousSummaryIntact(@TempDir Path dir) throws IOException {
        ExperimentReport.write(ReportFixtures.experiment("first"), dir, RESAMPLES, 1);
        byte[] previous = Files.readAllBytes(dir.resolve(ExperimentReport.SUMMARY_MARKDOWN));
        // Something squats results.json's name, so writing stops after the plots and the CSV.
        Files.delete(dir.resolve(ExperimentReport.RESULTS_JSON));
        Files.createDirectory(dir.resolve(ExperimentReport.RESULTS_JSON));

        assertThrows(IOException.class, () -> ExperimentReport.write(ReportFixtures.experiment("second"), dir, RESAMPLES, 1));

        assertArrayEquals(previous, Files.readAllBytes(dir.resolve(ExperimentReport.SUMMARY_MARKDOWN)));
        assertTrue(Files.readString(dir.resolve(ExperimentReport.SUMMARY_CSV)).contains("baseline"));
        assertNoTemporaryFiles(dir);
    }

    private static void assertNoTemporaryFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> temporary = files.filter(file -> file.getFileName().toString().endsWith(".tmp")).toList();
            assertEquals(List.of(), temporary);
        }
    }
}
