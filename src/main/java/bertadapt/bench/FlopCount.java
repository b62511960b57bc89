package bertadapt.bench;

import bertadapt.model.BertConfig;

/**
 * Matrix-product FLOPs of one benchmark step, counting a multiply-add as 2 FLOPs. Element-wise work (GELU,
 * LayerNorm, softmax, dropout, the optimiser) is left out: it is small next to the products, and leaving it
 * out is how achieved FLOP/s are usually quoted, so the figure compares with a machine's sgemm rate.
 *
 * <p>Every sequence is counted at its padded length T: the graph computes the padding too.
 *
 * @param batch   B, sequences per step
 * @param length  T, padded sequence length
 * @param masked  P, masked positions per sequence, where the masked-LM head runs
 * @param classes C, classes of the classifier head
 */
public record FlopCount(BertConfig config, int batch, int length, int masked, int classes) {

    /** One encoder layer's forward pass over the n = B*T token rows. */
    public long layerForward() {
        long n = (long) batch * length;
        long h = config.hiddenSize();
        long projections = 4 * 2 * n * h * h;                          // query, key, value, output: [n, H] x [H, H]
        long feedForward = 2 * 2 * n * h * config.intermediateSize();  // [n, H] x [H, I], then [n, I] x [I, H]
        long attention = 2 * 2 * n * length * h;                       // per head [T, D] x [D, T] and [T, T] x [T, D]; N heads x D = H
        return projections + feedForward + attention;
    }

    /** Encoder and pooler forward, what inference computes. */
    public long encoderForward() {
        long h = config.hiddenSize();
        long pooler = 2L * batch * h * h;                              // [B, H] x [H, H]
        return config.numLayers() * layerForward() + pooler;
    }

    /** Classifier and masked-LM heads, on top of the encoder. */
    public long headsForward() {
        long h = config.hiddenSize();
        long m = (long) batch * masked;
        long classifier = 2L * batch * h * classes;                    // [B, H] x [H, C]
        long transform = 2 * m * h * h;                                // [M, H] x [H, H]
        long decoder = 2 * m * h * config.vocabSize();                 // [M, H] x [H, V]
        return classifier + transform + decoder;
    }

    /** A training step of the whole model: the backward pass does two products (input and weight gradients) per forward one. */
    public long trainingStep() {
        return 3 * (encoderForward() + headsForward());
    }

    /**
     * A training step with the embeddings and the bottom {@code frozenLayers} layers frozen: the frozen layers
     * only run forward. It counts the backward pass of everything above as in {@link #trainingStep}, a slight
     * overcount: the tied decoder weight is frozen with the embeddings, and the lowest trainable layer needs
     * no input gradient.
     */
    public long frozenTrainingStep(int frozenLayers) {
        long trainable = encoderForward() + headsForward() - frozenLayers * layerForward();
        return frozenLayers * layerForward() + 3 * trainable;
    }
}
