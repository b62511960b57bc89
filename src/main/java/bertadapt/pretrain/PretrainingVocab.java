package bertadapt.pretrain;

import bertadapt.text.BertVocab;

import java.util.BitSet;
import java.util.random.RandomGenerator;

/**
 * What masking needs to know about a WordPiece vocabulary: the special ids, which ids are
 * {@code ##} continuation pieces (for whole-word masking), and which ids may replace a token.
 *
 * <p>Random replacements exclude bracketed tokens ({@code [PAD] [CLS] [SEP] [MASK] [UNK]} and
 * Google's {@code [unusedN]} slots): Google draws from the whole vocabulary, but those never occur
 * in real text, so drawing them only teaches the model about impossible inputs.
 */
public final class PretrainingVocab {

    private final int size;
    private final int clsId;
    private final int sepId;
    private final int padId;
    private final int maskId;
    private final BitSet continuationIds;
    private final int[] replacementIds;

    private PretrainingVocab(BertVocab vocab) {
        this.size = vocab.size();
        this.clsId = vocab.requireId(BertVocab.CLS);
        this.sepId = vocab.requireId(BertVocab.SEP);
        this.padId = vocab.requireId(BertVocab.PAD);
        this.maskId = vocab.requireId(BertVocab.MASK);
        this.continuationIds = new BitSet(size);
        BitSet replacements = new BitSet(size);
        for (int id = 0; id < size; id++) {
            String token = vocab.token(id).orElse(null);
            if (token == null) {
                continue;
            }
            continuationIds.set(id, token.startsWith("##"));
            replacements.set(id, !(token.length() > 2 && token.startsWith("[") && token.endsWith("]")));
        }
        this.replacementIds = replacements.stream().toArray();
        if (replacementIds.length == 0) {
            throw new IllegalArgumentException(vocab.source() + ": no ordinary token to use as a random replacement");
        }
    }

    public static PretrainingVocab of(BertVocab vocab) {
        return new PretrainingVocab(vocab);
    }

    /** Number of ids, the range masked labels lie in. */
    public int size() {
        return size;
    }

    public int clsId() {
        return clsId;
    }

    public int sepId() {
        return sepId;
    }

    public int padId() {
        return padId;
    }

    public int maskId() {
        return maskId;
    }

    /** Whether masking may choose a position holding {@code id}: everything but [CLS], [SEP] and [PAD]. */
    public boolean isMaskable(int id) {
        return id != clsId && id != sepId && id != padId;
    }

    /** Whether {@code id} is a {@code ##} piece that continues the word before it. */
    public boolean isContinuation(int id) {
        return continuationIds.get(id);
    }

    /** A uniformly drawn ordinary token, for the 10% of masked positions that get a random token. */
    public int randomReplacement(RandomGenerator random) {
        return replacementIds[random.nextInt(replacementIds.length)];
    }
}
