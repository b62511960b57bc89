package bertadapt.pretrain;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** See {@link SequenceBuilder#lineByLine}. */
final class LineByLineBuilder implements SequenceBuilder {

    private final int maxContent;
    private final PretrainingVocab vocab;

    LineByLineBuilder(int maxSeqLength, PretrainingVocab vocab) {
        SequenceBuilder.requireMaxSeqLength(maxSeqLength, 3, "[CLS], one token, [SEP]");
        this.maxContent = maxSeqLength - 2;
        this.vocab = vocab;
    }

    @Override
    public List<PretrainingSequence> build(List<List<int[]>> documents, RandomGenerator random) {
        List<PretrainingSequence> sequences = new ArrayList<>();
        for (List<int[]> document : documents) {
            for (int[] sentence : document) {
                sequences.add(PretrainingSequence.single(sentence, 0, Math.min(sentence.length, maxContent), vocab));
            }
        }
        return sequences;
    }
}
