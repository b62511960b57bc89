package bertadapt.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compares against ids produced by Google's own tokenizer (see src/test/resources/golden) for the
 * real BERT-Base vocabularies, cased and uncased.
 */
class BertTokenizerGoldenTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @ParameterizedTest
    @ValueSource(strings = {"uncased", "cased"})
    void everyGoldenStringGetsGooglesIds(String casing) throws IOException {
        JsonNode golden = golden(casing);
        GoogleCheckpointVocab checkpoint = GoogleCheckpointVocab.extract(casing, temp);
        assertEquals(golden.path("lower_case").asBoolean(), checkpoint.doLowerCase(), "model.json doLowerCase");

        try (BertTokenizer tokenizer = BertTokenizer.fromVocabTxt(checkpoint.vocabTxt(), checkpoint.doLowerCase())) {
            List<Executable> checks = new ArrayList<>();
            for (JsonNode example : golden.path("tokenizer")) {
                String text = example.path("text").asText();
                int[] expectedIds = ints(example.path("ids"));
                List<String> expectedTokens = strings(example.path("tokens"));
                checks.add(() -> assertArrayEquals(expectedIds, tokenizer.wordPieceIds(text), "ids of " + text));
                checks.add(() -> assertEquals(expectedTokens, tokenizer.tokenize(text), "tokens of " + text));
            }
            assertFalse(checks.isEmpty(), "golden file has no tokenizer examples");
            assertAll(checks);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"uncased", "cased"})
    void examplesBatchEqualsGoldenPaddedBatch(String casing) throws IOException {
        JsonNode golden = golden(casing);
        GoogleCheckpointVocab checkpoint = GoogleCheckpointVocab.extract(casing, temp);
        List<TextInput> inputs = new ArrayList<>();
        for (JsonNode example : golden.path("examples")) {
            JsonNode textB = example.path("text_b");
            inputs.add(new TextInput(example.path("text_a").asText(), textB.isNull() ? null : textB.asText()));
        }

        try (BertTokenizer tokenizer = BertTokenizer.fromVocabTxt(checkpoint.vocabTxt(), checkpoint.doLowerCase())) {
            EncodedBatch batch = tokenizer.encodeBatch(inputs, 512);

            assertAll(
                    () -> assertArrayEquals(matrix(golden.path("input_ids")), batch.inputIdsMatrix()),
                    () -> assertArrayEquals(matrix(golden.path("token_type_ids")), batch.tokenTypeIdsMatrix()),
                    () -> assertArrayEquals(matrix(golden.path("attention_mask")), batch.attentionMaskMatrix()),
                    () -> assertEquals(0, batch.truncatedCount()),
                    () -> assertEquals(103, tokenizer.maskTokenId()),
                    () -> assertEquals(0, tokenizer.padTokenId()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"uncased", "cased"})
    void vocabularySizeAndLookupsMatchBertBase(String casing) throws IOException {
        GoogleCheckpointVocab checkpoint = GoogleCheckpointVocab.extract(casing, temp);
        try (BertTokenizer tokenizer = BertTokenizer.fromVocabTxt(checkpoint.vocabTxt(), checkpoint.doLowerCase())) {
            assertEquals(casing.equals("uncased") ? 30522 : 28996, tokenizer.vocabSize());
            assertEquals(101, tokenizer.clsTokenId());
            assertEquals(102, tokenizer.sepTokenId());
            assertEquals("[MASK]", tokenizer.idToToken(103));
            assertEquals(100, tokenizer.tokenToId("[UNK]").orElseThrow());
        }
    }

    /**
     * The uncased golden pair (7 and 12 word pieces) at maxLength 16, a budget of 13: Google drops
     * from B until both have 7, then from B again on the tie, keeping A whole. Hugging Face's own
     * longest_first would keep 6 + 7 instead.
     */
    @Test
    void pairTruncationRemovesFromLongerSegmentGoogleStyle() throws IOException {
        GoogleCheckpointVocab checkpoint = GoogleCheckpointVocab.extract("uncased", temp);
        try (BertTokenizer tokenizer = BertTokenizer.fromVocabTxt(checkpoint.vocabTxt(), true)) {
            EncodedText encoded = tokenizer.encodePair("The cat sat on the mat.",
                    "It was a very [MASK] afternoon for everyone in the house.", 16);

            assertArrayEquals(new int[] {101, 1996, 4937, 2938, 2006, 1996, 13523, 1012, 102,
                    2009, 2001, 1037, 2200, 103, 5027, 102}, encoded.inputIds());
            assertArrayEquals(new int[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1}, encoded.tokenTypeIds());
            assertTrue(encoded.truncated());
        }
    }

    private static JsonNode golden(String casing) throws IOException {
        String resource = "/golden/bert-base-" + casing + ".json";
        try (InputStream in = BertTokenizerGoldenTest.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource);
            }
            return JSON.readTree(in);
        }
    }

    private static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asInt();
        }
        return values;
    }

    private static int[][] matrix(JsonNode rows) {
        int[][] values = new int[rows.size()][];
        for (int i = 0; i < values.length; i++) {
            values[i] = ints(rows.get(i));
        }
        return values;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.asText()));
        return values;
    }
}
