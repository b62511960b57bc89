package bertadapt.weights;

import static bertadapt.TestFiles.names;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;

    static Map<String, Tensor> sample() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("bert.embeddings.word_embeddings.weight", new Tensor(new long[] {3, 2}, new float[] {1, -2, 3.5f, 1e-30f, Float.MAX_VALUE, -0f}));
        tensors.put("scalar", new Tensor(new long[0], new float[] {7f}));
        tensors.put("empty", new Tensor(new long[] {0, 4}, new float[0]));
        tensors.put("a.bias", new Tensor(new long[] {1}, new float[] {Float.NaN}));
        return tensors;
    }

    @Test
    void roundTripKeepsNamesOrderShapesValuesAndMetadata() throws IOException {
        Path file = dir.resolve("model.safetensors");
        Safetensors.write(file, sample(), Map.of("format", "pt"));
        Map<String, Tensor> read = Safetensors.read(file);
        assertEquals(List.copyOf(sample().keySet()), List.copyOf(read.keySet()));
        assertEquals(sample(), read); // Tensor.equals compares float bits, so NaN and -0 must survive exactly
        assertEquals(Map.of("format", "pt"), Safetensors.metadata(file));
    }

    @Test
    void arraysAreWrittenAsTheirTensorsAreWhateverTheirOrderAndType() throws IOException {
        Map<String, INDArray> arrays = new LinkedHashMap<>();
        sample().forEach((name, tensor) -> arrays.put(name, tensor.toArray(DataType.FLOAT)));
        INDArray columnMajor = Nd4j.create(DataType.DOUBLE, new long[] {3, 2}, 'f');
        columnMajor.assign(sample().get("bert.embeddings.word_embeddings.weight").toArray(DataType.FLOAT).castTo(DataType.DOUBLE));
        arrays.put("bert.embeddings.word_embeddings.weight", columnMajor);
        Path fromArrays = dir.resolve("arrays.safetensors");
        Path fromTensors = dir.resolve("tensors.safetensors");

        Safetensors.writeArrays(fromArrays, arrays, Map.of("steps", "3"));
        Safetensors.write(fromTensors, sample(), Map.of("steps", "3"));

        assertArrayEquals(Files.readAllBytes(fromTensors), Files.readAllBytes(fromArrays));
    }

    @Test
    void headerIsPaddedWithSpacesToEightBytesAndNoTempFileIsLeft() throws IOException {
        Path file = dir.resolve("model.safetensors");
        Safetensors.write(file, Map.of("x", new Tensor(new long[] {1}, new float[] {1f})));
        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8);
        assertEquals(8 + headerLength + 4, bytes.length);
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"), header);
        assertTrue(header.substring(header.indexOf('}') + 2).isBlank(), header);
        assertEquals(List.of("model.safetensors"), names(dir));
    }

    @Test
    void writeReplacesAnExistingFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        Safetensors.write(file, sample());
        Map<String, Tensor> smaller = Map.of("only", new Tensor(new long[] {2}, new float[] {4f, 5f}));
        Safetensors.write(file, smaller);
        assertEquals(smaller, Safetensors.read(file));
    }

    @Test
    void decodesFloat16AndBfloat16() throws IOException {
        short[] f16 = {0x3C00, (short) 0xC000, 0x7BFF, 0x0001, 0x0400, 0x3555, (short) 0x8000, 0x7C00, (short) 0xFC00, 0x7E00};
        short[] bf16 = {0x3F80, (short) 0xC040, 0x4049, 0x0000, 0x7F80};
        Path file = dir.resolve("half.safetensors");
        Files.write(file, file("{\"h\":{\"dtype\":\"F16\",\"shape\":[10],\"data_offsets\":[0,20]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[5],\"data_offsets\":[20,30]},\"__metadata__\":{\"format\":\"pt\"}}",
                shorts(f16, bf16)));
        Map<String, Tensor> read = Safetensors.read(file);
        assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f, 0x1p-14f, 0.333251953125f, -0f,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN}, read.get("h").values());
        assertArrayEquals(new float[] {1f, -3f, 3.140625f, 0f, Float.POSITIVE_INFINITY}, read.get("b").values());
        assertEquals(List.of("h", "b"), List.copyOf(read.keySet()));
    }

    @Test
    void unsupportedDtypeNamesFileAndTensor() throws IOException {
        Path file = dir.resolve("ints.safetensors");
        Files.write(file, file("{\"ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]));
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("ids") && e.getMessage().contains("I64"),
                e.getMessage());
    }

    @Test
    void truncatedDataNamesFileAndTensor() throws IOException {
        Path file = dir.resolve("model.safetensors");
        Safetensors.write(file, sample());
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(f.length() - 2);
        }
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("a.bias")
                && e.getMessage().contains("data_offsets"), e.getMessage());
    }

    @Test
    void truncatedHeaderNamesTheFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        Safetensors.write(file, sample());
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(40);
        }
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("header length"), e.getMessage());
        Files.write(file, new byte[3]);
        e = assertThrows(IOException.class, () -> Safetensors.read(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void sizeMustMatchShapeAndDtype() throws IOException {
        Path file = dir.resolve("odd.safetensors");
        Files.write(file, file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", new byte[16]));
        IOException e = assertThrows(IOException.class, () -> Safetensors.read(file));
        assertTrue(e.getMessage().contains("w") && e.getMessage().contains("16 bytes"), e.getMessage());
    }

    @Test
    void halfPrecisionConversionCoversEveryExponentClass() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float f = Safetensors.float16ToFloat(bits);
            int exponent = (bits >>> 10) & 0x1f;
            int mantissa = bits & 0x3ff;
            double expected = exponent == 0 ? mantissa * Math.pow(2, -24)
                    : exponent == 31 ? (mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN)
                    : (1 + mantissa / 1024.0) * Math.pow(2, exponent - 15);
            expected = (bits & 0x8000) != 0 ? -expected : expected;
            assertEquals(expected, f, 0.0, "bits 0x" + Integer.toHexString(bits));
        }
    }

    private static byte[] file(String json, byte[] data) {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
        out.writeBytes(header);
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static byte[] shorts(short[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (short[] part : parts) {
            ByteBuffer b = ByteBuffer.allocate(part.length * 2).order(ByteOrder.LITTLE_ENDIAN);
            b.asShortBuffer().put(part);
            out.writeBytes(b.array());
        }
        return out.toByteArray();
    }
}
