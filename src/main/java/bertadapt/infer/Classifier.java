package bertadapt.infer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;

import bertadapt.data.LabelVocabulary;
import bertadapt.model.Heads;
import bertadapt.text.EncodedBatch;
import bertadapt.text.TextInput;
import bertadapt.train.ClassificationTask;
import bertadapt.weights.Checkpoint;

/**
 * A fine-tuned classifier loaded for inference: the model folder {@code bertadapt finetune} writes ({@code best/}),
 * whose {@code labels.json} names the classes in the order of the head's outputs.
 */
public final class Classifier implements AutoCloseable {

    /** A weight only the MLP head has; its presence is how a checkpoint tells which head it was trained with. */
    static final String MLP_HEAD_WEIGHT = "classifier.dense.weight";

    private final PretrainedBert model;
    private final Heads.Classifier head;
    private final LabelVocabulary labels;

    private Classifier(PretrainedBert model, Heads.Classifier head, LabelVocabulary labels) {
        this.model = model;
        this.head = head;
        this.labels = labels;
    }

    public static Classifier load(Path directory) throws IOException {
        Path labelsFile = directory.resolve(ClassificationTask.LABELS_FILE);
        if (!Files.isRegularFile(labelsFile)) {
            throw new NoSuchFileException(directory.toString(), null, "not a fine-tuned classifier: it has no "
                    + ClassificationTask.LABELS_FILE + " (bertadapt finetune writes one beside the model)");
        }
        LabelVocabulary labels = LabelVocabulary.read(labelsFile);
        Checkpoint checkpoint = Checkpoint.read(directory);
        Heads.ClassifierType type = checkpoint.weights().containsKey(MLP_HEAD_WEIGHT)
                ? Heads.ClassifierType.MLP
                : Heads.ClassifierType.LINEAR;
        Heads.Classifier[] head = new Heads.Classifier[1];
        PretrainedBert model = PretrainedBert.load(checkpoint, false,
                bert -> head[0] = Heads.classifier(bert, labels.size(), type));
        return new Classifier(model, head[0], labels);
    }

    public LabelVocabulary labels() {
        return labels;
    }

    public PretrainedBert model() {
        return model;
    }

    /** Class probabilities [N][C] of each input, in batches of {@code batchSize} padded to their longest member. */
    public float[][] predict(List<TextInput> inputs, int maxLength, int batchSize) {
        float[][] out = new float[inputs.size()][];
        String name = head.probabilities().name();
        for (int start = 0; start < inputs.size(); start += batchSize) {
            EncodedBatch batch = model.tokenizer().encodeBatch(
                    inputs.subList(start, Math.min(inputs.size(), start + batchSize)), maxLength);
            Map<String, INDArray> feed = model.bert().inputs(batch.batchSize(), batch.sequenceLength(), batch.inputIds(),
                    batch.tokenTypeIds(), batch.attentionMask());
            INDArray probabilities = model.bert().sd.output(feed, name).get(name);
            for (int row = 0; row < batch.batchSize(); row++) {
                out[start + row] = probabilities.getRow(row).toFloatVector();
            }
        }
        return out;
    }

    @Override
    public void close() {
        model.close();
    }
}
