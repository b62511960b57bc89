package bertadapt.pretrain;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Sentence pairs for next sentence prediction, following Google's
 * {@code create_instances_from_document}:
 * <ul>
 *   <li>Per document, a target length of {@code maxSeqLength - 3}, or with probability
 *       {@code shortSeqProbability} a uniform one in [2, maxSeqLength - 3], so the model also sees
 *       short inputs.</li>
 *   <li>Sentences are gathered into a chunk until it reaches the target or the document ends; A is
 *       the chunk's first {@code k} sentences, k uniform in [1, chunk size - 1].</li>
 *   <li>B is the rest of the chunk, or (50%, and always for a one-sentence chunk) a run of sentences
 *       from a random position of a random other document of the shard, up to the remaining target;
 *       then the chunk's sentences not used for A are put back to start the next chunk.</li>
 *   <li>While the pair is too long, one token is dropped from the longer segment (B on ties), from
 *       its front or back at random; both segments keep at least one token.</li>
 * </ul>
 * The random document comes from the same shard, so all of a shard's documents are held in memory
 * (Google holds the whole corpus); shards bound memory for big corpora. Unlike Google, which retries
 * ten times and may settle for the same document, the other document is drawn among the others
 * directly, so a random-next label is never a lie.
 */
final class NextSentenceBuilder implements SequenceBuilder {

    private final int maxPairTokens;
    private final double shortSeqProbability;
    private final PretrainingVocab vocab;

    NextSentenceBuilder(int maxSeqLength, double shortSeqProbability, PretrainingVocab vocab) {
        SequenceBuilder.requireMaxSeqLength(maxSeqLength, 5, "[CLS] A [SEP] B [SEP] with one token each");
        if (!(shortSeqProbability >= 0 && shortSeqProbability <= 1)) {
            throw new IllegalArgumentException("shortSeqProbability must be in [0, 1], got " + shortSeqProbability);
        }
        this.maxPairTokens = maxSeqLength - 3;
        this.shortSeqProbability = shortSeqProbability;
        this.vocab = vocab;
    }

    @Override
    public List<PretrainingSequence> build(List<List<int[]>> documents, RandomGenerator random) {
        if (documents.size() < 2) {
            throw new IllegalArgumentException("next sentence pairs need at least two documents to draw random "
                    + "segments from, got " + documents.size());
        }
        List<PretrainingSequence> sequences = new ArrayList<>();
        for (int d = 0; d < documents.size(); d++) {
            addPairs(documents, d, random, sequences);
        }
        return sequences;
    }

    private void addPairs(List<List<int[]>> documents, int documentIndex, RandomGenerator random,
                          List<PretrainingSequence> sequences) {
        List<int[]> document = documents.get(documentIndex);
        int targetLength = random.nextDouble() < shortSeqProbability
                ? random.nextInt(2, maxPairTokens + 1)
                : maxPairTokens;
        int chunkStart = 0;
        int chunkLength = 0;
        for (int i = 0; i < document.size(); i++) {
            chunkLength += document.get(i).length;
            if (i < document.size() - 1 && chunkLength < targetLength) {
                continue;
            }
            int chunkSentences = i + 1 - chunkStart;
            int aEnd = chunkStart + (chunkSentences >= 2 ? random.nextInt(1, chunkSentences) : 1);
            int[] a = concatenate(document, chunkStart, aEnd, Integer.MAX_VALUE);
            boolean isRandomNext = chunkSentences == 1 || random.nextBoolean();
            int[] b;
            if (isRandomNext) {
                b = randomSegment(documents, documentIndex, targetLength - a.length, random);
                i = aEnd - 1;  // put the unused sentences back
            } else {
                b = concatenate(document, aEnd, i + 1, Integer.MAX_VALUE);
            }
            sequences.add(truncatedPair(a, b, isRandomNext, random));
            chunkStart = i + 1;
            chunkLength = 0;
        }
    }

    /** Sentences from a random start in a random other document, until {@code targetLength} is reached. */
    private static int[] randomSegment(List<List<int[]>> documents, int excludedDocument, int targetLength,
                                       RandomGenerator random) {
        int other = random.nextInt(documents.size() - 1);
        List<int[]> document = documents.get(other >= excludedDocument ? other + 1 : other);
        return concatenate(document, random.nextInt(document.size()), document.size(), targetLength);
    }

    /**
     * Sentences {@code [from, to)} joined, stopping after the sentence that reaches {@code stopAtLength};
     * at least one sentence even when {@code stopAtLength} is not positive (A may fill the target).
     */
    private static int[] concatenate(List<int[]> sentences, int from, int to, int stopAtLength) {
        int length = 0;
        int end = from;
        while (end < to && (end == from || length < stopAtLength)) {
            length += sentences.get(end++).length;
        }
        int[] joined = new int[length];
        int offset = 0;
        for (int s = from; s < end; s++) {
            int[] sentence = sentences.get(s);
            System.arraycopy(sentence, 0, joined, offset, sentence.length);
            offset += sentence.length;
        }
        return joined;
    }

    private PretrainingSequence truncatedPair(int[] a, int[] b, boolean isRandomNext, RandomGenerator random) {
        int aFrom = 0;
        int aTo = a.length;
        int bFrom = 0;
        int bTo = b.length;
        while ((aTo - aFrom) + (bTo - bFrom) > maxPairTokens) {
            boolean trimA = aTo - aFrom > bTo - bFrom;
            boolean fromFront = random.nextBoolean();
            if (trimA && fromFront) {
                aFrom++;
            } else if (trimA) {
                aTo--;
            } else if (fromFront) {
                bFrom++;
            } else {
                bTo--;
            }
        }
        return PretrainingSequence.pair(a, aFrom, aTo, b, bFrom, bTo, isRandomNext, vocab);
    }
}
