import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.nd4j.linalg.api.ndarray.INDArray;

import bertadapt.data.DatasetRegistry;
import bertadapt.data.LabelledDataset;
import bertadapt.data.Split;
import bertadapt.model.Bert;
import bertadapt.model.Freezing;
import bertadapt.model.Heads;
import bertadapt.text.BertTokenizer;
import bertadapt.text.EncodedBatch;
import bertadapt.text.EncodedText;
import bertadapt.train.ClassificationTask;
import bertadapt.train.FineTuning;
import bertadapt.train.TrainingTask;
import bertadapt.weights.ModelDirectory;

/**
 * Writes what {@code bertadapt finetune} trains on, so that {@code bench/pt_finetune.py} can train PyTorch's BERT on
 * exactly the same thing: the model with its new classification head before the first update (a Hugging Face model
 * directory), every training micro-batch of every epoch in the trainer's order, and the test split's batches.
 *
 * <p>Usage, from the repository root after {@code ./bertadapt --help} has built the classes:
 * <pre>
 * java -cp "target/classes:$(cat target/runtime-classpath.txt)" bench/FineTuneTrace.java \
 *     MODEL_DIR DATASET EPOCHS MICRO_BATCH MAX_LENGTH SEED OUTPUT_DIR
 * </pre>
 * The arguments mean what {@code finetune}'s {@code --model}, {@code --dataset}, {@code --epochs},
 * {@code --micro-batch-size}, {@code --max-length} and {@code --seed} do.
 */
public final class FineTuneTrace {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TEST_BATCH = 32;

    public static void main(String[] args) throws IOException {
        if (args.length != 7) {
            System.err.println("usage: FineTuneTrace MODEL_DIR DATASET EPOCHS MICRO_BATCH MAX_LENGTH SEED OUTPUT_DIR");
            System.exit(2);
        }
        Path modelDirectory = Path.of(args[0]);
        String datasetName = args[1];
        int epochs = Integer.parseInt(args[2]);
        int microBatch = Integer.parseInt(args[3]);
        int maxLength = Integer.parseInt(args[4]);
        long seed = Long.parseLong(args[5]);
        Path output = Path.of(args[6]);
        Files.createDirectories(output);

        Path datasets = Path.of(System.getenv().getOrDefault("BERTADAPT_DATASETS", "datasets"));
        LabelledDataset dataset = DatasetRegistry.load(datasetName, datasets);
        ClassificationTask.Data train = FineTuning.data(dataset.split(Split.TRAIN), dataset.labels());
        ClassificationTask.Data test = FineTuning.data(dataset.split(Split.TEST), dataset.labels());
        ClassificationTask.Options options = new ClassificationTask.Options(dataset.labels().size(),
                Heads.ClassifierType.LINEAR, maxLength, microBatch, Freezing.NONE, false, false, seed);

        try (ClassificationTask task = new ClassificationTask(modelDirectory, options, dataset.labels(), train, test);
             BufferedWriter out = Files.newBufferedWriter(output.resolve("train.jsonl"), StandardCharsets.UTF_8)) {
            task.saveModel(output.resolve("initial"));
            for (int epoch = 0; epoch < epochs; epoch++) {
                for (Iterator<TrainingTask.Batch> batches = task.batches(epoch, seed); batches.hasNext(); ) {
                    Map<String, INDArray> feed = batches.next().feed();
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("epoch", epoch);
                    for (String name : List.of(Bert.INPUT_IDS, Bert.TOKEN_TYPE_IDS, Bert.ATTENTION_MASK)) {
                        line.put(name, feed.get(name).toIntMatrix());
                    }
                    line.put("labels", feed.get(Heads.LABELS).toIntVector());
                    out.write(JSON.writeValueAsString(line));
                    out.newLine();
                }
            }
        }

        ModelDirectory source = ModelDirectory.read(modelDirectory);
        try (BertTokenizer tokenizer = BertTokenizer.fromModelDirectory(modelDirectory, source.doLowerCase());
             BufferedWriter out = Files.newBufferedWriter(output.resolve("test.jsonl"), StandardCharsets.UTF_8)) {
            List<EncodedText> encoded = test.texts().stream().map(text -> tokenizer.encode(text, maxLength)).toList();
            for (int start = 0; start < encoded.size(); start += TEST_BATCH) {
                int end = Math.min(encoded.size(), start + TEST_BATCH);
                EncodedBatch batch = EncodedBatch.pad(encoded.subList(start, end), tokenizer.padTokenId());
                Map<String, Object> line = new LinkedHashMap<>();
                line.put(Bert.INPUT_IDS, rows(batch.inputIds(), batch.sequenceLength()));
                line.put(Bert.TOKEN_TYPE_IDS, rows(batch.tokenTypeIds(), batch.sequenceLength()));
                line.put(Bert.ATTENTION_MASK, rows(batch.attentionMask(), batch.sequenceLength()));
                line.put("labels", Arrays.copyOfRange(test.labels(), start, end));
                out.write(JSON.writeValueAsString(line));
                out.newLine();
            }
        }
    }

    private static int[][] rows(int[] flat, int length) {
        int[][] rows = new int[flat.length / length][];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = Arrays.copyOfRange(flat, r * length, (r + 1) * length);
        }
        return rows;
    }
}
