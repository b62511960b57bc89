package bertadapt.weights;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Reads a TensorFlow V2 checkpoint ("tensor bundle"): {@code <prefix>.index}, a sorted table of
 * {@code BundleEntryProto}s, and {@code <prefix>.data-NNNNN-of-MMMMM} shard files holding the raw
 * tensor bytes. Only float32 tensors are loaded; other entries (such as the int64
 * {@code global_step}) are skipped and listed in {@link Contents#skipped()}.
 */
public final class TensorBundleReader {
    private static final int DT_FLOAT = 1;
    private static final int LITTLE_ENDIAN = 0;
    private static final Map<Integer, String> DTYPE_NAMES = Map.ofEntries(
            Map.entry(1, "DT_FLOAT"), Map.entry(2, "DT_DOUBLE"), Map.entry(3, "DT_INT32"), Map.entry(4, "DT_UINT8"),
            Map.entry(5, "DT_INT16"), Map.entry(6, "DT_INT8"), Map.entry(7, "DT_STRING"), Map.entry(9, "DT_INT64"),
            Map.entry(10, "DT_BOOL"), Map.entry(14, "DT_BFLOAT16"), Map.entry(19, "DT_HALF"));

    private TensorBundleReader() {}

    /** The float tensors of a bundle in key order, and a description of each entry that was skipped. */
    public record Contents(Map<String, Tensor> tensors, List<String> skipped) {}

    /**
     * Reads every float32 tensor of the bundle at {@code prefix} (for a SavedModel,
     * {@code <dir>/variables/variables}; the {@code .index} file or the SavedModel directory are accepted too).
     *
     * @return a LinkedHashMap in checkpoint key order
     */
    public static Map<String, Tensor> read(Path prefix) throws IOException {
        return readAll(prefix).tensors();
    }

    /** Like {@link #read(Path)}, but also says which non-float entries were skipped. */
    public static Contents readAll(Path prefix) throws IOException {
        Bundle bundle = Bundle.open(prefix);
        Map<String, FileChannel> shards = new HashMap<>();
        try {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry entry : bundle.floatEntries()) {
                tensors.put(entry.name, readTensor(bundle, entry, shards));
            }
            return new Contents(tensors, bundle.skipped());
        } finally {
            for (FileChannel channel : shards.values()) {
                channel.close();
            }
        }
    }

    /** The shapes of the float32 tensors ({@link #read(Path)}'s names), from the index file alone. */
    public static Map<String, long[]> shapes(Path prefix) throws IOException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        for (Entry entry : Bundle.open(prefix).floatEntries()) {
            shapes.put(entry.name, entry.shape.clone());
        }
        return shapes;
    }

    private static Tensor readTensor(Bundle bundle, Entry entry, Map<String, FileChannel> open) throws IOException {
        Path file = bundle.shardFile(entry);
        FileChannel channel = open.get(file.toString());
        if (channel == null) {
            if (!Files.isRegularFile(file)) {
                throw new NoSuchFileException(file.toString(), null, "data shard " + entry.shardId + " of "
                        + bundle.numShards + " not found; tensor " + entry.name + " is stored there");
            }
            channel = FileChannel.open(file, StandardOpenOption.READ);
            open.put(file.toString(), channel);
        }
        long numel = Tensor.numel(entry.shape);
        if (numel > Integer.MAX_VALUE) {
            throw new IOException(file + ": tensor " + entry.name + " has " + numel + " elements, more than a Java array holds");
        }
        if (entry.size != numel * Float.BYTES) {
            throw new IOException(bundle.index + ": tensor " + entry.name + " of shape " + Arrays.toString(entry.shape)
                    + " should take " + numel * Float.BYTES + " bytes as float32, but its entry says " + entry.size);
        }
        long fileSize = channel.size();
        if (entry.offset < 0 || entry.offset + entry.size > fileSize) {
            throw new IOException(file + ": tensor " + entry.name + " lies at bytes [" + entry.offset + ", "
                    + (entry.offset + entry.size) + "), past the end of the " + fileSize + "-byte file (truncated?)");
        }
        float[] values = new float[(int) numel];
        if (entry.size > 0) {
            // Mapping avoids copying the 440 MB file through a heap buffer; each tensor is under 2 GB.
            MappedByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, entry.offset, entry.size);
            if (entry.crc32c != null) {
                CRC32C crc = new CRC32C();
                crc.update(data.duplicate());
                int actual = SSTable.mask((int) crc.getValue());
                if (actual != entry.crc32c) {
                    throw new IOException(String.format("%s: tensor %s fails its CRC32C check (stored 0x%08x, computed 0x%08x); "
                            + "the data file is corrupted or does not belong to this index", file, entry.name, entry.crc32c, actual));
                }
            }
            data.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        }
        return new Tensor(entry.shape, values);
    }

    /** One decoded BundleEntryProto. {@code crc32c} is null when the writer stored none. */
    private record Entry(String name, int dtype, long[] shape, int shardId, long offset, long size, Integer crc32c,
                         boolean partitioned) {}

    /** The decoded index: header fields and all entries. */
    private record Bundle(Path prefix, Path index, int numShards, List<Entry> entries) {

        static Bundle open(Path given) throws IOException {
            Path prefix = resolvePrefix(given);
            Path index = sibling(prefix, ".index");
            if (!Files.isRegularFile(index)) {
                throw new NoSuchFileException(index.toString(), null,
                        "TensorFlow checkpoint index not found; expected <prefix>.index for prefix " + prefix);
            }
            Map<String, byte[]> table = SSTable.readAll(index);
            byte[] header = table.get("");
            if (header == null) {
                throw new IOException(index + ": no bundle header (entry with empty key); not a TensorFlow V2 checkpoint");
            }
            int numShards = readHeader(header, index);
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<String, byte[]> e : table.entrySet()) {
                if (!e.getKey().isEmpty()) {
                    Entry entry = readEntry(e.getKey(), e.getValue(), index);
                    if (entry.shardId < 0 || entry.shardId >= numShards) {
                        throw new IOException(index + ": tensor " + entry.name + " is in shard " + entry.shardId
                                + ", but the header declares " + numShards + " shard(s)");
                    }
                    entries.add(entry);
                }
            }
            return new Bundle(prefix, index, numShards, entries);
        }

        List<Entry> floatEntries() throws IOException {
            List<Entry> floats = new ArrayList<>();
            for (Entry entry : entries) {
                if (entry.dtype == DT_FLOAT) {
                    if (entry.partitioned) {
                        throw new IOException(index + ": tensor " + entry.name
                                + " is a partitioned variable (stored as slices), which is not supported");
                    }
                    floats.add(entry);
                }
            }
            return floats;
        }

        List<String> skipped() {
            List<String> skipped = new ArrayList<>();
            for (Entry entry : entries) {
                if (entry.dtype != DT_FLOAT) {
                    skipped.add(entry.name + " (" + DTYPE_NAMES.getOrDefault(entry.dtype, "dtype " + entry.dtype) + " "
                            + Arrays.toString(entry.shape) + ")");
                }
            }
            return skipped;
        }

        Path shardFile(Entry entry) {
            return sibling(prefix, String.format(".data-%05d-of-%05d", entry.shardId, numShards));
        }
    }

    private static Path resolvePrefix(Path given) {
        String name = given.getFileName() == null ? "" : given.getFileName().toString();
        if (name.endsWith(".index")) {
            return given.resolveSibling(name.substring(0, name.length() - ".index".length()));
        }
        Path savedModelVariables = given.resolve("variables").resolve("variables");
        if (Files.isDirectory(given) && Files.isRegularFile(sibling(savedModelVariables, ".index"))) {
            return savedModelVariables;
        }
        return given;
    }

    private static Path sibling(Path prefix, String suffix) {
        return prefix.resolveSibling(prefix.getFileName() + suffix);
    }

    /** BundleHeaderProto: 1 num_shards, 2 endianness, 3 version. Returns the shard count. */
    private static int readHeader(byte[] bytes, Path index) throws IOException {
        ProtoReader proto = new ProtoReader(bytes, index + " bundle header");
        long numShards = 1;
        long endianness = LITTLE_ENDIAN;
        while (proto.hasMore()) {
            switch (proto.nextField()) {
                case 1 -> numShards = proto.readInt("num_shards");
                case 2 -> endianness = proto.readInt("endianness");
                default -> proto.skipField();
            }
        }
        if (endianness != LITTLE_ENDIAN) {
            throw new IOException(index + ": checkpoint was written big-endian; only little-endian bundles are supported");
        }
        if (numShards < 1 || numShards > 99_999) {
            throw new IOException(index + ": bundle header declares " + numShards + " shards, expected 1 to 99999");
        }
        return (int) numShards;
    }

    /** BundleEntryProto: 1 dtype, 2 shape, 3 shard_id, 4 offset, 5 size, 6 crc32c (fixed32), 7 slices. */
    private static Entry readEntry(String name, byte[] bytes, Path index) throws IOException {
        ProtoReader proto = new ProtoReader(bytes, index + " entry " + name);
        int dtype = 0;
        long[] shape = new long[0];
        long shardId = 0;
        long offset = 0;
        long size = 0;
        Integer crc = null;
        boolean partitioned = false;
        while (proto.hasMore()) {
            switch (proto.nextField()) {
                case 1 -> dtype = (int) proto.readInt("dtype");
                case 2 -> {
                    proto.expectWireType(ProtoReader.LENGTH_DELIMITED, "shape");
                    shape = readShape(proto.readMessage(), name, index);
                }
                case 3 -> shardId = proto.readInt("shard_id");
                case 4 -> offset = proto.readInt("offset");
                case 5 -> size = proto.readInt("size");
                case 6 -> {
                    proto.expectWireType(ProtoReader.FIXED32, "crc32c");
                    crc = proto.readFixed32();
                }
                case 7 -> {
                    partitioned = true;
                    proto.skipField();
                }
                default -> proto.skipField();
            }
        }
        return new Entry(name, dtype, shape, (int) shardId, offset, size, crc, partitioned);
    }

    /** TensorShapeProto: repeated 2 dim {1 size, 2 name}, 3 unknown_rank. */
    private static long[] readShape(ProtoReader shape, String name, Path index) throws IOException {
        List<Long> dims = new ArrayList<>();
        while (shape.hasMore()) {
            int field = shape.nextField();
            if (field == 2) {
                shape.expectWireType(ProtoReader.LENGTH_DELIMITED, "dim");
                ProtoReader dim = shape.readMessage();
                long size = 0;
                while (dim.hasMore()) {
                    if (dim.nextField() == 1) {
                        size = dim.readInt("dim.size");
                    } else {
                        dim.skipField();
                    }
                }
                if (size < 0) {
                    throw new IOException(index + ": tensor " + name + " has a dimension of unknown size (" + size + ")");
                }
                dims.add(size);
            } else if (field == 3 && shape.readInt("unknown_rank") != 0) {
                throw new IOException(index + ": tensor " + name + " has a shape of unknown rank");
            } else if (field != 3) {
                shape.skipField();
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }
}
