package bertadapt.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Reads a LevelDB-style sorted string table, the format of a TensorFlow bundle's {@code .index} file:
 * data blocks of prefix-compressed entries, an index block pointing at them, and a 48-byte footer.
 */
final class SSTable {
    static final long MAGIC = 0xdb4775248b80fb57L;
    static final int FOOTER_SIZE = 48;
    /** Each block is followed by a compression-type byte and a masked CRC32C. */
    static final int BLOCK_TRAILER_SIZE = 5;
    private static final int UNCOMPRESSED = 0;
    private static final int SNAPPY = 1;
    private static final int CRC_MASK_DELTA = 0xa282ead8;

    private final Path file;
    private final ByteBuffer bytes;

    private SSTable(Path file, byte[] content) {
        this.file = file;
        this.bytes = ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** All key/value pairs of the table, in key order. */
    static Map<String, byte[]> readAll(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "table file not found");
        }
        return new SSTable(file, Files.readAllBytes(file)).entries();
    }

    /**
     * TensorFlow and LevelDB store CRCs "masked" so that a CRC computed over data that itself
     * contains CRCs stays well distributed.
     */
    static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + CRC_MASK_DELTA;
    }

    private Map<String, byte[]> entries() throws IOException {
        int length = bytes.capacity();
        if (length < FOOTER_SIZE) {
            throw corrupt("file is " + length + " bytes, shorter than the " + FOOTER_SIZE + "-byte footer (truncated?)");
        }
        long magic = bytes.getLong(length - 8);
        if (magic != MAGIC) {
            throw corrupt(String.format("bad magic number 0x%016x at the end, expected 0x%016x (not a table, or truncated)",
                    magic, MAGIC));
        }
        Cursor footer = new Cursor(bytes.duplicate().position(length - FOOTER_SIZE).limit(length - 8).slice(), "footer");
        footer.readHandle(); // metaindex: TensorFlow writes none that matter here
        Handle indexHandle = footer.readHandle();

        Map<String, byte[]> result = new LinkedHashMap<>();
        for (byte[] handleBytes : readBlock(indexHandle, "index block").values()) {
            Handle dataHandle = new Cursor(ByteBuffer.wrap(handleBytes), "index block entry").readHandle();
            result.putAll(readBlock(dataHandle, "data block at offset " + dataHandle.offset));
        }
        return result;
    }

    private Map<String, byte[]> readBlock(Handle handle, String what) throws IOException {
        long end = handle.offset + handle.size + BLOCK_TRAILER_SIZE;
        if (handle.offset < 0 || handle.size < 0 || end > bytes.capacity()) {
            throw corrupt(what + " [" + handle.offset + ", +" + handle.size + "] plus trailer ends at byte " + end
                    + ", past the end of the " + bytes.capacity() + "-byte file (truncated?)");
        }
        int start = (int) handle.offset;
        int size = (int) handle.size;
        int type = bytes.get(start + size) & 0xff;
        if (type != UNCOMPRESSED) {
            String name = type == SNAPPY ? "snappy" : "unknown (" + type + ")";
            throw corrupt(what + " uses " + name + " compression; only uncompressed blocks (type 0) are supported");
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes.array(), start, size + 1); // the CRC covers the contents and the type byte
        int expectedCrc = bytes.getInt(start + size + 1);
        if (mask((int) crc.getValue()) != expectedCrc) {
            throw corrupt(what + " fails its CRC32C check (corrupted file)");
        }
        return parseBlock(bytes.duplicate().position(start).limit(start + size).slice().order(ByteOrder.LITTLE_ENDIAN), what);
    }

    /**
     * A block holds entries (shared key prefix length, unshared length, value length, key suffix, value),
     * then an array of restart offsets and its count. Reading sequentially only needs the count to know
     * where the entries end.
     */
    private Map<String, byte[]> parseBlock(ByteBuffer block, String what) throws IOException {
        int size = block.capacity();
        if (size < 4) {
            throw corrupt(what + " is " + size + " bytes, too short for its restart count");
        }
        long numRestarts = Integer.toUnsignedLong(block.getInt(size - 4));
        long entriesEnd = size - 4 - 4 * numRestarts;
        if (entriesEnd < 0) {
            throw corrupt(what + " claims " + numRestarts + " restart points, more than fit in " + size + " bytes");
        }
        Cursor cursor = new Cursor(block.limit((int) entriesEnd), what);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        byte[] key = new byte[0];
        while (cursor.hasMore()) {
            long shared = cursor.readVarint("shared key length");
            if (shared > key.length) {
                throw corrupt(what + ": entry shares " + shared + " key bytes with a previous key of " + key.length);
            }
            int unshared = cursor.readLength("unshared key length");
            int valueLength = cursor.readLength("value length");
            byte[] next = Arrays.copyOf(key, (int) shared + unshared);
            cursor.readBytes(next, (int) shared, unshared);
            byte[] value = new byte[valueLength];
            cursor.readBytes(value, 0, valueLength);
            key = next;
            entries.put(new String(key, StandardCharsets.UTF_8), value);
        }
        return entries;
    }

    private IOException corrupt(String what) {
        return new IOException(file + ": not a valid TensorFlow index table: " + what);
    }

    private record Handle(long offset, long size) {}

    /** Sequential reader of LevelDB varints and byte runs inside one region. */
    private final class Cursor {
        private final ByteBuffer buffer;
        private final String what;

        Cursor(ByteBuffer buffer, String what) {
            this.buffer = buffer;
            this.what = what;
        }

        boolean hasMore() {
            return buffer.hasRemaining();
        }

        Handle readHandle() throws IOException {
            return new Handle(readVarint("block offset"), readVarint("block size"));
        }

        int readLength(String field) throws IOException {
            long value = readVarint(field);
            if (value > buffer.remaining()) {
                throw corrupt(what + ": " + field + " " + value + " exceeds the " + buffer.remaining() + " bytes left");
            }
            return (int) value;
        }

        void readBytes(byte[] into, int offset, int length) throws IOException {
            if (length > buffer.remaining()) {
                throw corrupt(what + ": needs " + length + " bytes, only " + buffer.remaining() + " left");
            }
            buffer.get(into, offset, length);
        }

        long readVarint(String field) throws IOException {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (!buffer.hasRemaining()) {
                    throw corrupt(what + ": " + field + " runs past the end");
                }
                byte b = buffer.get();
                result |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return result;
                }
            }
            throw corrupt(what + ": " + field + " is not a valid varint");
        }
    }
}
