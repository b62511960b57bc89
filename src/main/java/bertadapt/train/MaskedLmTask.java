package bertadapt.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import bertadapt.model.Bert;
import bertadapt.model.Freezing;
import bertadapt.model.Heads;
import bertadapt.model.Layers;
import bertadapt.model.SameDiffFixes;
import bertadapt.pretrain.MaskedLmEvaluation;
import bertadapt.pretrain.PretrainingBatch;
import bertadapt.pretrain.PretrainingFileReader;
import bertadapt.pretrain.PretrainingInstance;
import bertadapt.weights.Checkpoint;
import bertadapt.weights.ModelDirectory;
import bertadapt.weights.Tensor;

/**
 * Continued pre-training (domain adaptation): the masked-LM loss, plus next sentence prediction when
 * the instances come in segment pairs. Training epoch e reads pre-generated epoch e mod K, so K
 * epochs of masking are reused in turn, as Google's {@code dupe_factor}. Evaluation scores masked-token
 * accuracy and perplexity on held-out instances.
 */
public final class MaskedLmTask implements TrainingTask {

    /** K pre-generated epochs of instances, in memory or streamed from the files the generator wrote. */
    public interface Epochs {
        int count();

        int instancesPerEpoch();

        /**
         * A fingerprint of the first epoch: the corpus, the tokenizer and the masking settings all show in it, and
         * hashing one epoch costs one epoch's read.
         */
        String firstEpochFingerprint();

        Iterator<PretrainingInstance> epoch(int k);

        static Epochs inMemory(List<List<PretrainingInstance>> epochs) {
            String fingerprint = Fingerprint.of(epochs.get(0));
            return new Epochs() {
                public int count() {
                    return epochs.size();
                }

                public int instancesPerEpoch() {
                    return epochs.get(0).size();
                }

                public String firstEpochFingerprint() {
                    return fingerprint;
                }

                public Iterator<PretrainingInstance> epoch(int k) {
                    return epochs.get(k).iterator();
                }
            };
        }

        /** Streams each epoch from its file, holding one batch at a time. */
        static Epochs files(List<Path> files) throws IOException {
            int count = 0;
            Fingerprint firstEpoch = new Fingerprint();
            try (PretrainingFileReader reader = PretrainingFileReader.open(files.get(0))) {
                while (reader.hasNext()) {
                    firstEpoch.add(reader.next());
                    count++;
                }
            }
            int perEpoch = count;
            String fingerprint = firstEpoch.hex();
            return new Epochs() {
                public int count() {
                    return files.size();
                }

                public int instancesPerEpoch() {
                    return perEpoch;
                }

                public String firstEpochFingerprint() {
                    return fingerprint;
                }

                public Iterator<PretrainingInstance> epoch(int k) {
                    try {
                        return PretrainingFileReader.open(files.get(k));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };
        }
    }

    private final ModelDirectory source;
    private final Bert training;
    private final Bert inference;
    private final Heads.MaskedLm inferenceMlm;
    private final String lossName;
    private final Epochs epochs;
    private final List<PretrainingInstance> heldOut;
    private final int batchSize;
    private final int padId;
    private final Map<String, Object> definition = new LinkedHashMap<>();

    /**
     * @param withNextSentence add the NSP head and loss (the instances must be segment pairs)
     * @param heldOut          instances with a fixed masking, for evaluation
     */
    public MaskedLmTask(Path modelDirectory, boolean withNextSentence, Epochs epochs, List<PretrainingInstance> heldOut,
                        int batchSize, int padId, int freezeLayerCount) throws IOException {
        this.source = ModelDirectory.read(modelDirectory);
        this.epochs = epochs;
        this.heldOut = heldOut;
        this.batchSize = batchSize;
        this.padId = padId;
        training = new Bert(source.config(), DataType.FLOAT, true);
        SDVariable loss = Heads.maskedLm(training).loss();
        if (withNextSentence) {
            loss = loss.add(Heads.nextSentence(training).loss());
        }
        lossName = loss.rename("pretraining_loss").name();
        Checkpoint.read(modelDirectory).loadInto(training.parameters());
        Freezing.freezeLayerCount(training, freezeLayerCount);
        inference = new Bert(source.config(), DataType.FLOAT, false);
        inferenceMlm = Heads.maskedLm(inference);
        if (withNextSentence) {
            Heads.nextSentence(inference);
        }
        definition.put("task", withNextSentence ? "masked-lm and next sentence" : "masked-lm");
        definition.put("batch_size", batchSize);
        definition.put("freeze_layer_count", freezeLayerCount);
        definition.put("epochs_of_instances", epochs.count());
        definition.put("instances_per_epoch", epochs.instancesPerEpoch());
        definition.put("first_epoch", epochs.firstEpochFingerprint());
        definition.put("held_out", Fingerprint.of(heldOut));
    }

    @Override
    public Layers layers() {
        return training.layers;
    }

    @Override
    public String lossName() {
        return lossName;
    }

    @Override
    public List<String> trainable() {
        return Freezing.trainable(training);
    }

    @Override
    public int batchesPerEpoch() {
        return (epochs.instancesPerEpoch() + batchSize - 1) / batchSize;
    }

    @Override
    public Iterator<Batch> batches(int epoch, long seed) {
        Iterator<PretrainingInstance> instances = epochs.epoch(epoch % epochs.count());
        return new Iterator<>() {
            public boolean hasNext() {
                return instances.hasNext();
            }

            public Batch next() {
                if (!instances.hasNext()) {
                    throw new NoSuchElementException();
                }
                List<PretrainingInstance> rows = new ArrayList<>(batchSize);
                while (rows.size() < batchSize && instances.hasNext()) {
                    rows.add(instances.next());
                }
                return new Batch(feed(training, PretrainingBatch.of(rows, padId, source.config().maxPositions())), rows.size());
            }
        };
    }

    private static Map<String, INDArray> feed(Bert bert, PretrainingBatch batch) {
        Map<String, INDArray> feed = bert.inputs(batch.batchSize(), batch.length(), batch.inputIds(), batch.tokenTypeIds(),
                batch.attentionMask());
        feed.put("masked_lm_positions", Nd4j.createFromArray(batch.maskedPositions()));
        feed.put("masked_lm_ids", Nd4j.createFromArray(batch.maskedLabels()));
        feed.put("masked_lm_weights", Nd4j.createFromArray(batch.maskedWeights()));
        if (bert.sd.hasVariable("next_sentence_labels")) {
            feed.put("next_sentence_labels", Nd4j.createFromArray(batch.nextSentenceLabels()));
        }
        return feed;
    }

    @Override
    public String evaluatedOn() {
        return "held-out";
    }

    @Override
    public Map<String, Object> definition() {
        return definition;
    }

    /** Masked-token accuracy, mean cross-entropy and perplexity on the held-out instances. */
    @Override
    public Map<String, Double> evaluate() {
        SameDiffFixes.freeArrays(training.sd); // the training passes' cached arrays (gigabytes for BERT-Base) idle meanwhile
        Map<String, INDArray> from = training.parameters();
        inference.parameters().forEach((name, target) -> target.assign(from.get(name)));
        MaskedLmEvaluation evaluation = new MaskedLmEvaluation();
        String logits = inferenceMlm.logits().name();
        for (int start = 0; start < heldOut.size(); start += batchSize) {
            PretrainingBatch batch = PretrainingBatch.of(heldOut.subList(start, Math.min(heldOut.size(), start + batchSize)), padId,
                    source.config().maxPositions());
            Map<String, INDArray> feed = feed(inference, batch);
            feed.keySet().retainAll(List.of(Bert.INPUT_IDS, Bert.TOKEN_TYPE_IDS, Bert.ATTENTION_MASK, "masked_lm_positions"));
            INDArray out = inference.sd.output(feed, logits).get(logits);
            evaluation.add(Tensor.of(out).values(), source.config().vocabSize(), batch.maskedLabels(), batch.maskedWeights());
        }
        SameDiffFixes.freeArrays(inference.sd); // training goes on after an evaluation: give it the memory
        MaskedLmEvaluation.MaskedLmScore score = evaluation.score();
        Map<String, Double> scores = new LinkedHashMap<>();
        scores.put("mlm_accuracy", score.accuracy());
        scores.put("mlm_loss", score.meanCrossEntropy());
        scores.put("perplexity", score.perplexity());
        return scores;
    }

    @Override
    public void saveModel(Path directory) throws IOException {
        Checkpoint.write(training.parameters(), source.config(), source.vocab(), source.doLowerCase(),
                directory);
    }

    @Override
    public void loadModel(Path directory) throws IOException {
        Checkpoint.read(directory).loadInto(training.parameters());
    }

    /** The training graph's parameters. */
    public Map<String, INDArray> parameters() {
        return training.parameters();
    }
}
