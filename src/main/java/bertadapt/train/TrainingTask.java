package bertadapt.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;

import bertadapt.model.Layers;

/**
 * What the {@link Trainer} trains: a graph with a loss, its batches, and how to evaluate and save it.
 * Fine-tuning a classifier and masked-LM adaptation are two implementations.
 */
public interface TrainingTask {

    /** A micro-batch: the training graph's feed, and the number of examples its loss averages over. */
    record Batch(Map<String, INDArray> feed, int examples) {
    }

    /** The training graph (with dropout) and its parameters. */
    Layers layers();

    /** The name of the scalar loss in the training graph. */
    String lossName();

    /** The parameters that train; the others are frozen. */
    List<String> trainable();

    /** Micro-batches in one epoch. */
    int batchesPerEpoch();

    /** The micro-batches of an epoch; the same epoch and seed give the same batches in the same order. */
    Iterator<Batch> batches(int epoch, long seed);

    /** Metrics on the validation data with the current parameters (higher or lower is better per metric). */
    Map<String, Double> evaluate();

    /**
     * What {@link #evaluate} scores, as the metrics file and the report name it: {@code validation}, or {@code test}
     * where a dataset has no validation split and its test split picks the best checkpoint.
     */
    String evaluatedOn();

    /**
     * What decides this task's updates besides the trainer's settings: its data (as fingerprints) and options, as
     * JSON values. A run resumes only under the definition it started with ({@code run-definition.json}).
     */
    Map<String, Object> definition();

    /** Writes the model (parameters, config, vocabulary) as a model directory. */
    void saveModel(Path directory) throws IOException;

    /** Loads the parameters that {@link #saveModel} wrote. */
    void loadModel(Path directory) throws IOException;
}
