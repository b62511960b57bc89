package bertadapt.weights;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import bertadapt.io.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Reads and writes Hugging Face {@code .safetensors} files: an 8-byte little-endian header length,
 * a JSON header {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}},
 * then the raw little-endian tensor bytes. F32, F16 and BF16 are read (converted to float);
 * files are written as F32.
 */
public final class Safetensors {
    private static final String METADATA = "__metadata__";
    /** The format's own limit; a larger value means a corrupt or foreign file, not a big model. */
    private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Safetensors() {}

    /** Reads all tensors, in header order, converting F16 and BF16 to float. */
    public static Map<String, Tensor> read(Path file) throws IOException {
        try (FileChannel channel = open(file)) {
            Header header = readHeader(file, channel);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.json.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (!field.getKey().equals(METADATA)) {
                    tensors.put(field.getKey(), readTensor(file, channel, header.dataStart, field.getKey(), field.getValue()));
                }
            }
            return tensors;
        }
    }

    /** The string-to-string {@code __metadata__} of the header; empty when there is none. */
    public static Map<String, String> metadata(Path file) throws IOException {
        try (FileChannel channel = open(file)) {
            JsonNode metadata = readHeader(file, channel).json.get(METADATA);
            Map<String, String> result = new LinkedHashMap<>();
            if (metadata != null) {
                metadata.fields().forEachRemaining(e -> result.put(e.getKey(), e.getValue().asText()));
            }
            return result;
        }
    }

    /** Writes the tensors as F32 with no metadata; see {@link #write(Path, Map, Map)}. */
    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        write(file, tensors, Map.of());
    }

    /**
     * Writes the tensors as F32, in map order. The file is first written to a temporary file in the
     * same directory and then moved into place ({@link AtomicFiles}), so a crash never leaves a half-written
     * model behind.
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        tensors.forEach((name, tensor) -> shapes.put(name, tensor.shape()));
        write(file, shapes, tensors::get, metadata);
    }

    /**
     * Writes ND4J arrays as {@link #write(Path, Map, Map)} writes tensors, copying one array at a time to the heap
     * as its turn comes: copied all at once, a checkpoint of BERT-Base with its optimiser state grew the Java heap
     * by 1.3 GB, which the JVM then kept.
     */
    public static void writeArrays(Path file, Map<String, INDArray> arrays, Map<String, String> metadata) throws IOException {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        arrays.forEach((name, array) -> shapes.put(name, array.shape()));
        write(file, shapes, name -> Tensor.of(arrays.get(name)), metadata);
    }

    private static void write(Path file, Map<String, long[]> shapes, Function<String, Tensor> values,
                              Map<String, String> metadata) throws IOException {
        byte[] header = headerBytes(file, shapes, metadata);
        Files.createDirectories(file.toAbsolutePath().getParent());
        AtomicFiles.write(file, out -> {
            ByteBuffer length = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
            writeFully(out, length);
            writeFully(out, ByteBuffer.wrap(header));
            ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
            for (String name : shapes.keySet()) {
                float[] floats = values.apply(name).values();
                for (int from = 0; from < floats.length; ) {
                    int n = Math.min(floats.length - from, chunk.capacity() / Float.BYTES);
                    chunk.clear();
                    chunk.asFloatBuffer().put(floats, from, n);
                    chunk.limit(n * Float.BYTES);
                    writeFully(out, chunk);
                    from += n;
                }
            }
        });
    }

    private static byte[] headerBytes(Path file, Map<String, long[]> shapes, Map<String, String> metadata) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject(METADATA);
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            if (e.getKey().equals(METADATA)) {
                throw new IllegalArgumentException(file + ": a tensor cannot be named " + METADATA);
            }
            ObjectNode info = header.putObject(e.getKey());
            info.put("dtype", "F32");
            ArrayNode shape = info.putArray("shape");
            for (long dim : e.getValue()) {
                shape.add(dim);
            }
            long end = offset + Tensor.numel(e.getValue()) * Float.BYTES;
            info.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json = JSON.writeValueAsBytes(header);
        // Padding keeps the data section 8-byte aligned, so readers can map it as float arrays directly.
        int padded = (json.length + 7) / 8 * 8;
        byte[] bytes = new byte[padded];
        System.arraycopy(json, 0, bytes, 0, json.length);
        Arrays.fill(bytes, json.length, padded, (byte) ' ');
        return bytes;
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    private static FileChannel open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "safetensors file not found");
        }
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    private record Header(JsonNode json, long dataStart, long dataSize) {}

    private static Header readHeader(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < Long.BYTES) {
            throw new IOException(file + ": " + fileSize + " bytes, too short for the 8-byte safetensors header length (truncated?)");
        }
        ByteBuffer lengthBytes = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, lengthBytes, 0, file);
        long headerLength = lengthBytes.flip().getLong();
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES || headerLength > fileSize - Long.BYTES) {
            throw new IOException(file + ": header length " + headerLength + " is impossible for a " + fileSize
                    + "-byte file (expected 2 to " + Math.min(MAX_HEADER_BYTES, fileSize - Long.BYTES)
                    + "); truncated or not a safetensors file");
        }
        ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
        readFully(channel, headerBytes, Long.BYTES, file);
        JsonNode json;
        try {
            json = JSON.readTree(new String(headerBytes.array(), StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (json == null || !json.isObject()) {
            throw new IOException(file + ": header must be a JSON object of tensor entries");
        }
        long dataStart = Long.BYTES + headerLength;
        return new Header(json, dataStart, fileSize - dataStart);
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long position, Path file) throws IOException {
        while (into.hasRemaining()) {
            int n = channel.read(into, position + into.position());
            if (n < 0) {
                throw new IOException(file + ": unexpected end of file (truncated?)");
            }
        }
    }

    private static Tensor readTensor(Path file, FileChannel channel, long dataStart, String name, JsonNode info)
            throws IOException {
        String where = file + ": tensor " + name;
        String dtype = info.path("dtype").asText("");
        int elementSize = switch (dtype) {
            case "F32" -> 4;
            case "F16", "BF16" -> 2;
            default -> throw new IOException(where + " has dtype '" + dtype + "'; only F32, F16 and BF16 can be read");
        };
        JsonNode shapeNode = info.path("shape");
        JsonNode offsets = info.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new IOException(where + " needs a 'shape' array and 'data_offsets' [begin, end]");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!shapeNode.get(i).canConvertToLong() || shapeNode.get(i).asLong() < 0) {
                throw new IOException(where + " has an invalid dimension " + shapeNode.get(i) + " in its shape");
            }
            shape[i] = shapeNode.get(i).asLong();
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        long dataSize = channel.size() - dataStart;
        if (begin < 0 || end < begin || end > dataSize) {
            throw new IOException(where + " has data_offsets [" + begin + ", " + end + "] outside the data section of "
                    + dataSize + " bytes (truncated?)");
        }
        long numel = Tensor.numel(shape);
        if (numel > Integer.MAX_VALUE || end - begin != numel * elementSize) {
            throw new IOException(where + " of shape " + Arrays.toString(shape) + " as " + dtype + " needs "
                    + numel * elementSize + " bytes, but data_offsets span " + (end - begin));
        }
        float[] values = new float[(int) numel];
        if (numel > 0) {
            MappedByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, end - begin);
            data.order(ByteOrder.LITTLE_ENDIAN);
            if (dtype.equals("F32")) {
                data.asFloatBuffer().get(values);
            } else {
                ShortBuffer halves = data.asShortBuffer();
                boolean bf16 = dtype.equals("BF16");
                for (int i = 0; i < values.length; i++) {
                    int bits = halves.get(i) & 0xffff;
                    values[i] = bf16 ? bfloat16ToFloat(bits) : float16ToFloat(bits);
                }
            }
        }
        return new Tensor(shape, values);
    }

    /** bfloat16 is the upper half of a float32, so widening is a shift. */
    static float bfloat16ToFloat(int bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
    static float float16ToFloat(int bits) {
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        float magnitude;
        if (exponent == 0) {
            magnitude = mantissa * 0x1p-24f; // zero or subnormal: exact in float
        } else if (exponent == 0x1f) {
            magnitude = mantissa == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else {
            // Rebias the exponent from 15 to 127 and widen the mantissa from 10 to 23 bits.
            magnitude = Float.intBitsToFloat(((exponent + 112) << 23) | (mantissa << 13));
        }
        return (bits & 0x8000) == 0 ? magnitude : -magnitude;
    }
}
