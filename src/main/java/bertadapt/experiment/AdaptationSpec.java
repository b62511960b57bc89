package bertadapt.experiment;

import java.nio.file.Path;
import java.util.Objects;

import bertadapt.pretrain.InstanceMode;
import bertadapt.pretrain.MaskingConfig;
import bertadapt.pretrain.PretrainingDataConfig;
import bertadapt.pretrain.SentenceSplitting;
import bertadapt.train.TrainerSettings;

/**
 * The {@code adaptation} section of an experiment spec: continued masked-LM pre-training, run once per seed for
 * the adaptive strategies. {@link #DEFAULTS} holds every default; {@code experiments/README.md} documents the keys.
 *
 * @param corpus             the in-domain text
 * @param mode               how the text becomes sequences ({@code line}, {@code nsp}, {@code grouped})
 * @param maxSteps           updates in all; when > 0 it overrides {@code epochs}
 * @param dupeFactor         differently masked copies of the corpus generated up front; epoch e uses copy e mod K
 * @param heldOut            share of the documents held out to score masked-LM loss, perplexity and accuracy
 * @param warmupSteps        updates warming up; when > 0 it overrides {@code warmupRatio}
 */
public record AdaptationSpec(CorpusSource corpus, InstanceMode mode, int epochs, long maxSteps, double learningRate,
                             int batchSize, int maxLength, double maskingProbability, int maxPredictions,
                             boolean wholeWordMasking, int dupeFactor, double heldOut, double warmupRatio,
                             long warmupSteps, double weightDecay) {

    /**
     * Where the adaptation text comes from.
     *
     * @param file the Google-format file (a sentence a line, a blank line between documents), for {@link Kind#FILE}
     */
    public record CorpusSource(Kind kind, Path file) {

        public enum Kind {
            /** Each text of the experiment's (subset) training split is a document; both texts of a pair. */
            DATASET_TRAIN,
            /** The dataset's unlabelled texts (IMDb's 50,000 {@code train/unsup} reviews). */
            UNLABELLED,
            /** A Google-format text file. */
            FILE
        }

        public CorpusSource {
            Objects.requireNonNull(kind, "kind");
            if ((kind == Kind.FILE) != (file != null)) {
                throw new IllegalArgumentException("a corpus file goes with Kind.FILE only");
            }
        }

        public static CorpusSource datasetTrain() {
            return new CorpusSource(Kind.DATASET_TRAIN, null);
        }

        public static CorpusSource unlabelled() {
            return new CorpusSource(Kind.UNLABELLED, null);
        }

        public static CorpusSource file(Path file) {
            return new CorpusSource(Kind.FILE, file);
        }
    }

    /** The metric that picks the best adapted checkpoint: held-out masked-LM cross-entropy. */
    static final String SELECTION_METRIC = "mlm_loss";

    /**
     * One epoch over the task's own training text at 5e-5 (task-adaptive pre-training), Google's masking (15%, at
     * most 20 predictions), 5 masked copies, 5% held out, and BERT's schedule (10% warm-up, decay 0.01).
     */
    public static final AdaptationSpec DEFAULTS = new AdaptationSpec(CorpusSource.datasetTrain(), InstanceMode.LINE_BY_LINE,
            1, 0, 5e-5, 32, 128, 0.15, 20, false, 5, 0.05, 0.1, 0, 0.01);

    public AdaptationSpec {
        Objects.requireNonNull(corpus, "corpus");
        Objects.requireNonNull(mode, "mode");
    }

    /** How text documents are cut into sentences: only NSP pairs need real sentences. */
    SentenceSplitting sentenceSplitting() {
        return mode == InstanceMode.NEXT_SENTENCE ? SentenceSplitting.SIMPLE : SentenceSplitting.WHOLE_TEXT;
    }

    PretrainingDataConfig dataConfig(long seed) {
        return PretrainingDataConfig.defaults(mode, maxLength).withEpochs(dupeFactor).withSeed(seed)
                .withMasking(new MaskingConfig(maskingProbability, maxPredictions, wholeWordMasking));
    }

    TrainerSettings trainerSettings(long seed) {
        TrainerSettings defaults = TrainerSettings.defaults();
        return new TrainerSettings(epochs, maxSteps, 1, learningRate, warmupRatio, weightDecay, defaults.maxGradNorm(), seed,
                0, SELECTION_METRIC, true, 0, defaults.keepCheckpoints(), warmupSteps);
    }
}
