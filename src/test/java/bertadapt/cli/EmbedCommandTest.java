package bertadapt.cli;

import static bertadapt.TestFiles.names;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bertadapt.TinyModels;

/**
 * embed on a tiny randomly initialised model written to a temporary directory: the JSON's structure does not
 * depend on the weights, and the tiny model loads in milliseconds where BERT-Base takes seconds.
 */
class EmbedCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path temp;
    private static Path model;

    @BeforeAll
    static void writeTinyModel() throws IOException {
        // 128 positions, so embed's default --max-length 128 does not warn.
        model = TinyModels.write(temp.resolve("tiny-bert"), TinyModels.config(0.1), 1);
    }

    private static CliRun embed(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "embed";
        all[1] = "--model=" + model;
        System.arraycopy(args, 0, all, 2, args.length);
        return CliRun.of(all);
    }

    @Test
    void twoTextsGiveTokensHiddenStatesAndPooledEach() throws IOException {
        CliRun run = embed("--batch-size", "1", "The cat sat.", "A dog barked on the mat.");

        assertEquals(0, run.exitCode(), run::toString);
        JsonNode root = JSON.readTree(run.out());
        assertEquals(32, root.get("hidden_size").asInt());
        JsonNode embeddings = root.get("embeddings");
        assertEquals(2, embeddings.size());
        JsonNode first = embeddings.get(0);
        assertEquals("The cat sat.", first.get("text").asText());
        assertFalse(first.has("text_pair"));
        assertEquals(List.of("[CLS]", "the", "cat", "sat", ".", "[SEP]"), strings(first.get("tokens")));
        assertEquals(6, first.get("hidden_states").size(), "one row per token");
        assertEquals(32, first.get("hidden_states").get(0).size());
        assertEquals(32, first.get("pooled").size());
        assertFalse(first.get("truncated").asBoolean());
        assertEquals(9, embeddings.get(1).get("tokens").size());
        assertEquals("", run.err(), "complete load, nothing truncated: nothing to report");
    }

    @Test
    void pairFileGivesBothTextsAndBothSegmentsTokens() throws IOException {
        Path pairs = Files.writeString(temp.resolve("pairs.tsv"), "The cat sat.\tA dog barked.\n\nthe mat\tthe cat\n");

        CliRun run = embed("--pair", "--input", pairs.toString());

        assertEquals(0, run.exitCode(), run::toString);
        JsonNode embeddings = JSON.readTree(run.out()).get("embeddings");
        assertEquals(2, embeddings.size(), "the blank line is skipped");
        JsonNode first = embeddings.get(0);
        assertEquals("The cat sat.", first.get("text").asText());
        assertEquals("A dog barked.", first.get("text_pair").asText());
        assertEquals(List.of("[CLS]", "the", "cat", "sat", ".", "[SEP]", "a", "dog", "barked", ".", "[SEP]"),
                strings(first.get("tokens")));
        assertEquals(11, first.get("hidden_states").size());
    }

    @Test
    void pairFileLineWithoutTabIsAnErrorNamingFileAndLine() throws IOException {
        Path pairs = Files.writeString(temp.resolve("bad-pairs.tsv"), "the cat\tthe dog\nthe mat only\n");

        CliRun run = embed("--pair", "--input", pairs.toString());

        assertEquals(2, run.exitCode(), run::toString);
        assertEquals("bertadapt: " + pairs + ":2: expected two texts separated by one tab (--pair), found no tab",
                run.err().strip());
        assertEquals("", run.out());
    }

    @Test
    void outputFileIsReplacedWholeAndTruncationIsReported() throws IOException {
        Path output = Files.writeString(temp.resolve("out.json"), "previous");

        CliRun run = embed("--max-length", "4", "--output", output.toString(), "the cat sat on the mat");

        assertEquals(0, run.exitCode(), run::toString);
        assertEquals("", run.out());
        JsonNode embedding = JSON.readTree(output.toFile()).get("embeddings").get(0);
        assertTrue(embedding.get("truncated").asBoolean());
        assertEquals(List.of("[CLS]", "the", "cat", "[SEP]"), strings(embedding.get("tokens")));
        assertEquals("bertadapt: warning: input 1 cut to 4 tokens: the cat sat on the mat", run.err().strip());
        assertTrue(names(temp).stream().noneMatch(name -> name.endsWith(".tmp")), "no temporary left");
    }

    @Test
    void aBatchSizeBelowOneIsAnErrorNamingTheOption() {
        CliRun run = CliRun.of("embed", "--batch-size", "0", "the cat");

        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().contains("Invalid value for option '--batch-size': must be at least 1, not 0"), run::toString);
    }

    @Test
    void missingInputFileAndOutputDirectoryAreOneLineErrors() {
        CliRun noInput = embed("--input", temp.resolve("absent.txt").toString());
        assertEquals(2, noInput.exitCode(), noInput::toString);
        assertEquals("bertadapt: no such file or directory: " + temp.resolve("absent.txt"), noInput.err().strip());

        CliRun noDirectory = embed("--output", temp.resolve("absent/out.json").toString(), "the cat");
        assertEquals(2, noDirectory.exitCode(), noDirectory::toString);
        assertEquals("bertadapt: " + temp.resolve("absent/out.json") + ": its directory does not exist",
                noDirectory.err().strip());
    }

    @Test
    void textsMustComeFromArgumentsOrFileAndPairArgumentsInTwos() {
        assertEquals(2, embed().exitCode());
        assertEquals(2, embed("--pair", "the cat", "the dog", "the mat").exitCode());
        assertEquals(2, embed("--input", "x.txt", "the cat").exitCode());
    }

    private static List<String> strings(JsonNode array) {
        return JSON.convertValue(array, JSON.getTypeFactory().constructCollectionType(List.class, String.class));
    }
}
