package bertadapt.weights;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/** Writes tiny TensorFlow V2 bundles for tests: one data block with prefix-compressed keys, one index block. */
final class TestBundles {
    static final int DT_FLOAT = 1;
    static final int DT_INT64 = 9;

    private TestBundles() {}

    /**
     * A single-shard bundle with the given float tensors plus an int64 {@code global_step}. Data is laid
     * out in key order (not the map's, which for Map.of varies between JVM runs), so tests can corrupt
     * a known tensor by offset.
     */
    static void write(Path prefix, Map<String, Tensor> floats) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        SortedMap<String, byte[]> index = new TreeMap<>();
        index.put("", header(1));
        for (Map.Entry<String, Tensor> e : new TreeMap<>(floats).entrySet()) {
            float[] values = e.getValue().values();
            ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(values);
            index.put(e.getKey(), entry(DT_FLOAT, e.getValue().shape(), 0, data.size(), bytes.capacity(), crc(bytes.array())));
            data.write(bytes.array());
        }
        byte[] step = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array();
        index.put("global_step", entry(DT_INT64, new long[0], 0, data.size(), 8, crc(step)));
        data.write(step);
        Files.write(Path.of(prefix + ".data-00000-of-00001"), data.toByteArray());
        Files.write(Path.of(prefix + ".index"), table(index));
    }

    static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return SSTable.mask((int) crc.getValue());
    }

    static byte[] header(int numShards) {
        Proto p = new Proto();
        p.varint(1, numShards);
        return p.bytes();
    }

    static byte[] entry(int dtype, long[] shape, int shard, long offset, long size, int crc) {
        Proto shapeProto = new Proto();
        for (long dim : shape) {
            Proto d = new Proto();
            d.varint(1, dim);
            shapeProto.message(2, d.bytes());
        }
        Proto p = new Proto();
        p.varint(1, dtype);
        p.message(2, shapeProto.bytes());
        if (shard != 0) {
            p.varint(3, shard);
        }
        p.varint(4, offset);
        p.varint(5, size);
        p.tag(6, 5);
        p.out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(crc).array());
        return p.bytes();
    }

    /** Data block, empty metaindex block, index block, footer. */
    static byte[] table(SortedMap<String, byte[]> entries) {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        long[] data = appendBlock(file, block(entries));
        long[] meta = appendBlock(file, block(new TreeMap<>()));
        Proto dataHandle = new Proto();
        dataHandle.raw(data[0]);
        dataHandle.raw(data[1]);
        long[] index = appendBlock(file, block(new TreeMap<>(Map.of(entries.lastKey(), dataHandle.bytes()))));
        Proto footer = new Proto();
        for (long v : new long[] {meta[0], meta[1], index[0], index[1]}) {
            footer.raw(v);
        }
        byte[] handles = footer.bytes();
        ByteBuffer tail = ByteBuffer.allocate(SSTable.FOOTER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        tail.put(handles).position(40);
        tail.putLong(SSTable.MAGIC);
        file.writeBytes(tail.array());
        return file.toByteArray();
    }

    private static long[] appendBlock(ByteArrayOutputStream file, byte[] contents) {
        long offset = file.size();
        file.writeBytes(contents);
        byte[] withType = java.util.Arrays.copyOf(contents, contents.length + 1); // type 0: uncompressed
        file.write(0);
        file.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(crc(withType)).array());
        return new long[] {offset, contents.length};
    }

    private static byte[] block(SortedMap<String, byte[]> entries) {
        Proto p = new Proto();
        byte[] previous = new byte[0];
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            byte[] key = e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int shared = 0;
            while (shared < Math.min(key.length, previous.length) && key[shared] == previous[shared]) {
                shared++;
            }
            p.raw(shared);
            p.raw(key.length - shared);
            p.raw(e.getValue().length);
            p.out.write(key, shared, key.length - shared);
            p.out.writeBytes(e.getValue());
            previous = key;
        }
        // One restart point at offset 0, which is all a sequential reader needs.
        p.out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(1).array());
        return p.bytes();
    }

    /** Protobuf / LevelDB varint writer. */
    static final class Proto {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();

        void raw(long value) {
            while ((value & ~0x7fL) != 0) {
                out.write((int) ((value & 0x7f) | 0x80));
                value >>>= 7;
            }
            out.write((int) value);
        }

        void tag(int field, int wireType) {
            raw((long) field << 3 | wireType);
        }

        void varint(int field, long value) {
            tag(field, 0);
            raw(value);
        }

        void message(int field, byte[] bytes) {
            tag(field, 2);
            raw(bytes.length);
            out.writeBytes(bytes);
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
