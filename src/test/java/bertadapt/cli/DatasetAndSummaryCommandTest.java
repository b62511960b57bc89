package bertadapt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bertadapt.TinyModels;
import bertadapt.data.DatasetRegistry;

class DatasetAndSummaryCommandTest {

    @TempDir
    Path temp;

    @Test
    void listNamesEveryDatasetAndWhetherItIsPresent() throws IOException {
        Path datasets = FineTuneCommandTest.writeTinyMedicalQuestionPairs(temp.resolve("datasets"));

        CliRun run = CliRun.of("dataset", "list", "--datasets-dir", datasets.toString());

        assertEquals(0, run.exitCode(), run::toString);
        List<String> lines = run.out().lines().toList();
        assertEquals(DatasetRegistry.names(), lines.stream().map(line -> line.split(" +")[0]).toList());
        assertTrue(lines.stream().anyMatch(line -> line.matches("medical-question-pairs +present +.*")), run::toString);
        assertTrue(lines.stream().anyMatch(line -> line.matches("imdb +missing +.*")), run::toString);
    }

    @Test
    void fetchingADatasetThatShipsWithTheRepositoryIsAnError() {
        CliRun run = CliRun.of("dataset", "fetch", "mrpc", "--datasets-dir", temp.toString());

        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("bertadapt: Dataset 'mrpc' ships with the repository"), run::toString);
    }

    @Test
    void summaryCountsOnlyTheHeadAsTrainableWithAFrozenEncoder() throws IOException {
        String model = TinyModels.write(temp.resolve("tiny-bert"), TinyModels.config(0.1), 1).toString();

        long[] all = totals(CliRun.of("summary", "--model", model));
        long[] frozenEncoder = totals(CliRun.of("summary", "--model", model, "--freeze-encoder", "--num-labels", "3"));
        long[] embeddingsOnly = totals(CliRun.of("summary", "--model", model, "--freeze-layer-count", "-1"));

        assertEquals(0, all[1], "nothing frozen by default");
        assertEquals(32 * 3 + 3, frozenEncoder[0], "the linear head: 32 x 3 weights and 3 biases");
        assertEquals(all[0] + 33, frozenEncoder[0] + frozenEncoder[1], "a 3-way head has 33 parameters more");
        assertEquals(all[0], embeddingsOnly[0] + embeddingsOnly[1], "freezing moves counts, never changes the total");
        assertTrue(embeddingsOnly[1] > 0);
    }

    /** The trainable and frozen totals of a summary table. */
    private static long[] totals(CliRun run) {
        assertEquals(0, run.exitCode(), run::toString);
        String total = run.out().lines().filter(line -> line.startsWith("total")).findFirst().orElseThrow();
        String[] columns = total.split(" +");
        return new long[] {digits(columns[1]), digits(columns[2])};
    }

    /** The number without the locale's grouping separators. */
    private static long digits(String grouped) {
        return Long.parseLong(grouped.replaceAll("\\D", ""));
    }
}
