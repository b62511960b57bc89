package bertadapt.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bertadapt.TinyModels;

/** adapt on a tiny Google-format corpus with the tiny model. */
class AdaptCommandTest {

    @TempDir
    Path temp;

    @Test
    void adaptingOnACorpusWritesTheAdaptedModelAndPrintsPerplexityBeforeAndAfter() throws IOException {
        Path model = TinyModels.write(temp.resolve("tiny-bert"), TinyModels.config(0.0), 5);
        StringBuilder corpus = new StringBuilder();
        String[] sentences = {"the cat sat on the mat.", "the dog barked.", "a big bird sang.", "the small dog ran.",
                "a cat sat.", "the bird sang on the mat."};
        for (int document = 0; document < 12; document++) {
            for (int line = 0; line < 3; line++) {
                corpus.append(sentences[(document + line * 2) % sentences.length]).append('\n');
            }
            corpus.append('\n');
        }
        Path corpusFile = Files.writeString(temp.resolve("corpus.txt"), corpus);
        Path output = temp.resolve("adapted");

        CliRun run = CliRun.of("adapt", "--model", model.toString(), "--corpus", corpusFile.toString(),
                "--output", output.toString(), "--held-out", "0.3", "--dupe-factor", "2", "--epochs", "2",
                "--max-length", "24", "--batch-size", "4", "--learning-rate", "5e-3", "--seed", "3");

        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(Files.isRegularFile(output.resolve("best/model.safetensors")), run::toString);
        JsonNode report = new ObjectMapper().readTree(output.resolve("report.json").toFile());
        assertEquals(String.format(java.util.Locale.ROOT, "%.2f", report.get("held_out_before").get("perplexity").asDouble()),
                perplexity("before", run.out()));
        assertEquals(String.format(java.util.Locale.ROOT, "%.2f", report.get("held_out_after").get("perplexity").asDouble()),
                perplexity("after", run.out()));
        assertTrue(run.out().contains("model      " + output.resolve("best")), run::toString);

        byte[] adapted = Files.readAllBytes(output.resolve("best/model.safetensors"));
        CliRun longer = CliRun.of("adapt", "--model", model.toString(), "--corpus", corpusFile.toString(),
                "--output", output.toString(), "--held-out", "0.3", "--dupe-factor", "2", "--epochs", "2",
                "--max-length", "32", "--batch-size", "4", "--learning-rate", "5e-3", "--seed", "3");
        assertEquals(2, longer.exitCode(), longer::toString);
        assertTrue(longer.err().contains("holds a run started with other settings (run-definition.json): ")
                && longer.err().contains("task.first_epoch was"),
                longer::toString);
        assertArrayEquals(adapted, Files.readAllBytes(output.resolve("best/model.safetensors")));
    }

    @Test
    void aDatasetWithUnlabelledTextsIsAdaptedOnThemNotOnItsTrainingSplit() throws IOException {
        Path model = TinyModels.write(temp.resolve("tiny-bert"), TinyModels.config(0.0), 5);
        Files.writeString(temp.resolve("train.csv"), "text,label\nthe cat sat.,a\nthe dog ran.,b\n");
        Files.writeString(temp.resolve("more.csv"), "text\nthe cat sat on the mat.\na dog barked.\nthe big bird sang.\n"
                + "a small cat ran.\nthe dog sat.\n");
        Path description = Files.writeString(temp.resolve("mine.yaml"),
                "text: text\nlabel: label\nsplits: {train: train.csv, unlabelled: more.csv}\n");

        CliRun run = CliRun.of("adapt", "--model", model.toString(), "--dataset", description.toString(),
                "--output", temp.resolve("adapted").toString(), "--held-out", "0.4", "--dupe-factor", "1",
                "--max-length", "24", "--batch-size", "2", "--seed", "3");

        assertEquals(0, run.exitCode(), run::toString);
        Matcher data = Pattern.compile("data +(\\d+) instances per epoch, (\\d+) held out").matcher(run.out());
        assertTrue(data.find(), run::toString);
        assertEquals(5, Integer.parseInt(data.group(1)) + Integer.parseInt(data.group(2)), "one sequence per unlabelled text");
    }

    @Test
    void corpusAndDatasetCannotBothBeGiven() {
        CliRun run = CliRun.of("adapt", "--model", "m", "--output", "o", "--corpus", "c.txt", "--dataset", "imdb");

        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().contains("mutually exclusive"), run::toString);
    }

    private static String perplexity(String when, String out) {
        Matcher value = Pattern.compile("(?m)^" + when + " +masked-token accuracy \\S+, perplexity (\\S+)$").matcher(out);
        assertTrue(value.find(), () -> when + " not printed in\n" + out);
        return value.group(1);
    }
}
