package bertadapt.pretrain;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Google's masked-LM masking. Each call draws a fresh masking from {@code random}, so the same
 * sequence can be re-masked every epoch (dynamic masking) or once per pre-generated epoch.
 *
 * <p>Candidates are all positions except [CLS], [SEP] and [PAD]; with whole-word masking a word is a
 * token plus the {@code ##} pieces right after it. Candidates are shuffled and taken whole until the
 * budget of {@link MaskingConfig} is met; a word that would overshoot it is skipped and later,
 * shorter words may still fill it. Each chosen token independently becomes [MASK] (80%), stays
 * (10%) or becomes a random ordinary token (10%, see {@link PretrainingVocab}); its label is the
 * original id.
 */
public final class Masker {

    private static final double MASK_TOKEN_PROBABILITY = 0.8;

    private final PretrainingVocab vocab;
    private final MaskingConfig config;

    public Masker(PretrainingVocab vocab, MaskingConfig config) {
        this.vocab = Objects.requireNonNull(vocab, "vocab");
        this.config = Objects.requireNonNull(config, "config");
    }

    public PretrainingInstance mask(PretrainingSequence sequence, RandomGenerator random) {
        int[] original = sequence.tokenIds();
        int length = original.length;
        // Words as runs [wordStart[w], wordEnd[w]); shuffling word numbers shuffles the words.
        int[] wordStart = new int[length];
        int[] wordEnd = new int[length];
        int words = 0;
        for (int position = 0; position < length; position++) {
            int id = original[position];
            if (!vocab.isMaskable(id)) {
                continue;
            }
            boolean continuesWord = config.wholeWordMasking() && vocab.isContinuation(id)
                    && words > 0 && wordEnd[words - 1] == position;
            if (continuesWord) {
                wordEnd[words - 1]++;
            } else {
                wordStart[words] = position;
                wordEnd[words] = position + 1;
                words++;
            }
        }
        int[] wordOrder = new int[words];
        for (int w = 0; w < words; w++) {
            wordOrder[w] = w;
        }
        Shuffling.shuffle(wordOrder, words, random);

        // Math.rint rounds half to even, as Python's round in Google's code does.
        int budget = Math.min(config.maxPredictionsPerSeq(),
                Math.max(1, (int) Math.rint(length * config.maskedLmProbability())));
        boolean[] chosen = new boolean[length];
        int chosenCount = 0;
        for (int w : wordOrder) {
            if (chosenCount >= budget) {
                break;
            }
            int wordLength = wordEnd[w] - wordStart[w];
            if (chosenCount + wordLength > budget) {
                continue;
            }
            for (int position = wordStart[w]; position < wordEnd[w]; position++) {
                chosen[position] = true;
            }
            chosenCount += wordLength;
        }

        int[] input = original.clone();
        int[] positions = new int[chosenCount];
        int[] labels = new int[chosenCount];
        int next = 0;
        // Ascending positions, the order Google writes them in; the draws happen in this order too.
        for (int position = 0; position < length; position++) {
            if (chosen[position]) {
                positions[next] = position;
                labels[next] = original[position];
                input[position] = replacement(original[position], random);
                next++;
            }
        }
        return new PretrainingInstance(input, sequence.segmentIds(), positions, labels, sequence.isRandomNext());
    }

    private int replacement(int originalId, RandomGenerator random) {
        if (random.nextDouble() < MASK_TOKEN_PROBABILITY) {
            return vocab.maskId();
        }
        return random.nextBoolean() ? originalId : vocab.randomReplacement(random);
    }
}
