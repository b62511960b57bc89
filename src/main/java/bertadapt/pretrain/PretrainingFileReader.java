package bertadapt.pretrain;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Streams instances back from a file written by {@link PretrainingFileWriter}, one at a time, so a
 * file larger than memory can be read. Read errors and a file cut short surface from the iterator
 * as {@link UncheckedIOException}.
 */
public final class PretrainingFileReader implements Iterator<PretrainingInstance>, AutoCloseable {

    private final DataInputStream in;
    private final String source;
    private PretrainingInstance next;
    private long read;
    private boolean ended;

    private PretrainingFileReader(InputStream in, String source) throws IOException {
        this.in = new DataInputStream(new BufferedInputStream(in, 1 << 16));
        this.source = source;
        try {
            int magic = this.in.readInt();
            short version = this.in.readShort();
            if (magic != PretrainingFileWriter.MAGIC || version != PretrainingFileWriter.VERSION) {
                throw new IOException(source + ": not a pre-training instance file of version "
                        + PretrainingFileWriter.VERSION + " (magic " + Integer.toHexString(magic) + ", version "
                        + version + ")");
            }
        } catch (IOException e) {
            this.in.close();
            throw e instanceof EOFException ? new IOException(source + ": too short for a header", e) : e;
        }
    }

    public static PretrainingFileReader open(Path file) throws IOException {
        return new PretrainingFileReader(Files.newInputStream(file), file.toString());
    }

    /** Reads from a stream positioned at a file's start; closing the reader closes the stream. */
    public static PretrainingFileReader of(InputStream in, String source) throws IOException {
        return new PretrainingFileReader(in, source);
    }

    /** All instances of {@code file} as a lazy stream that closes the file when closed. */
    public static Stream<PretrainingInstance> stream(Path file) throws IOException {
        PretrainingFileReader reader = open(file);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(reader, Spliterator.ORDERED | Spliterator.NONNULL),
                false).onClose(reader::close);
    }

    @Override
    public boolean hasNext() {
        if (next == null && !ended) {
            try {
                next = readInstance();
            } catch (EOFException e) {
                throw new UncheckedIOException(source + ": file ends inside instance " + read
                        + " without the end record; it was cut short", e);
            } catch (IOException e) {
                throw new UncheckedIOException(source + ": reading instance " + read, e);
            }
        }
        return next != null;
    }

    @Override
    public PretrainingInstance next() {
        if (!hasNext()) {
            throw new NoSuchElementException(source + ": no more instances after " + read);
        }
        PretrainingInstance instance = next;
        next = null;
        read++;
        return instance;
    }

    private PretrainingInstance readInstance() throws IOException {
        int tag = in.readUnsignedByte();
        if (tag == PretrainingFileWriter.END_TAG) {
            long written = in.readLong();
            if (written != read) {
                throw new IOException("end record counts " + written + " instances, read " + read);
            }
            ended = true;
            return null;
        }
        if (tag != PretrainingFileWriter.INSTANCE_TAG) {
            throw new IOException("unknown record tag " + tag);
        }
        int length = in.readUnsignedShort();
        int segment0Length = in.readUnsignedShort();
        boolean isRandomNext = in.readBoolean();
        int[] tokenIds = new int[length];
        for (int t = 0; t < length; t++) {
            tokenIds[t] = in.readInt();
        }
        int[] segmentIds = new int[length];
        Arrays.fill(segmentIds, Math.min(segment0Length, length), length, 1);
        int masked = in.readUnsignedShort();
        int[] positions = new int[masked];
        for (int m = 0; m < masked; m++) {
            positions[m] = in.readUnsignedShort();
        }
        int[] labels = new int[masked];
        for (int m = 0; m < masked; m++) {
            labels[m] = in.readInt();
        }
        return new PretrainingInstance(tokenIds, segmentIds, positions, labels, isRandomNext);
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(source, e);
        }
    }
}
