package bertadapt.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A minimal protobuf wire-format reader, enough for the few messages of a TensorFlow tensor bundle.
 * Hand-rolled so that reading a checkpoint does not pull in a protobuf runtime.
 */
final class ProtoReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final ByteBuffer buffer;
    /** Names what is being decoded (file and entry), for error messages. */
    private final String context;
    private int wireType = -1;

    ProtoReader(byte[] bytes, String context) {
        this(ByteBuffer.wrap(bytes), context);
    }

    private ProtoReader(ByteBuffer buffer, String context) {
        this.buffer = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.context = context;
    }

    boolean hasMore() {
        return buffer.hasRemaining();
    }

    /** Reads the next tag and returns its field number; {@link #wireType()} then tells how to read the value. */
    int nextField() throws IOException {
        long tag = readVarint();
        wireType = (int) (tag & 7);
        int field = (int) (tag >>> 3);
        if (field == 0) {
            throw corrupt("field number 0");
        }
        return field;
    }

    int wireType() {
        return wireType;
    }

    long readVarint() throws IOException {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (!buffer.hasRemaining()) {
                throw corrupt("varint runs past the end of the message");
            }
            byte b = buffer.get();
            result |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return result;
            }
        }
        throw corrupt("varint longer than 10 bytes");
    }

    int readFixed32() throws IOException {
        require(4);
        return buffer.getInt();
    }

    /** Reads a length-delimited field as a nested message. */
    ProtoReader readMessage() throws IOException {
        long length = readVarint();
        if (length < 0 || length > buffer.remaining()) {
            throw corrupt("length-delimited field of " + length + " bytes, only " + buffer.remaining() + " left");
        }
        ByteBuffer nested = buffer.slice().limit((int) length);
        buffer.position(buffer.position() + (int) length);
        return new ProtoReader(nested, context);
    }

    /** Reads an int field that must be of varint wire type. */
    long readInt(String fieldName) throws IOException {
        expectWireType(VARINT, fieldName);
        return readVarint();
    }

    void expectWireType(int expected, String fieldName) throws IOException {
        if (wireType != expected) {
            throw corrupt("field " + fieldName + " has wire type " + wireType + ", expected " + expected);
        }
    }

    /** Skips a field this reader does not need, so newer TensorFlow versions with extra fields still load. */
    void skipField() throws IOException {
        switch (wireType) {
            case VARINT -> readVarint();
            case FIXED64 -> skip(8);
            case LENGTH_DELIMITED -> readMessage();
            case FIXED32 -> skip(4);
            default -> throw corrupt("unsupported wire type " + wireType);
        }
    }

    private void skip(int n) throws IOException {
        require(n);
        buffer.position(buffer.position() + n);
    }

    private void require(int n) throws IOException {
        if (buffer.remaining() < n) {
            throw corrupt("needs " + n + " more bytes, only " + buffer.remaining() + " left");
        }
    }

    IOException corrupt(String what) {
        return new IOException(context + ": malformed protobuf: " + what);
    }
}
