package bertadapt.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import bertadapt.data.LabelVocabulary;
import bertadapt.data.Split;
import bertadapt.eval.ClassificationMetrics;
import bertadapt.model.Bert;
import bertadapt.model.Freezing;
import bertadapt.model.Heads;
import bertadapt.model.Layers;
import bertadapt.model.SameDiffFixes;
import bertadapt.text.BertTokenizer;
import bertadapt.text.EncodedBatch;
import bertadapt.text.EncodedText;
import bertadapt.text.TextInput;
import bertadapt.weights.Checkpoint;
import bertadapt.weights.ModelDirectory;

/**
 * Fine-tuning BERT with a classification head on single texts or text pairs.
 *
 * <p>Two graphs share the parameters' values: a training graph with dropout and an inference graph
 * without, used for evaluation and prediction. Batches are padded to their longest member and built
 * from examples of similar length, so little padding is computed.
 *
 * <p>When the whole encoder is frozen, each example is encoded once (inference mode) and only the head
 * trains, on the cached pooled outputs: the feature-based approach of Devlin et al., and many times
 * faster than running the frozen encoder every epoch.
 */
public final class ClassificationTask implements TrainingTask, AutoCloseable {

    /** Texts (or pairs) and their class ids. */
    public record Data(List<TextInput> texts, int[] labels) {
        public Data {
            if (texts.size() != labels.length) {
                throw new IllegalArgumentException(texts.size() + " texts but " + labels.length + " labels");
            }
        }
    }

    /**
     * @param freezeLayerCount {@link Freezing#NONE}, -1 (embeddings) or N (embeddings and layers 0..N-1)
     * @param freezeEncoder    freeze embeddings, every layer and the pooler: only the head trains
     * @param cacheFeatures    with a frozen encoder, encode each example once (in inference mode) and train the head
     *                         on the cached pooled outputs, instead of running the encoder (with dropout) every epoch
     * @param seed             seeds the new head's initial weights
     */
    public record Options(int numClasses, Heads.ClassifierHead head, int maxLength, int batchSize, int freezeLayerCount,
                          boolean freezeEncoder, boolean cacheFeatures, long seed) {

        /** Full fine-tuning of encoder and a linear head. */
        public static Options fineTuning(int numClasses, int maxLength, int batchSize) {
            return new Options(numClasses, Heads.ClassifierType.LINEAR, maxLength, batchSize, Freezing.NONE, false, false, 42);
        }

        /** A linear head on the frozen encoder's cached features. */
        public static Options frozenEncoder(int numClasses, int maxLength, int batchSize) {
            return new Options(numClasses, Heads.ClassifierType.LINEAR, maxLength, batchSize, Freezing.NONE, true, true, 42);
        }
    }

    /** The label vocabulary in a fine-tuned model's directory. */
    public static final String LABELS_FILE = "labels.json";
    private static final String POOLED = "pooled_features";
    /** Examples sorted by length within windows of this many batches, so batches stay varied across the epoch. */
    private static final int BUCKET_WINDOW = 50;

    private final Options options;
    private final ModelDirectory source;
    private final BertTokenizer tokenizer;
    private final LabelVocabulary labels;
    private final Bert training;
    private final Bert inference;
    private final Heads.Classifier trainingHead;
    private final Heads.Classifier inferenceHead;
    private final Data train;
    private final Data validation;
    private final Split validationSplit;
    private final List<EncodedText> trainEncoded;
    private final List<EncodedText> validationEncoded;
    /** Head-only graphs on cached features, when the encoder is frozen. */
    private final FeatureHead cached;

    private record FeatureHead(Layers training, Heads.Classifier trainingHead, Layers inference, Heads.Classifier inferenceHead,
                               INDArray trainFeatures, INDArray validationFeatures) {
    }

    /**
     * Loads a model directory, puts a new classification head on it and prepares the data.
     *
     * @param labels          the class names by id, saved with the model
     * @param validation      the examples each evaluation scores
     * @param validationSplit the split they come from: {@link Split#VALIDATION}, or {@link Split#TEST} for a dataset
     *                        without one
     */
    public ClassificationTask(Path modelDirectory, Options options, LabelVocabulary labels, Data train, Data validation,
                              Split validationSplit) throws IOException {
        if (labels.size() != options.numClasses()) {
            throw new IllegalArgumentException(labels.size() + " labels for " + options.numClasses() + " classes");
        }
        this.options = options;
        this.labels = labels;
        this.source = ModelDirectory.read(modelDirectory);
        this.tokenizer = BertTokenizer.fromModelDirectory(modelDirectory, source.doLowerCase());
        this.train = train;
        this.validation = validation;
        this.validationSplit = validationSplit;

        Nd4j.getRandom().setSeed(options.seed());
        training = new Bert(source.config(), DataType.FLOAT, true);
        trainingHead = Heads.classifier(training, options.numClasses(), options.head());
        Checkpoint.read(modelDirectory).loadInto(training.parameters());
        inference = new Bert(source.config(), DataType.FLOAT, false);
        inferenceHead = Heads.classifier(inference, options.numClasses(), options.head());
        copy(training.parameters(), inference.parameters());
        training.sd.setLossVariables(trainingHead.loss());

        if (options.freezeEncoder()) {
            Freezing.freezeEncoder(training);
        } else {
            Freezing.freezeLayerCount(training, options.freezeLayerCount());
        }
        trainEncoded = encode(train.texts());
        validationEncoded = encode(validation.texts());
        cached = options.freezeEncoder() && options.cacheFeatures() ? cacheFeatures() : null;
    }

    private List<EncodedText> encode(List<TextInput> texts) {
        return texts.stream().map(text -> tokenizer.encode(text, options.maxLength())).toList();
    }

    private FeatureHead cacheFeatures() {
        int h = source.config().hiddenSize();
        double dropout = source.config().hiddenDropout();
        Layers trainingLayers = new Layers(DataType.FLOAT, true, source.config().initializerRange());
        Heads.Classifier trainingHead = options.head().build(trainingLayers, trainingLayers.sd.placeHolder(POOLED, DataType.FLOAT, -1, h),
                h, dropout, options.numClasses());
        Layers inferenceLayers = new Layers(DataType.FLOAT, false, source.config().initializerRange());
        Heads.Classifier inferenceHeadOnFeatures = options.head().build(inferenceLayers,
                inferenceLayers.sd.placeHolder(POOLED, DataType.FLOAT, -1, h), h, dropout, options.numClasses());
        copy(training.parameters(), trainingLayers.parameters());
        trainingLayers.sd.setLossVariables(trainingHead.loss());
        return new FeatureHead(trainingLayers, trainingHead, inferenceLayers, inferenceHeadOnFeatures,
                pooled(trainEncoded), pooled(validationEncoded));
    }

    /** The encoder's pooled outputs [N, H] for encoded texts, in their order. */
    private INDArray pooled(List<EncodedText> texts) {
        INDArray out = Nd4j.create(DataType.FLOAT, texts.size(), source.config().hiddenSize());
        for (int[] batch : inOrderBatches(texts)) {
            Map<String, INDArray> feed = feed(inference, texts, batch);
            INDArray pooled = inference.sd.output(feed, inference.pooledOutput.name()).get(inference.pooledOutput.name());
            for (int row = 0; row < batch.length; row++) {
                out.putRow(batch[row], pooled.getRow(row));
            }
        }
        SameDiffFixes.freeArrays(inference.sd);
        return out;
    }

    @Override
    public Layers layers() {
        return cached != null ? cached.training() : training.layers;
    }

    @Override
    public String lossName() {
        return cached != null ? cached.trainingHead().loss().name() : trainingHead.loss().name();
    }

    @Override
    public List<String> trainable() {
        if (cached != null) {
            return new ArrayList<>(cached.training().parameters().keySet());
        }
        return Freezing.trainable(training);
    }

    @Override
    public int batchesPerEpoch() {
        return (train.labels().length + options.batchSize() - 1) / options.batchSize();
    }

    @Override
    public Iterator<Batch> batches(int epoch, long seed) {
        List<int[]> order = bucketedBatches(trainEncoded, options.batchSize(), new Random(seed * 31 + epoch));
        return order.stream().map(indices -> {
            Map<String, INDArray> feed = cached != null ? featureFeed(cached.trainFeatures(), indices) : feed(training, trainEncoded, indices);
            feed.put(Heads.LABELS, Nd4j.createFromArray(IntStream.of(indices).map(i -> train.labels()[i]).toArray()));
            return new Batch(feed, indices.length);
        }).iterator();
    }

    /**
     * Batches of examples of similar length: shuffle, sort by length within windows of
     * {@link #BUCKET_WINDOW} batches, cut into batches, then shuffle the batches.
     */
    static List<int[]> bucketedBatches(List<EncodedText> texts, int batchSize, Random random) {
        List<Integer> indices = new ArrayList<>(IntStream.range(0, texts.size()).boxed().toList());
        Collections.shuffle(indices, random);
        List<int[]> batches = new ArrayList<>();
        int window = batchSize * BUCKET_WINDOW;
        for (int start = 0; start < indices.size(); start += window) {
            List<Integer> chunk = new ArrayList<>(indices.subList(start, Math.min(indices.size(), start + window)));
            chunk.sort(Comparator.comparingInt(i -> texts.get(i).length()));
            for (int b = 0; b < chunk.size(); b += batchSize) {
                batches.add(chunk.subList(b, Math.min(chunk.size(), b + batchSize)).stream().mapToInt(Integer::intValue).toArray());
            }
        }
        Collections.shuffle(batches, random);
        return batches;
    }

    /** Batches in length order, for inference, where order does not matter and padding does. */
    private List<int[]> inOrderBatches(List<EncodedText> texts) {
        Integer[] order = IntStream.range(0, texts.size()).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingInt(i -> texts.get(i).length()));
        List<int[]> batches = new ArrayList<>();
        for (int b = 0; b < order.length; b += options.batchSize()) {
            batches.add(Arrays.stream(order, b, Math.min(order.length, b + options.batchSize())).mapToInt(Integer::intValue).toArray());
        }
        return batches;
    }

    private Map<String, INDArray> feed(Bert bert, List<EncodedText> texts, int[] indices) {
        List<EncodedText> rows = IntStream.of(indices).mapToObj(texts::get).toList();
        // Rows are already cut to maxLength, so the rounded length is never shorter than the longest row.
        int length = EncodedBatch.paddedSize(EncodedBatch.longest(rows), options.maxLength());
        EncodedBatch batch = EncodedBatch.padTo(rows, tokenizer.padTokenId(), length);
        return bert.inputs(batch.batchSize(), batch.sequenceLength(), batch.inputIds(), batch.tokenTypeIds(), batch.attentionMask());
    }

    private static Map<String, INDArray> featureFeed(INDArray features, int[] indices) {
        Map<String, INDArray> feed = new HashMap<>();
        feed.put(POOLED, features.getRows(indices));
        return feed;
    }

    @Override
    public String evaluatedOn() {
        return validationSplit.id();
    }

    /** A built-in head's name, else its class's; a lambda's class is named anew in every JVM, so its host's name. */
    private static String headName(Heads.ClassifierHead head) {
        if (head instanceof Enum<?> builtIn) {
            return builtIn.name();
        }
        Class<?> type = head.getClass();
        return type.isHidden() ? "a lambda in " + type.getNestHost().getName() : type.getName();
    }

    @Override
    public Map<String, Object> definition() {
        Map<String, Object> definition = new LinkedHashMap<>();
        definition.put("task", "classification");
        definition.put("labels", labels.names());
        definition.put("head", headName(options.head()));
        definition.put("max_length", options.maxLength());
        definition.put("batch_size", options.batchSize());
        definition.put("freeze_layer_count", options.freezeLayerCount());
        definition.put("freeze_encoder", options.freezeEncoder());
        definition.put("cache_features", options.cacheFeatures());
        definition.put("seed", options.seed());
        definition.put("training_data", Fingerprint.of(train));
        definition.put("evaluated_on", validationSplit.id());
        definition.put("evaluation_data", Fingerprint.of(validation));
        return definition;
    }

    @Override
    public Map<String, Double> evaluate() {
        float[][] probabilities = cached != null
                ? probabilitiesOfFeatures(cached.validationFeatures())
                : probabilities(validationEncoded);
        Map<String, Double> scores = new LinkedHashMap<>(
                ClassificationMetrics.of(validation.labels(), argmax(probabilities), options.numClasses()).asMap());
        double loss = 0;
        for (int i = 0; i < probabilities.length; i++) {
            loss -= Math.log(Math.max(probabilities[i][validation.labels()[i]], 1e-30));
        }
        scores.put("loss", loss / probabilities.length);
        return scores;
    }

    /** Class probabilities [N][C] for new texts, with the current parameters. */
    public float[][] predict(List<TextInput> texts) {
        return probabilities(encode(texts));
    }

    private float[][] probabilities(List<EncodedText> texts) {
        SameDiffFixes.freeArrays(training.sd); // the training passes' cached arrays (gigabytes for BERT-Base) idle meanwhile
        syncInferenceGraph();
        float[][] out = new float[texts.size()][];
        String name = inferenceHead.probabilities().name();
        for (int[] batch : inOrderBatches(texts)) {
            INDArray probabilities = inference.sd.output(feed(inference, texts, batch), name).get(name);
            for (int row = 0; row < batch.length; row++) {
                out[batch[row]] = probabilities.getRow(row).toFloatVector();
            }
        }
        SameDiffFixes.freeArrays(inference.sd); // training goes on after an evaluation: give it the memory
        return out;
    }

    private float[][] probabilitiesOfFeatures(INDArray features) {
        copy(cached.training().parameters(), cached.inference().parameters());
        String name = cached.inferenceHead().probabilities().name();
        INDArray probabilities = cached.inference().sd.output(Map.of(POOLED, features), name).get(name);
        return probabilities.toFloatMatrix();
    }

    /** Brings the inference graph (and, with cached features, the full model's head) up to date with training. */
    private void syncInferenceGraph() {
        if (cached != null) {
            copy(cached.training().parameters(), training.parameters());
        }
        copy(training.parameters(), inference.parameters());
    }

    /** The most likely class of each row of probabilities (ties go to the lowest id). */
    public static int[] argmax(float[][] probabilities) {
        int[] out = new int[probabilities.length];
        for (int i = 0; i < probabilities.length; i++) {
            for (int c = 1; c < probabilities[i].length; c++) {
                if (probabilities[i][c] > probabilities[i][out[i]]) {
                    out[i] = c;
                }
            }
        }
        return out;
    }

    /** Copies every parameter of {@code from} that {@code to} also has. */
    private static void copy(Map<String, INDArray> from, Map<String, INDArray> to) {
        to.forEach((name, target) -> {
            INDArray value = from.get(name);
            if (value != null) {
                target.assign(value);
            }
        });
    }

    @Override
    public void saveModel(Path directory) throws IOException {
        syncInferenceGraph();
        Checkpoint.write(training.parameters(), source.config(), source.vocab(), source.doLowerCase(),
                directory, Map.of(LABELS_FILE, labels.toJson()));
    }

    @Override
    public void loadModel(Path directory) throws IOException {
        Checkpoint.read(directory).loadInto(training.parameters());
        if (cached != null) {
            copy(training.parameters(), cached.training().parameters());
        }
        copy(training.parameters(), inference.parameters());
    }

    /** The full training graph's parameters (encoder and head). */
    public Map<String, INDArray> parameters() {
        syncInferenceGraph();
        return training.parameters();
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
