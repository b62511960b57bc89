package bertadapt.infer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

import org.nd4j.linalg.api.buffer.DataType;

import bertadapt.hub.ModelStore;
import bertadapt.model.Bert;
import bertadapt.text.BertTokenizer;
import bertadapt.weights.Checkpoint;
import bertadapt.weights.WeightMatch;

/**
 * A BERT graph with a checkpoint's weights and the checkpoint's tokenizer: what a command or an
 * experiment starts from.
 *
 * @param directory the model directory the weights came from
 * @param match     which parameters came from the checkpoint, which were newly initialised, which were unused
 */
public record PretrainedBert(Bert bert, BertTokenizer tokenizer, Path directory, boolean doLowerCase, WeightMatch match)
        implements AutoCloseable {

    /**
     * Resolves {@code nameOrPath} (a known name, a directory, or a Hugging Face hub id), builds the graph,
     * lets {@code addHeads} put heads on it, then loads every weight the checkpoint has.
     *
     * @param training whether the graph is for training (with dropout) or inference
     */
    public static PretrainedBert load(String nameOrPath, boolean training, Consumer<Bert> addHeads) throws IOException {
        return load(ModelStore.fromEnvironment().resolve(nameOrPath), training, addHeads);
    }

    /** As {@link #load(String, boolean, Consumer)}, from a model directory. */
    public static PretrainedBert load(Path directory, boolean training, Consumer<Bert> addHeads) throws IOException {
        return load(Checkpoint.read(directory), training, addHeads);
    }

    /** As {@link #load(Path, boolean, Consumer)}, from a checkpoint already read, e.g. to choose the heads by its weights. */
    public static PretrainedBert load(Checkpoint checkpoint, boolean training, Consumer<Bert> addHeads) throws IOException {
        Path directory = checkpoint.directory();
        Bert bert = new Bert(checkpoint.config(), DataType.FLOAT, training);
        addHeads.accept(bert);
        WeightMatch match = checkpoint.loadInto(bert.parameters());
        BertTokenizer tokenizer = BertTokenizer.fromModelDirectory(directory, checkpoint.doLowerCase());
        if (tokenizer.vocabSize() > checkpoint.config().vocabSize()) {
            tokenizer.close();
            throw new IOException(directory + ": the vocabulary has " + tokenizer.vocabSize()
                    + " tokens but the config's vocab_size is only " + checkpoint.config().vocabSize());
        }
        return new PretrainedBert(bert, tokenizer, directory, checkpoint.doLowerCase(), match);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
