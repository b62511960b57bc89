package bertadapt.pretrain;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static bertadapt.pretrain.TestVocabulary.CLS;
import static bertadapt.pretrain.TestVocabulary.SEP;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Builders on synthetic ids that say where each token came from: token = BASE + document * 10,000
 * + sentence * 100 + position, so provenance of every segment can be checked.
 */
class SequenceBuilderTest {

    private static final int BASE = 1_000_000;
    private final PretrainingVocab vocab = TestVocabulary.vocab();

    private static List<List<int[]>> documents(int count, int minSentences, int maxSentences, int minLength,
                                               int maxLength, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<List<int[]>> documents = new ArrayList<>();
        for (int d = 0; d < count; d++) {
            List<int[]> sentences = new ArrayList<>();
            int sentenceCount = random.nextInt(minSentences, maxSentences + 1);
            for (int s = 0; s < sentenceCount; s++) {
                int document = d;
                int sentence = s;
                sentences.add(IntStream.range(0, random.nextInt(minLength, maxLength + 1))
                        .map(p -> BASE + document * 10_000 + sentence * 100 + p).toArray());
            }
            documents.add(sentences);
        }
        return documents;
    }

    private static int documentOf(int token) {
        return (token - BASE) / 10_000;
    }

    private static int sentenceOf(int token) {
        return (token - BASE) % 10_000 / 100;
    }

    private static int positionOf(int token) {
        return (token - BASE) % 100;
    }

    /** Segments A and B of a pair, checking the [CLS] A [SEP] B [SEP] layout and segment ids on the way. */
    private static int[][] segments(PretrainingSequence pair) {
        int[] tokens = pair.tokenIds();
        int firstSep = Arrays.stream(tokens).boxed().toList().indexOf(SEP);
        assertEquals(CLS, tokens[0]);
        assertEquals(SEP, tokens[tokens.length - 1]);
        int[] a = Arrays.copyOfRange(tokens, 1, firstSep);
        int[] b = Arrays.copyOfRange(tokens, firstSep + 1, tokens.length - 1);
        assertTrue(a.length >= 1 && b.length >= 1, "both segments non-empty");
        for (int t = 0; t < tokens.length; t++) {
            assertEquals(t <= firstSep ? 0 : 1, pair.segmentIds()[t], "segment id at " + t);
        }
        assertFalse(Arrays.stream(b).anyMatch(token -> token == SEP), "exactly two [SEP]s");
        return new int[][] {a, b};
    }

    @Test
    void nextSentencePairsAreHalfRandomWithTrueLabelsAndFitTheLength() {
        SequenceBuilder builder = SequenceBuilder.nextSentencePairs(64, 0.1, vocab);
        SplittableRandom random = new SplittableRandom(17);
        int pairs = 0;
        int randomNext = 0;
        for (int round = 0; round < 20; round++) {
            for (PretrainingSequence pair : builder.build(documents(30, 20, 40, 3, 15, round), random)) {
                assertTrue(pair.length() <= 64);
                int[][] ab = segments(pair);
                int documentA = documentOf(ab[0][0]);
                assertTrue(Arrays.stream(ab[0]).allMatch(token -> documentOf(token) == documentA), "A from one document");
                boolean sameDocument = Arrays.stream(ab[1]).allMatch(token -> documentOf(token) == documentA);
                assertEquals(!pair.isRandomNext(), sameDocument, "label says where B came from");
                if (!pair.isRandomNext()) {
                    assertTrue(sentenceOf(ab[1][0]) > sentenceOf(ab[0][ab[0].length - 1]), "B follows A");
                }
                pairs++;
                randomNext += pair.isRandomNext() ? 1 : 0;
            }
        }
        assertTrue(pairs > 3_000, "enough pairs for the statistic: " + pairs);
        // Slightly above one half: a chunk of one sentence always gets a random B, as in Google's code.
        double share = (double) randomNext / pairs;
        assertTrue(share > 0.48 && share < 0.56, "random-next share " + share);
    }

    @Test
    void unusedSentencesArePutBackSoEverySentenceIsUsedOnceAsAOrTrueB() {
        // Documents far below the target length: nothing is truncated, every chunk is a whole remainder.
        List<List<int[]>> documents = documents(40, 2, 8, 2, 6, 5);
        SequenceBuilder builder = SequenceBuilder.nextSentencePairs(128, 0, vocab);
        Map<Integer, Integer> uses = new HashMap<>();
        for (PretrainingSequence pair : builder.build(documents, new SplittableRandom(9))) {
            int[][] ab = segments(pair);
            Arrays.stream(ab[0]).forEach(token -> uses.merge(token, 1, Integer::sum));
            if (!pair.isRandomNext()) {
                Arrays.stream(ab[1]).forEach(token -> uses.merge(token, 1, Integer::sum));
            }
        }
        int tokens = 0;
        for (List<int[]> document : documents) {
            for (int[] sentence : document) {
                for (int token : sentence) {
                    assertEquals(1, uses.getOrDefault(token, 0), "uses of token " + token);
                    tokens++;
                }
            }
        }
        assertEquals(tokens, uses.size());
    }

    @Test
    void truncationCutsTheLongerSideFromTheFrontOrBackAndKeepsBothSegments() {
        SequenceBuilder builder = SequenceBuilder.nextSentencePairs(12, 0.1, vocab);
        boolean cutFront = false;
        boolean cutBack = false;
        for (PretrainingSequence pair : builder.build(documents(50, 3, 6, 10, 20, 8), new SplittableRandom(4))) {
            assertTrue(pair.length() <= 12);
            int[] a = segments(pair)[0];
            // A starts at a sentence's start and ends at one's end unless truncation cut it.
            cutFront |= positionOf(a[0]) != 0;
            cutBack |= positionOf(a[a.length - 1]) < 9 && sentenceOf(a[a.length - 1]) == sentenceOf(a[0]);
        }
        assertTrue(cutFront, "some pair lost tokens at the front");
        assertTrue(cutBack, "some pair lost tokens at the back");
    }

    @Test
    void nextSentencePairsNeedTwoDocuments() {
        SequenceBuilder builder = SequenceBuilder.nextSentencePairs(32, 0.1, vocab);
        assertThrows(IllegalArgumentException.class, () -> builder.build(documents(1, 5, 5, 3, 3, 1), new SplittableRandom(1)));
    }

    @Test
    void groupedTextBlocksAreFullLengthExceptTheLastAndKeepEveryToken() {
        List<List<int[]>> documents = documents(7, 1, 9, 1, 30, 2);
        List<PretrainingSequence> blocks = SequenceBuilder.groupedText(16, vocab).build(documents, new SplittableRandom(1));
        int[] stream = documents.stream().flatMap(List::stream).flatMapToInt(Arrays::stream).toArray();
        int[] content = blocks.stream().flatMapToInt(block -> Arrays.stream(block.tokenIds(), 1, block.length() - 1)).toArray();
        assertArrayEquals(stream, content, "blocks concatenate back to the token stream");
        for (int i = 0; i < blocks.size(); i++) {
            PretrainingSequence block = blocks.get(i);
            assertEquals(CLS, block.tokenIds()[0]);
            assertEquals(SEP, block.tokenIds()[block.length() - 1]);
            if (i < blocks.size() - 1) {
                assertEquals(16, block.length(), "block " + i);
            }
        }
        assertEquals(stream.length % 14 == 0 ? 16 : stream.length % 14 + 2, blocks.get(blocks.size() - 1).length());
    }

    @Test
    void lineByLineMakesOneSequencePerSentenceCutToFit() {
        List<List<int[]>> documents = documents(3, 2, 4, 1, 20, 3);
        List<PretrainingSequence> lines = SequenceBuilder.lineByLine(10, vocab).build(documents, new SplittableRandom(1));
        List<int[]> sentences = documents.stream().flatMap(List::stream).toList();
        assertEquals(sentences.size(), lines.size());
        for (int i = 0; i < lines.size(); i++) {
            int[] sentence = sentences.get(i);
            int[] tokens = lines.get(i).tokenIds();
            assertEquals(Math.min(sentence.length, 8) + 2, tokens.length);
            assertArrayEquals(Arrays.copyOf(sentence, tokens.length - 2), Arrays.copyOfRange(tokens, 1, tokens.length - 1));
            assertFalse(lines.get(i).isRandomNext());
        }
    }
}
