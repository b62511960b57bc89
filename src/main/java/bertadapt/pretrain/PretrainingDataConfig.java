package bertadapt.pretrain;

import java.util.Objects;

/**
 * Settings of {@link PretrainingDataGenerator}, named after Google's flags where they have one.
 *
 * @param mode                how documents become sequences
 * @param maxSeqLength        longest sequence, [CLS]/[SEP] included ({@code max_seq_length})
 * @param shortSeqProbability NSP only: chance of a shorter target length ({@code short_seq_prob})
 * @param masking             masking budget and whole-word option
 * @param epochs              differently masked copies of the data ({@code dupe_factor})
 * @param documentsPerShard   documents held in memory at once; NSP draws random segments from the
 *                            same shard, and instances are shuffled within a shard
 * @param seed                everything random derives from it ({@code random_seed})
 * @param showProgress        a progress bar on stderr while generating
 */
public record PretrainingDataConfig(InstanceMode mode, int maxSeqLength, double shortSeqProbability,
                                    MaskingConfig masking, int epochs, int documentsPerShard, long seed,
                                    boolean showProgress) {

    public PretrainingDataConfig {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(masking, "masking");
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        }
        if (documentsPerShard < 2) {
            throw new IllegalArgumentException("documentsPerShard must be at least 2, got " + documentsPerShard);
        }
    }

    /** Google's defaults (short_seq_prob 0.1, dupe_factor 10, random_seed 12345) and shards of 100,000 documents. */
    public static PretrainingDataConfig defaults(InstanceMode mode, int maxSeqLength) {
        return new PretrainingDataConfig(mode, maxSeqLength, 0.1, MaskingConfig.defaults(), 10, 100_000, 12345, true);
    }

    public PretrainingDataConfig withEpochs(int newEpochs) {
        return new PretrainingDataConfig(mode, maxSeqLength, shortSeqProbability, masking, newEpochs, documentsPerShard,
                seed, showProgress);
    }

    public PretrainingDataConfig withSeed(long newSeed) {
        return new PretrainingDataConfig(mode, maxSeqLength, shortSeqProbability, masking, epochs, documentsPerShard,
                newSeed, showProgress);
    }

    public PretrainingDataConfig withMasking(MaskingConfig newMasking) {
        return new PretrainingDataConfig(mode, maxSeqLength, shortSeqProbability, newMasking, epochs, documentsPerShard,
                seed, showProgress);
    }

    public PretrainingDataConfig withDocumentsPerShard(int newDocumentsPerShard) {
        return new PretrainingDataConfig(mode, maxSeqLength, shortSeqProbability, masking, epochs, newDocumentsPerShard,
                seed, showProgress);
    }

    public PretrainingDataConfig withShowProgress(boolean newShowProgress) {
        return new PretrainingDataConfig(mode, maxSeqLength, shortSeqProbability, masking, epochs, documentsPerShard,
                seed, newShowProgress);
    }
}
