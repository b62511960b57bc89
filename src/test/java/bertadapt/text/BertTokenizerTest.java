package bertadapt.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Tokenizer logic on a hand-made vocabulary, so it is tested without the BERT checkpoint jars. */
class BertTokenizerTest {

    /** Ids are the positions: [PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4 the=5 cat=6 sat=7 .=8 ... */
    private static final List<String> VOCAB = List.of(
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]",
            "the", "cat", "sat", ".", "un", "##aff", "##able", "a", "##a",
            "cafe", "café", "中", "文", ",", "hello", "Hello", "!");

    @TempDir
    Path temp;

    private Path writeVocab(List<String> tokens) throws IOException {
        Path vocabTxt = temp.resolve("vocab.txt");
        Files.write(vocabTxt, tokens, StandardCharsets.UTF_8);
        return vocabTxt;
    }

    private BertTokenizer uncased() throws IOException {
        return BertTokenizer.fromVocabTxt(writeVocab(VOCAB), true);
    }

    private BertTokenizer cased() throws IOException {
        return BertTokenizer.fromVocabTxt(writeVocab(VOCAB), false);
    }

    @Test
    void uncasedLowerCasesStripsAccentsAndSplitsPunctuation() throws IOException {
        try (BertTokenizer tokenizer = uncased()) {
            assertEquals(List.of("hello", ",", "cafe", "!"), tokenizer.tokenize("Hello, Café!"));
            assertArrayEquals(new int[] {19, 18, 14, 21}, tokenizer.wordPieceIds("Hello, Café!"));
        }
    }

    @Test
    void casedKeepsCaseAndAccents() throws IOException {
        try (BertTokenizer tokenizer = cased()) {
            assertEquals(List.of("Hello", ",", "café", "!"), tokenizer.tokenize("Hello, café!"));
            assertEquals(List.of("[UNK]"), tokenizer.tokenize("Cafe"), "no lower-casing for cased");
        }
    }

    @Test
    void wordPieceIsGreedyLongestMatchAndUnknownWordsBecomeOneUnk() throws IOException {
        try (BertTokenizer tokenizer = uncased()) {
            assertEquals(List.of("un", "##aff", "##able"), tokenizer.tokenize("unaffable"));
            // "cat" matches but "##s" does not: Google maps the whole word to [UNK], not "cat [UNK]".
            assertEquals(List.of("the", "[UNK]", "sat"), tokenizer.tokenize("the cats sat"));
        }
    }

    @Test
    void chineseCharactersAreSeparateWordsAndWhitespaceIsUnified() throws IOException {
        try (BertTokenizer tokenizer = uncased()) {
            assertEquals(List.of("中", "文"), tokenizer.tokenize("中文"));
            assertEquals(List.of("the", "cat", "sat"), tokenizer.tokenize("  the\tcat\n sat  "));
        }
    }

    @Test
    void wordsUpToGooglesTwoHundredCharactersAreSplitLongerOnesAreUnknown() throws IOException {
        try (BertTokenizer tokenizer = uncased()) {
            List<String> pieces = tokenizer.tokenize("a".repeat(200));
            assertEquals(200, pieces.size());
            assertEquals("a", pieces.get(0));
            assertEquals("##a", pieces.get(199));
            assertEquals(List.of("[UNK]"), tokenizer.tokenize("a".repeat(201)));
        }
    }

    @Test
    void literalMaskTokenIsOneSpecialTokenEvenWhenLowerCasing() throws IOException {
        try (BertTokenizer tokenizer = uncased()) {
            assertEquals(List.of("the", "[MASK]", "."), tokenizer.tokenize("The [MASK]."));
            assertArrayEquals(new int[] {2, 5, 4, 8, 3}, tokenizer.encode("The [MASK].", 512).inputIds());
            assertEquals(4, tokenizer.maskTokenId());
        }
    }

    @Test
    void singleTextIsWrappedInClsAndSep() throws IOException {
        try (BertTokenizer tokenizer = uncased()) {
            EncodedText encoded = tokenizer.encode("the cat sat.", 512);
            assertArrayEquals(new int[] {2, 5, 6, 7, 8, 3}, encoded.inputIds());
            assertArrayEquals(new int[6], encoded.tokenTypeIds());
            assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1}, encoded.attentionMask());
            assertFalse(encoded.truncated());
            assertArrayEquals(new int[] {2, 3}, tokenizer.encode("", 512).inputIds());
        }
    }

    @Test
    void singleTextLongerThanMaxLengthKeepsItsFirstWordPieces() throws IOException {
        try (BertTokenizer tokenizer = uncased()) {
            EncodedText exact = tokenizer.encode("the cat sat.", 6);
            assertFalse(exact.truncated(), "4 word pieces + 2 specials fit exactly");

            EncodedText truncated = tokenizer.encode("the cat sat.", 4);
            assertArrayEquals(new int[] {2, 5, 6, 3}, truncated.inputIds());
            assertTrue(truncated.truncated());
        }
    }

    @Test
    void pairTruncationDropsFromTheLongerSegmentAndFromBOnTies() throws IOException {
        try (BertTokenizer tokenizer = uncased()) {
            // A = the cat sat . (4), B = the cat . (3), maxLength 8 = budget 5:
            // (4,3) -> A loses one -> (3,3) -> tie, B loses one -> (3,2).
            EncodedText encoded = tokenizer.encodePair("the cat sat.", "the cat.", 8);
            assertArrayEquals(new int[] {2, 5, 6, 7, 3, 5, 6, 3}, encoded.inputIds());
            assertArrayEquals(new int[] {0, 0, 0, 0, 0, 1, 1, 1}, encoded.tokenTypeIds());
            assertTrue(encoded.truncated());
        }
    }

    @Test
    void keptLengthsFollowGooglesTruncateSeqPair() {
        // {lengthA, lengthB, budget, keptA, keptB}; HF's longest_first gives (3,4) for the 4,4,7 case.
        int[][] cases = {
                {4, 4, 7, 4, 3},
                {8, 4, 7, 4, 3},
                {4, 8, 7, 4, 3},
                {2, 8, 7, 2, 5},
                {8, 8, 7, 4, 3},
                {3, 10, 5, 3, 2},
                {4, 4, 0, 0, 0},
                {2, 3, 9, 2, 3},
        };
        for (int[] c : cases) {
            assertArrayEquals(new int[] {c[3], c[4]}, BertTokenizer.longestFirstKeptLengths(c[0], c[1], c[2]),
                    () -> "lengths " + c[0] + "," + c[1] + " budget " + c[2]);
        }
    }

    @Test
    void batchIsPaddedToItsLongestRowNotToMaxLength() throws IOException {
        try (BertTokenizer tokenizer = uncased()) {
            EncodedBatch batch = tokenizer.encodeBatch(List.of(
                    TextInput.single("the cat"),
                    TextInput.pair("the cat", "sat.")), 512);

            assertArrayEquals(new long[] {2, 7}, batch.shape());
            assertArrayEquals(new int[][] {{2, 5, 6, 3, 0, 0, 0}, {2, 5, 6, 3, 7, 8, 3}}, batch.inputIdsMatrix());
            assertArrayEquals(new int[][] {{0, 0, 0, 0, 0, 0, 0}, {0, 0, 0, 0, 1, 1, 1}}, batch.tokenTypeIdsMatrix());
            assertArrayEquals(new int[][] {{1, 1, 1, 1, 0, 0, 0}, {1, 1, 1, 1, 1, 1, 1}}, batch.attentionMaskMatrix());
            assertArrayEquals(new int[] {2, 5, 6, 3, 0, 0, 0, 2, 5, 6, 3, 7, 8, 3}, batch.inputIds(), "row-major");
            assertEquals(0, batch.truncatedCount());
        }
    }

    @Test
    void batchReportsWhichRowsWereTruncated() throws IOException {
        try (BertTokenizer tokenizer = uncased()) {
            EncodedBatch batch = tokenizer.encodeTexts(List.of("the cat", "the cat sat.", "cat"), 4);
            assertArrayEquals(new boolean[] {false, true, false}, batch.truncated());
            assertEquals(1, batch.truncatedCount());
            assertEquals(4, batch.sequenceLength());
        }
    }

    @Test
    void batchPadsToAGivenLengthNoShorterThanItsLongestRow() throws IOException {
        try (BertTokenizer tokenizer = uncased()) {
            List<EncodedText> rows = List.of(tokenizer.encode("the cat", 16), tokenizer.encode("cat", 16));
            EncodedBatch batch = EncodedBatch.padTo(rows, tokenizer.padTokenId(), 6);
            assertEquals(6, batch.sequenceLength());
            assertArrayEquals(new int[][] {{1, 1, 1, 1, 0, 0}, {1, 1, 1, 0, 0, 0}}, batch.attentionMaskMatrix());
            assertEquals(tokenizer.padTokenId(), batch.inputIds()[5]);
            String error = assertThrows(IllegalArgumentException.class, () -> EncodedBatch.padTo(rows, 0, 3)).getMessage();
            assertTrue(error.contains("longest row has 4"), error);
        }
    }

    @Test
    void emptyBatchHasNoRows() throws IOException {
        try (BertTokenizer tokenizer = uncased()) {
            EncodedBatch batch = tokenizer.encodeTexts(List.of(), 512);
            assertArrayEquals(new long[] {0, 0}, batch.shape());
        }
    }

    @Test
    void maxLengthMustLeaveRoomForSpecialTokens() throws IOException {
        try (BertTokenizer tokenizer = uncased()) {
            assertThrows(IllegalArgumentException.class, () -> tokenizer.encode("the", 1));
            assertThrows(IllegalArgumentException.class, () -> tokenizer.encodePair("the", "cat", 2));
            assertArrayEquals(new int[] {2, 3, 3}, tokenizer.encodePair("the", "cat", 3).inputIds());
        }
    }

    @Test
    void lookupsAndSpecialIds() throws IOException {
        try (BertTokenizer tokenizer = uncased()) {
            assertEquals(VOCAB.size(), tokenizer.vocabSize());
            assertEquals(0, tokenizer.padTokenId());
            assertEquals(2, tokenizer.clsTokenId());
            assertEquals(3, tokenizer.sepTokenId());
            assertEquals("##aff", tokenizer.idToToken(10));
            assertEquals(6, tokenizer.tokenToId("cat").orElseThrow());
            assertTrue(tokenizer.tokenToId("dog").isEmpty());
            assertThrows(IllegalArgumentException.class, () -> tokenizer.idToToken(VOCAB.size()));
            assertThrows(IllegalArgumentException.class, () -> tokenizer.idToToken(-1));
        }
    }

    /** The generated template is what other tools use when they load the tokenizer.json; it must agree. */
    @Test
    void generatedTemplateProcessingAgreesWithOurLayout() throws IOException {
        String json = BertTokenizerJson.fromVocabTxt(writeVocab(VOCAB), true);
        try (BertTokenizer ours = uncased();
                HuggingFaceTokenizer withTemplate = HuggingFaceTokenizer.newInstance(
                        new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                        Map.of("truncation", "false", "padding", "false"))) {
            Encoding pair = withTemplate.encode("The cat [MASK].", "un affable cats");
            EncodedText expected = ours.encodePair("The cat [MASK].", "un affable cats", 512);
            assertArrayEquals(expected.inputIds(), toInts(pair.getIds()));
            assertArrayEquals(expected.tokenTypeIds(), toInts(pair.getTypeIds()));

            Encoding single = withTemplate.encode("Hello, café!");
            assertArrayEquals(ours.encode("Hello, café!", 512).inputIds(), toInts(single.getIds()));
        }
    }

    @Test
    void modelDirectoryPrefersTokenizerJsonOverVocabTxt() throws IOException {
        Path vocabTxt = writeVocab(VOCAB);
        BertTokenizerJson.write(vocabTxt, true, temp.resolve(BertTokenizer.TOKENIZER_JSON));
        // doLowerCase=false is ignored: the tokenizer.json lower-cases.
        try (BertTokenizer tokenizer = BertTokenizer.fromModelDirectory(temp, false)) {
            assertEquals(List.of("hello", "cafe"), tokenizer.tokenize("HELLO Café"));
            assertEquals(VOCAB.size(), tokenizer.vocabSize());
        }
    }

    @Test
    void modelDirectoryFallsBackToVocabTxt() throws IOException {
        writeVocab(VOCAB);
        try (BertTokenizer tokenizer = BertTokenizer.fromModelDirectory(temp, false)) {
            assertEquals(List.of("Hello"), tokenizer.tokenize("Hello"));
        }
    }

    @Test
    void missingFilesNameTheLocationAndWhatWasExpected() {
        NoSuchFileException noDir = assertThrows(NoSuchFileException.class,
                () -> BertTokenizer.fromModelDirectory(temp, true));
        assertTrue(noDir.getMessage().contains(temp.toString()), noDir.getMessage());
        assertTrue(noDir.getMessage().contains("vocab.txt"), noDir.getMessage());

        Path absent = temp.resolve("nothing/vocab.txt");
        NoSuchFileException noVocab = assertThrows(NoSuchFileException.class,
                () -> BertTokenizer.fromVocabTxt(absent, true));
        assertTrue(noVocab.getMessage().contains(absent.toString()), noVocab.getMessage());
    }

    @Test
    void emptyVocabularyIsRejectedNamingTheFile() throws IOException {
        Path vocabTxt = writeVocab(List.of());
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> BertTokenizer.fromVocabTxt(vocabTxt, true));
        assertTrue(error.getMessage().contains(vocabTxt.toString()), error.getMessage());
        assertTrue(error.getMessage().contains("empty"), error.getMessage());
    }

    @Test
    void vocabularyWithoutUnkIsRejectedNamingTheFileAndToken() throws IOException {
        List<String> withoutUnk = new ArrayList<>(VOCAB);
        withoutUnk.remove("[UNK]");
        Path vocabTxt = writeVocab(withoutUnk);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> BertTokenizer.fromVocabTxt(vocabTxt, true));
        assertTrue(error.getMessage().contains(vocabTxt.toString()), error.getMessage());
        assertTrue(error.getMessage().contains("[UNK]"), error.getMessage());
    }

    @Test
    void tokenizerJsonWithoutWordPieceVocabIsRejectedNamingTheFile() throws IOException {
        Path json = Files.writeString(temp.resolve("tokenizer.json"), "{\"model\": {\"type\": \"Unigram\", \"vocab\": []}}");
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> BertTokenizer.fromTokenizerJson(json));
        assertTrue(error.getMessage().contains(json.toString()), error.getMessage());
    }

    @Test
    void vocabLinesAreStrippedLikeGooglesLoadVocab() throws IOException {
        List<String> padded = new ArrayList<>(VOCAB);
        padded.set(6, " cat\u00a0\r");
        try (BertTokenizer tokenizer = BertTokenizer.fromVocabTxt(writeVocab(padded), true)) {
            assertEquals(6, tokenizer.tokenToId("cat").orElseThrow());
        }
    }

    @Test
    void djlIsOfflineAndCloseIsIdempotent() throws IOException {
        assumeTrue(System.getenv("DJL_OFFLINE") == null, "DJL_OFFLINE set in the environment overrides the property");
        BertTokenizer tokenizer = uncased();
        assertTrue(ai.djl.util.Utils.isOfflineMode());
        tokenizer.close();
        tokenizer.close();
    }

    private static int[] toInts(long[] values) {
        return Arrays.stream(values).mapToInt(Math::toIntExact).toArray();
    }
}
