package bertadapt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bertadapt.TinyModels;

/**
 * finetune, then evaluate and predict on its result, with the tiny model and a tiny Medical Question Pairs file
 * (40 pairs: 32 train, 8 test after the registry's 80/20 split). The scores of a random tiny model mean nothing;
 * the tests check what is written and that the commands agree with each other.
 */
class FineTuneCommandTest {

    @TempDir
    static Path temp;
    private static Path model;
    private static Path datasets;
    private static Path output;
    private static CliRun firstRun;

    @BeforeAll
    static void fineTuneOnce() throws IOException {
        model = TinyModels.write(temp.resolve("tiny-bert"), TinyModels.config(0.1), 1);
        datasets = writeTinyMedicalQuestionPairs(temp.resolve("datasets"));
        output = temp.resolve("run");
        firstRun = finetune();
    }

    /** Same-meaning pairs repeat the question; different-meaning pairs do not. */
    static Path writeTinyMedicalQuestionPairs(Path datasetsDir) throws IOException {
        String[] subjects = {"the cat", "a dog", "the big bird", "a small cat", "the dog"};
        String[] verbs = {"sat on the mat", "barked", "sang", "ran"};
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String question = subjects[i % subjects.length] + " " + verbs[i % verbs.length] + ".";
            String other = subjects[(i + 2) % subjects.length] + " " + verbs[(i + 1) % verbs.length] + ".";
            boolean same = i % 2 == 0;
            rows.add(i + ",\"" + question + "\",\"" + (same ? question : other) + "\"," + (same ? 1 : 0));
        }
        Path folder = Files.createDirectories(datasetsDir.resolve("medical-question-pairs"));
        Files.write(folder.resolve("mqp.csv"), rows);
        return datasetsDir;
    }

    private static CliRun finetune(String... extra) {
        List<String> args = new ArrayList<>(List.of("finetune", "--model", model.toString(), "--dataset", "mqp",
                "--datasets-dir", datasets.toString(), "--output", output.toString(), "--epochs", "2",
                "--batch-size", "8", "--learning-rate", "1e-3", "--max-length", "32"));
        args.addAll(List.of(extra.length > 0 ? extra : new String[] {"--micro-batch-size", "4"}));
        return CliRun.of(args.toArray(String[]::new));
    }

    @Test
    void fineTuningWritesTheBestModelItsLabelsAndAReportAndPrintsTestScores() throws IOException {
        assertEquals(0, firstRun.exitCode(), firstRun::toString);
        assertTrue(Files.isRegularFile(output.resolve("best/model.safetensors")), firstRun::toString);
        assertTrue(Files.isRegularFile(output.resolve("best/labels.json")));
        JsonNode report = new ObjectMapper().readTree(output.resolve("report.json").toFile());
        assertEquals("medical-question-pairs", report.get("dataset").asText());
        assertEquals(8, report.get("training").get("steps").asInt(), "2 epochs of 32 examples in updates of 8");
        assertEquals(42, report.get("split_seed").asLong(), "MQP's train/test split is drawn");
        assertTrue(firstRun.out().startsWith("dataset    medical-question-pairs (split seed 42): 32 training examples, "
                + "best picked on test"), firstRun::toString);
        for (JsonNode evaluation : report.get("training").get("evaluations")) {
            assertEquals("test", evaluation.get("split").asText(), "MQP has no validation split: its test split picks the best epoch");
        }
        assertEquals(String.format(Locale.ROOT, "%.4f", report.get("test").get("accuracy").asDouble()),
                printed("accuracy", firstRun.out()));
        assertTrue(firstRun.out().contains("sequences/s"), firstRun::toString);
    }

    @Test
    void skippedBadRowsAreCountedInTheReport() throws IOException {
        Path withBadRows = writeTinyMedicalQuestionPairs(temp.resolve("bad-datasets"));
        Path csv = withBadRows.resolve("medical-question-pairs/mqp.csv");
        Files.writeString(csv, "40,\"a question\",\"another\"\n41,\"only one question\"\n42,\"q\",\"p\",7\n",
                StandardOpenOption.APPEND);
        Path run = temp.resolve("bad-rows-run");

        CliRun strict = CliRun.of("finetune", "--model", model.toString(), "--dataset", "mqp", "--datasets-dir",
                withBadRows.toString(), "--output", run.toString(), "--epochs", "1", "--max-length", "32");
        assertEquals(2, strict.exitCode(), strict::toString);
        assertTrue(strict.err().contains("mqp.csv:41"), strict::toString);

        CliRun skipping = CliRun.of("finetune", "--model", model.toString(), "--dataset", "mqp", "--datasets-dir",
                withBadRows.toString(), "--output", run.toString(), "--epochs", "1", "--max-length", "32", "--skip-bad-rows");
        assertEquals(0, skipping.exitCode(), skipping::toString);
        JsonNode badRows = new ObjectMapper().readTree(run.resolve("report.json").toFile()).get("bad_rows");
        assertEquals(3, badRows.get("skipped").asInt(), badRows::toString);
        assertTrue(badRows.get("first").get(0).asText().startsWith(csv + ":41: "), badRows::toString);
        assertTrue(skipping.err().contains("3 bad rows skipped"), skipping::toString);
    }

    @Test
    void aDescriptionOfTheSameFileTrainsAsTheKnownDatasetDoes() throws IOException {
        Path description = Files.writeString(datasets.resolve("medical-question-pairs/described.yaml"), """
                header: false
                text: 1
                text_pair: 2
                label: 3
                splits: {train: mqp.csv}
                """);
        CliRun run = CliRun.of("finetune", "--model", model.toString(), "--dataset", description.toString(),
                "--output", temp.resolve("described-run").toString(), "--epochs", "2", "--batch-size", "8",
                "--learning-rate", "1e-3", "--max-length", "32", "--micro-batch-size", "4");

        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().startsWith("dataset    described (split seed 42): 32 training examples, best picked on test"),
                run::toString);
        JsonNode known = new ObjectMapper().readTree(output.resolve("report.json").toFile());
        JsonNode described = new ObjectMapper().readTree(temp.resolve("described-run/report.json").toFile());
        assertEquals(known.get("training").get("evaluations"), described.get("training").get("evaluations"),
                "the same split and the same training, loss for loss");
        assertEquals(known.get("test"), described.get("test"));
    }

    @Test
    void aSubsetTrainsOnThatManyExamples() {
        CliRun run = CliRun.of("finetune", "--model", model.toString(), "--dataset", "mqp", "--datasets-dir",
                datasets.toString(), "--output", temp.resolve("subset-run").toString(), "--epochs", "1", "--batch-size", "4",
                "--max-length", "32", "--subset", "12", "--subset-draw", "first");

        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().contains("12 training examples"), run::toString);
        assertTrue(run.out().contains("of 3, epoch 1"), run::toString);
    }

    @Test
    void anUnknownSubsetDrawIsAnErrorNamingTheDraws() {
        CliRun run = finetune("--subset", "12", "--subset-draw", "top");

        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().contains("--subset-draw") && run.err().contains("FIRST, RANDOM, STRATIFIED"), run::toString);
    }

    @Test
    void runningTheSameCommandAgainTrainsNoFurther() throws IOException {
        CliRun again = finetune();

        assertEquals(0, again.exitCode(), again::toString);
        assertTrue(again.out().contains("was already complete (8 steps)"), again::toString);
        assertEquals(printed("accuracy", firstRun.out()), printed("accuracy", again.out()));
    }

    @Test
    void evaluatePrintsTheTestAccuracyOfTheReportAndAConfusionMatrix() throws IOException {
        CliRun run = CliRun.of("evaluate", "--model", output.resolve("best").toString(), "--dataset", "mqp",
                "--datasets-dir", datasets.toString(), "--max-length", "32");

        assertEquals(0, run.exitCode(), run::toString);
        JsonNode report = new ObjectMapper().readTree(output.resolve("report.json").toFile());
        assertEquals(String.format(Locale.ROOT, "%.4f", report.get("test").get("accuracy").asDouble()),
                printed("accuracy", run.out()));
        assertTrue(run.out().startsWith("medical-question-pairs (split seed 42) test: 8 examples"), run::toString);
        JsonNode confusion = report.get("test_confusion");
        assertTrue(run.out().matches("(?s).*\\n0 +" + confusion.get(0).get(0) + " +" + confusion.get(0).get(1)
                + "\\n1 +" + confusion.get(1).get(0) + " +" + confusion.get(1).get(1) + "\\n"), run::toString);
    }

    @Test
    void anotherSplitSeedTrainsAndScoresOnThatSplit() throws IOException {
        Path run = temp.resolve("split-seed-run");
        CliRun trained = CliRun.of("finetune", "--model", model.toString(), "--dataset", "mqp", "--datasets-dir",
                datasets.toString(), "--output", run.toString(), "--epochs", "1", "--batch-size", "8",
                "--max-length", "32", "--split-seed", "7");

        assertEquals(0, trained.exitCode(), trained::toString);
        assertTrue(trained.out().startsWith("dataset    medical-question-pairs (split seed 7): 32 training examples"),
                trained::toString);
        JsonNode report = new ObjectMapper().readTree(run.resolve("report.json").toFile());
        assertEquals(7, report.get("split_seed").asLong());

        JsonNode trainedOn = new ObjectMapper().readTree(run.resolve("best/trained_on.json").toFile());
        assertEquals("{\"dataset\":\"medical-question-pairs\",\"split_seed\":7}", trainedOn.toString());

        CliRun evaluated = CliRun.of("evaluate", "--model", run.resolve("best").toString(), "--dataset", "mqp",
                "--datasets-dir", datasets.toString(), "--max-length", "32");
        assertEquals(0, evaluated.exitCode(), evaluated::toString);
        assertTrue(evaluated.out().startsWith("medical-question-pairs (split seed 7) test: 8 examples"),
                "the split the model was fine-tuned on, unless told otherwise: " + evaluated);
        assertEquals(String.format(Locale.ROOT, "%.4f", report.get("test").get("accuracy").asDouble()),
                printed("accuracy", evaluated.out()));
        assertEquals("", evaluated.err());

        CliRun otherTest = CliRun.of("evaluate", "--model", run.resolve("best").toString(), "--dataset", "mqp",
                "--datasets-dir", datasets.toString(), "--max-length", "32", "--split-seed", "42");
        assertEquals(0, otherTest.exitCode(), otherTest::toString);
        assertTrue(otherTest.out().startsWith("medical-question-pairs (split seed 42) test: 8 examples"), otherTest::toString);
        assertTrue(otherTest.err().contains("warning: " + run.resolve("best") + " was fine-tuned on the training pairs "
                + "of medical-question-pairs's split with seed 7; the test split of seed 42 holds some of them"), otherTest::toString);

        CliRun otherSplit = CliRun.of("finetune", "--model", model.toString(), "--dataset", "mqp", "--datasets-dir",
                datasets.toString(), "--output", run.toString(), "--epochs", "1", "--batch-size", "8",
                "--max-length", "32", "--split-seed", "8");
        assertEquals(2, otherSplit.exitCode(), otherSplit::toString);
        assertTrue(otherSplit.err().contains("task.training_data was"), otherSplit::toString);
        assertEquals(report, new ObjectMapper().readTree(run.resolve("report.json").toFile()), "the run's report stays");
    }

    @Test
    void predictPrintsALabelAndProbabilitiesPerPairAndWritesCsv() throws IOException {
        String best = output.resolve("best").toString();
        CliRun run = CliRun.of("predict", "--model", best, "--pair", "the cat sat.", "the cat sat.", "a dog ran.",
                "the bird sang.");

        assertEquals(0, run.exitCode(), run::toString);
        List<String> lines = run.out().lines().toList();
        assertEquals(3, lines.size(), run::toString);
        assertTrue(lines.get(0).matches("label +p_0 +p_1 +text"), run::toString);
        assertTrue(lines.get(1).matches("[01] +0\\.\\d{4} +0\\.\\d{4} +the cat sat\\.\tthe cat sat\\."), run::toString);

        Path csvFile = temp.resolve("predictions.csv");
        CliRun toCsv = CliRun.of("predict", "--model", best, "--pair", "--output", csvFile.toString(),
                "the cat sat.", "the cat sat.");
        assertEquals(0, toCsv.exitCode(), toCsv::toString);
        try (CSVParser csv = CSVParser.parse(csvFile, java.nio.charset.StandardCharsets.UTF_8,
                CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get())) {
            assertEquals(List.of("text", "text_pair", "label", "p_0", "p_1"), csv.getHeaderNames());
            CSVRecord record = csv.getRecords().get(0);
            assertEquals(1.0, Double.parseDouble(record.get("p_0")) + Double.parseDouble(record.get("p_1")), 1e-3);
            assertEquals(lines.get(1).split(" +")[0], record.get("label"), "the same prediction as on stdout");
        }
    }

    @Test
    void anUnknownDatasetIsAnErrorNamingTheKnownOnes() {
        CliRun run = CliRun.of("finetune", "--model", model.toString(), "--dataset", "glue",
                "--datasets-dir", datasets.toString(), "--output", temp.resolve("never").toString());

        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("bertadapt: Unknown dataset 'glue'; known datasets: mrpc, "), run::toString);
        assertTrue(Files.notExists(temp.resolve("never")));
    }

    @Test
    void aMicroBatchSizeThatDoesNotDivideTheBatchSizeIsAnError() {
        CliRun run = finetune("--micro-batch-size", "3");

        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().contains("--micro-batch-size 3 does not divide --batch-size 8"), run::toString);
    }

    @Test
    void outOfRangeNumbersAreErrorsNamingTheOption() {
        CliRun run = finetune("--warmup-ratio", "1.5");

        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().contains("--warmup-ratio") && run.err().contains("between 0 and 1"), run::toString);
    }

    /** The value printed after {@code name} at the start of a line. */
    private static String printed(String name, String out) {
        Matcher value = Pattern.compile("(?m)^" + name + " +(\\S+)").matcher(out);
        assertTrue(value.find(), () -> name + " not printed in\n" + out);
        return value.group(1);
    }
}
