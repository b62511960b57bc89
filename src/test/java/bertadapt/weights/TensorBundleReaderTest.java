package bertadapt.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundle reader against small bundles written by {@link TestBundles}; the real checkpoint is in EasyBertCheckpointTest. */
class TensorBundleReaderTest {
    @TempDir
    Path dir;
    Path prefix;
    Path index;
    Path data;

    static final Tensor KERNEL = new Tensor(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
    static final Tensor BIAS = new Tensor(new long[] {3}, new float[] {-0.5f, 0f, 1e-7f});
    static final Tensor SCALAR = new Tensor(new long[0], new float[] {42f});

    @BeforeEach
    void writeBundle() throws IOException {
        prefix = dir.resolve("variables");
        index = dir.resolve("variables.index");
        data = dir.resolve("variables.data-00000-of-00001");
        // Keys share prefixes, so the reader's prefix decompression is exercised.
        TestBundles.write(prefix, Map.of("layer/dense/kernel", KERNEL, "layer/dense/bias", BIAS, "scale", SCALAR));
    }

    @Test
    void readsFloatTensorsInKeyOrderAndListsSkippedEntries() throws IOException {
        TensorBundleReader.Contents contents = TensorBundleReader.readAll(prefix);
        assertEquals(List.of("layer/dense/bias", "layer/dense/kernel", "scale"), List.copyOf(contents.tensors().keySet()));
        assertEquals(KERNEL, contents.tensors().get("layer/dense/kernel"));
        assertEquals(BIAS, contents.tensors().get("layer/dense/bias"));
        assertEquals(SCALAR, contents.tensors().get("scale"));
        assertEquals(List.of("global_step (DT_INT64 [])"), contents.skipped());
    }

    @Test
    void shapesNeedOnlyTheIndex() throws IOException {
        Files.delete(data);
        Map<String, long[]> shapes = TensorBundleReader.shapes(prefix);
        assertEquals(List.of("layer/dense/bias", "layer/dense/kernel", "scale"), List.copyOf(shapes.keySet()));
        assertArrayEquals(new long[] {2, 3}, shapes.get("layer/dense/kernel"));
        assertArrayEquals(new long[0], shapes.get("scale"));
    }

    @Test
    void acceptsTheIndexFileAndTheSavedModelDirectory() throws IOException {
        assertEquals(KERNEL, TensorBundleReader.read(index).get("layer/dense/kernel"));
        Path savedModel = dir.resolve("saved");
        Files.createDirectories(savedModel.resolve("variables"));
        TestBundles.write(savedModel.resolve("variables/variables"), Map.of("x", BIAS));
        assertEquals(BIAS, TensorBundleReader.read(savedModel).get("x"));
    }

    @Test
    void readsTensorsFromSeveralShards() throws IOException {
        Path p = dir.resolve("sharded");
        byte[] a = {0, 0, (byte) 0x80, 0x3f}; // 1.0f little-endian
        byte[] b = {0, 0, 0, 0x40, 0, 0, 0x40, 0x40}; // 2.0f, 3.0f
        Files.write(Path.of(p + ".data-00000-of-00002"), a);
        Files.write(Path.of(p + ".data-00001-of-00002"), b);
        SortedMap<String, byte[]> entries = new TreeMap<>();
        entries.put("", TestBundles.header(2));
        entries.put("a", TestBundles.entry(TestBundles.DT_FLOAT, new long[] {1}, 0, 0, 4, TestBundles.crc(a)));
        entries.put("b", TestBundles.entry(TestBundles.DT_FLOAT, new long[] {2}, 1, 0, 8, TestBundles.crc(b)));
        Files.write(Path.of(p + ".index"), TestBundles.table(entries));
        Map<String, Tensor> tensors = TensorBundleReader.read(p);
        assertArrayEquals(new float[] {1f}, tensors.get("a").values());
        assertArrayEquals(new float[] {2f, 3f}, tensors.get("b").values());
    }

    @Test
    void missingIndexNamesTheExpectedFile() {
        IOException e = assertThrows(IOException.class, () -> TensorBundleReader.read(dir.resolve("nothing")));
        assertTrue(e.getMessage().contains("nothing.index"), e.getMessage());
    }

    @Test
    void missingDataFileNamesTheShard() throws IOException {
        Files.delete(data);
        IOException e = assertThrows(IOException.class, () -> TensorBundleReader.read(prefix));
        assertTrue(e.getMessage().contains(data.toString()), e.getMessage());
    }

    @Test
    void badMagicIsReported() throws IOException {
        patch(index, Files.size(index) - 1, 0x00);
        IOException e = assertThrows(IOException.class, () -> TensorBundleReader.shapes(prefix));
        assertTrue(e.getMessage().contains(index.toString()) && e.getMessage().contains("magic"), e.getMessage());
    }

    @Test
    void truncatedIndexIsReported() throws IOException {
        byte[] bytes = Files.readAllBytes(index);
        Files.write(index, java.util.Arrays.copyOf(bytes, 20));
        IOException e = assertThrows(IOException.class, () -> TensorBundleReader.shapes(prefix));
        assertTrue(e.getMessage().contains(index.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void truncatedDataFileNamesFileAndTensor() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(data.toFile(), "rw")) {
            f.setLength(16); // bias (12 bytes) fits, kernel (24 bytes at offset 12) does not
        }
        IOException e = assertThrows(IOException.class, () -> TensorBundleReader.read(prefix));
        assertTrue(e.getMessage().contains(data.toString()) && e.getMessage().contains("layer/dense/kernel")
                && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void corruptedDataFailsTheCrcCheck() throws IOException {
        patch(data, 0, 0x7f); // first byte of layer/dense/bias
        IOException e = assertThrows(IOException.class, () -> TensorBundleReader.read(prefix));
        assertTrue(e.getMessage().contains("CRC32C") && e.getMessage().contains("layer/dense/bias"), e.getMessage());
    }

    @Test
    void corruptedIndexBlockFailsTheCrcCheck() throws IOException {
        patch(index, 5, 'X'); // inside the first key of the data block
        IOException e = assertThrows(IOException.class, () -> TensorBundleReader.shapes(prefix));
        assertTrue(e.getMessage().contains(index.toString()) && e.getMessage().contains("CRC32C"), e.getMessage());
    }

    @Test
    void entrySizeMustMatchTheShape() throws IOException {
        SortedMap<String, byte[]> entries = new TreeMap<>();
        entries.put("", TestBundles.header(1));
        entries.put("w", TestBundles.entry(TestBundles.DT_FLOAT, new long[] {2, 2}, 0, 0, 12, 0));
        Files.write(index, TestBundles.table(entries));
        IOException e = assertThrows(IOException.class, () -> TensorBundleReader.read(prefix));
        assertTrue(e.getMessage().contains("w") && e.getMessage().contains("16 bytes"), e.getMessage());
    }

    @Test
    void compressedBlocksAreRejectedByName() throws IOException {
        SortedMap<String, byte[]> entries = new TreeMap<>();
        entries.put("", TestBundles.header(1));
        byte[] table = TestBundles.table(entries);
        table[TestBundles.header(1).length + 3 + 8] = 1; // type byte after the data block: entry (3 varints + value) + restarts
        Files.write(index, table);
        IOException e = assertThrows(IOException.class, () -> TensorBundleReader.shapes(prefix));
        assertTrue(e.getMessage().contains(index.toString()) && e.getMessage().contains("snappy"), e.getMessage());
    }

    private static void patch(Path file, long position, int value) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(position);
            f.write(value);
        }
    }
}
