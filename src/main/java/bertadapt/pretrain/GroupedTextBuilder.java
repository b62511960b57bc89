package bertadapt.pretrain;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** See {@link SequenceBuilder#groupedText}. */
final class GroupedTextBuilder implements SequenceBuilder {

    private final int blockSize;
    private final PretrainingVocab vocab;

    GroupedTextBuilder(int maxSeqLength, PretrainingVocab vocab) {
        SequenceBuilder.requireMaxSeqLength(maxSeqLength, 3, "[CLS], one token, [SEP]");
        this.blockSize = maxSeqLength - 2;
        this.vocab = vocab;
    }

    @Override
    public List<PretrainingSequence> build(List<List<int[]>> documents, RandomGenerator random) {
        List<PretrainingSequence> sequences = new ArrayList<>();
        int[] block = new int[blockSize];
        int filled = 0;
        for (List<int[]> document : documents) {
            for (int[] sentence : document) {
                for (int copied = 0; copied < sentence.length; ) {
                    int count = Math.min(sentence.length - copied, blockSize - filled);
                    System.arraycopy(sentence, copied, block, filled, count);
                    copied += count;
                    filled += count;
                    if (filled == blockSize) {
                        sequences.add(PretrainingSequence.single(block, 0, blockSize, vocab));
                        filled = 0;
                    }
                }
            }
        }
        if (filled > 0) {
            sequences.add(PretrainingSequence.single(block, 0, filled, vocab));
        }
        return sequences;
    }
}
