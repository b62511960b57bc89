package bertadapt.train;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import bertadapt.pretrain.PretrainingInstance;
import bertadapt.text.TextInput;

/**
 * A SHA-256 over a task's data, so that a run's {@link RunDefinition} changes when its examples do (another split
 * seed, subset or file) without the definition holding the data itself. Every value is written with its length, so
 * two different sequences of values never hash the same bytes.
 */
final class Fingerprint {

    private final MessageDigest sha256;

    Fingerprint() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Texts and class ids in order. */
    static String of(ClassificationTask.Data data) {
        Fingerprint fingerprint = new Fingerprint();
        for (int i = 0; i < data.texts().size(); i++) {
            TextInput text = data.texts().get(i);
            fingerprint.add(text.textA()).add(text.textB()).add(data.labels()[i]);
        }
        return fingerprint.hex();
    }

    static String of(List<PretrainingInstance> instances) {
        Fingerprint fingerprint = new Fingerprint();
        instances.forEach(fingerprint::add);
        return fingerprint.hex();
    }

    /** Tokens, segments, masked positions and labels, and the next-sentence label. */
    Fingerprint add(PretrainingInstance instance) {
        return add(instance.tokenIds()).add(instance.segmentIds()).add(instance.maskedPositions())
                .add(instance.maskedLabels()).add(instance.isRandomNext() ? 1 : 0);
    }

    /** The first 16 bytes, as hex: enough to tell data apart, short enough to read in an error message. */
    String hex() {
        return HexFormat.of().formatHex(sha256.digest(), 0, 16);
    }

    private Fingerprint add(String text) {
        if (text == null) {
            return add(-1);
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        add(bytes.length);
        sha256.update(bytes);
        return this;
    }

    private Fingerprint add(int value) {
        sha256.update(ByteBuffer.allocate(Integer.BYTES).putInt(value).array());
        return this;
    }

    private Fingerprint add(int[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(Integer.BYTES * (values.length + 1)).putInt(values.length);
        for (int value : values) {
            bytes.putInt(value);
        }
        sha256.update(bytes.array());
        return this;
    }
}
