package bertadapt.pretrain;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static bertadapt.pretrain.TestVocabulary.CLS;
import static bertadapt.pretrain.TestVocabulary.FIRST_WORD;
import static bertadapt.pretrain.TestVocabulary.MASK;
import static bertadapt.pretrain.TestVocabulary.PAD;
import static bertadapt.pretrain.TestVocabulary.SEP;
import static bertadapt.pretrain.TestVocabulary.WORDS;
import static bertadapt.pretrain.TestVocabulary.id;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaskerTest {

    private final PretrainingVocab vocab = TestVocabulary.vocab();

    /** [CLS] words [SEP] words [SEP] [PAD]..., the padding tail included to prove it is never chosen. */
    private static PretrainingSequence randomSequence(SplittableRandom random, int length, int padding) {
        int[] tokens = new int[length + padding];
        int[] segments = new int[tokens.length];
        int secondSep = length - 1;
        int firstSep = random.nextInt(2, length - 2);
        for (int t = 0; t < length; t++) {
            tokens[t] = t == 0 ? CLS : t == firstSep || t == secondSep ? SEP : FIRST_WORD + random.nextInt(WORDS.size());
            segments[t] = t > firstSep ? 1 : 0;
        }
        Arrays.fill(tokens, length, tokens.length, PAD);
        return new PretrainingSequence(tokens, segments, false);
    }

    @Test
    void masksFifteenPercentWithEightyTenTenReplacementsAndNeverSpecials() {
        Masker masker = new Masker(vocab, new MaskingConfig(0.15, 1000, false));
        SplittableRandom random = new SplittableRandom(7);
        long tokens = 0;
        long chosen = 0;
        long toMask = 0;
        long unchanged = 0;
        long toRandom = 0;
        for (int n = 0; n < 20_000; n++) {
            int length = random.nextInt(8, 101);
            PretrainingSequence sequence = randomSequence(random, length, random.nextInt(0, 5));
            PretrainingInstance instance = masker.mask(sequence, random);
            int[] original = sequence.tokenIds();
            tokens += sequence.length();
            chosen += instance.maskedPositions().length;
            assertArrayEquals(sequence.segmentIds(), instance.segmentIds());
            boolean[] masked = new boolean[original.length];
            for (int m = 0; m < instance.maskedPositions().length; m++) {
                int position = instance.maskedPositions()[m];
                masked[position] = true;
                assertEquals(original[position], instance.maskedLabels()[m], "label is the original id");
                assertTrue(vocab.isMaskable(original[position]), "never [CLS], [SEP] or [PAD]");
                int input = instance.tokenIds()[position];
                if (input == MASK) {
                    toMask++;
                } else if (input == original[position]) {
                    unchanged++;
                } else {
                    toRandom++;
                    assertTrue(input >= FIRST_WORD, "random replacements are ordinary tokens, got " + input);
                }
            }
            for (int t = 0; t < original.length; t++) {
                if (!masked[t]) {
                    assertEquals(original[t], instance.tokenIds()[t], "unchosen positions are untouched");
                }
            }
        }
        // The budget counts padding too (Google counts all tokens), so compare with all tokens.
        assertEquals(0.15, (double) chosen / tokens, 0.005);
        assertEquals(0.8, (double) toMask / chosen, 0.01);
        assertEquals(0.1, (double) unchanged / chosen, 0.01);
        assertEquals(0.1, (double) toRandom / chosen, 0.01);
    }

    @Test
    void neverExceedsMaxPredictionsAndAlwaysMasksAtLeastOne() {
        Masker masker = new Masker(vocab, new MaskingConfig(0.15, 20, false));
        SplittableRandom random = new SplittableRandom(11);
        for (int n = 0; n < 2_000; n++) {
            int length = random.nextInt(5, 400);
            PretrainingInstance instance = masker.mask(randomSequence(random, length, 0), random);
            int expected = Math.min(20, Math.max(1, (int) Math.rint(length * 0.15)));
            assertEquals(expected, instance.maskedPositions().length, "length " + length);
        }
    }

    @Test
    void wholeWordMaskingTakesContinuationPiecesWithTheirWord() {
        int un = id("un");
        int aff = id("##aff");
        int able = id("##able");
        // [CLS] (the un ##aff ##able) x 10 [SEP]: every word but "the" is three pieces.
        int[] tokens = new int[42];
        tokens[0] = CLS;
        for (int w = 0; w < 10; w++) {
            tokens[1 + 4 * w] = id("the");
            tokens[2 + 4 * w] = un;
            tokens[3 + 4 * w] = aff;
            tokens[4 + 4 * w] = able;
        }
        tokens[41] = SEP;
        PretrainingSequence sequence = new PretrainingSequence(tokens, new int[tokens.length], false);
        Masker wholeWords = new Masker(vocab, new MaskingConfig(0.15, 20, true));
        Masker pieces = new Masker(vocab, new MaskingConfig(0.15, 20, false));
        SplittableRandom random = new SplittableRandom(3);
        int splitWordsWithoutOption = 0;
        for (int n = 0; n < 2_000; n++) {
            PretrainingInstance instance = wholeWords.mask(sequence, random);
            assertEquals(0, splitWords(instance, tokens), "whole words: " + instance);
            assertTrue(instance.maskedPositions().length <= Math.rint(42 * 0.15));
            splitWordsWithoutOption += splitWords(pieces.mask(sequence, random), tokens);
        }
        assertNotEquals(0, splitWordsWithoutOption, "without the option, pieces are masked on their own");
    }

    /** Words of the form un ##aff ##able of which some but not all pieces are masked. */
    private static int splitWords(PretrainingInstance instance, int[] tokens) {
        boolean[] masked = new boolean[tokens.length];
        for (int position : instance.maskedPositions()) {
            masked[position] = true;
        }
        int split = 0;
        for (int start = 2; start < tokens.length - 1; start += 4) {
            int count = (masked[start] ? 1 : 0) + (masked[start + 1] ? 1 : 0) + (masked[start + 2] ? 1 : 0);
            split += count == 1 || count == 2 ? 1 : 0;
        }
        return split;
    }

    @Test
    void sameSeedSameMaskingAndEachCallAFreshOne() {
        Masker masker = new Masker(vocab, MaskingConfig.defaults());
        PretrainingSequence sequence = randomSequence(new SplittableRandom(1), 60, 0);
        SplittableRandom random = new SplittableRandom(5);
        PretrainingInstance first = masker.mask(sequence, random);
        PretrainingInstance second = masker.mask(sequence, random);
        assertNotEquals(first, second, "dynamic masking: a new draw per call");
        assertEquals(first, masker.mask(sequence, new SplittableRandom(5)));
    }
}
