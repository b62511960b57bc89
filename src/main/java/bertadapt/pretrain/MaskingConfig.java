package bertadapt.pretrain;

/**
 * How many tokens to mask: {@code round(length * maskedLmProbability)} of a sequence's tokens
 * ([CLS]/[SEP] counted in the length, as Google does), at least 1 and at most
 * {@code maxPredictionsPerSeq}. With {@code wholeWordMasking} a word's {@code ##} pieces are chosen
 * together with it.
 */
public record MaskingConfig(double maskedLmProbability, int maxPredictionsPerSeq, boolean wholeWordMasking) {

    public MaskingConfig {
        if (!(maskedLmProbability > 0 && maskedLmProbability < 1)) {
            throw new IllegalArgumentException("maskedLmProbability must be in (0, 1), got " + maskedLmProbability);
        }
        if (maxPredictionsPerSeq < 1) {
            throw new IllegalArgumentException("maxPredictionsPerSeq must be at least 1, got " + maxPredictionsPerSeq);
        }
    }

    /** Google's defaults: 15%, at most 20 predictions, word pieces masked independently. */
    public static MaskingConfig defaults() {
        return new MaskingConfig(0.15, 20, false);
    }
}
