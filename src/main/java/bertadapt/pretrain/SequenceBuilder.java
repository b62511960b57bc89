package bertadapt.pretrain;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Turns a shard of tokenised documents into unmasked sequences of at most {@code maxSeqLength} ids.
 * A shard is a {@code List} of documents, each a {@code List} of sentences, each the sentence's word
 * piece ids without specials and never empty.
 */
public interface SequenceBuilder {

    List<PretrainingSequence> build(List<List<int[]>> documents, RandomGenerator random);

    /** Each sentence (a line, or a whole text) is one {@code [CLS] s [SEP]}, cut to fit. */
    static SequenceBuilder lineByLine(int maxSeqLength, PretrainingVocab vocab) {
        return new LineByLineBuilder(maxSeqLength, vocab);
    }

    /**
     * All sentences of the shard concatenated and cut into blocks of {@code maxSeqLength - 2} ids,
     * each {@code [CLS] block [SEP]}; every sequence is exactly {@code maxSeqLength} long except the
     * shard's last one.
     */
    static SequenceBuilder groupedText(int maxSeqLength, PretrainingVocab vocab) {
        return new GroupedTextBuilder(maxSeqLength, vocab);
    }

    /** Google's NSP pairs, see {@link NextSentenceBuilder}; needs at least two documents per shard. */
    static SequenceBuilder nextSentencePairs(int maxSeqLength, double shortSeqProbability, PretrainingVocab vocab) {
        return new NextSentenceBuilder(maxSeqLength, shortSeqProbability, vocab);
    }

    static void requireMaxSeqLength(int maxSeqLength, int minimum, String why) {
        if (maxSeqLength < minimum) {
            throw new IllegalArgumentException("maxSeqLength must be at least " + minimum + " (" + why + "), got "
                    + maxSeqLength);
        }
    }
}
