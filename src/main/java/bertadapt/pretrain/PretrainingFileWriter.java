package bertadapt.pretrain;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes instances to a file that appears only when complete: data goes to a temp file beside the
 * target, and {@link #commit()} syncs it and renames it into place atomically; {@link #close()}
 * without a commit deletes the temp file.
 *
 * <p>Format (big-endian, {@link java.io.DataOutputStream}):
 * <pre>
 * header:   int magic 0x42415054 ("BAPT"), short version 1
 * instance: byte 1, ushort T, ushort lengthOfSegment0, byte isRandomNext,
 *           T x int tokenIds, ushort M, M x ushort maskedPositions, M x int maskedLabels
 * end:      byte 0, long instanceCount
 * </pre>
 * Segment ids are stored as the length of the segment-0 prefix, since they are always 0...0 1...1.
 * The end record lets the reader tell a complete file from a cut one.
 */
public final class PretrainingFileWriter implements AutoCloseable {

    static final int MAGIC = 0x42415054;
    static final short VERSION = 1;
    static final int INSTANCE_TAG = 1;
    static final int END_TAG = 0;
    private static final int MAX_UNSIGNED_SHORT = 0xFFFF;

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final DataOutputStream out;
    private long count;
    private boolean finished;

    private PretrainingFileWriter(Path target) throws IOException {
        this.target = target;
        Path directory = target.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        this.temp = Files.createTempFile(directory, "." + target.getFileName(), ".tmp");
        this.channel = FileChannel.open(temp, StandardOpenOption.WRITE);
        this.out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16));
        out.writeInt(MAGIC);
        out.writeShort(VERSION);
    }

    /** Starts writing what will become {@code target}; the parent directory is created if needed. */
    public static PretrainingFileWriter create(Path target) throws IOException {
        return new PretrainingFileWriter(target);
    }

    public void write(PretrainingInstance instance) throws IOException {
        int length = instance.length();
        int[] segments = instance.segmentIds();
        int segment0Length = 0;
        while (segment0Length < length && segments[segment0Length] == 0) {
            segment0Length++;
        }
        for (int t = segment0Length; t < length; t++) {
            if (segments[t] != 1) {
                throw new IllegalArgumentException("segment ids must be 0...0 1...1 to be stored, got value "
                        + segments[t] + " at position " + t);
            }
        }
        if (length > MAX_UNSIGNED_SHORT) {
            throw new IllegalArgumentException("sequence of " + length + " tokens is longer than the format's "
                    + MAX_UNSIGNED_SHORT);
        }
        out.writeByte(INSTANCE_TAG);
        out.writeShort(length);
        out.writeShort(segment0Length);
        out.writeBoolean(instance.isRandomNext());
        for (int id : instance.tokenIds()) {
            out.writeInt(id);
        }
        out.writeShort(instance.maskedPositions().length);
        for (int position : instance.maskedPositions()) {
            out.writeShort(position);
        }
        for (int label : instance.maskedLabels()) {
            out.writeInt(label);
        }
        count++;
    }

    /** Instances written so far. */
    public long count() {
        return count;
    }

    /** Finishes the file and moves it to the target, replacing any older file there. */
    public void commit() throws IOException {
        if (finished) {
            throw new IllegalStateException("already committed or closed: " + target);
        }
        out.writeByte(END_TAG);
        out.writeLong(count);
        out.flush();
        channel.force(true);
        out.close();
        finished = true;
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Abandons an uncommitted file, deleting its temp file; does nothing after {@link #commit()}. */
    @Override
    public void close() throws IOException {
        if (finished) {
            return;
        }
        finished = true;
        try {
            out.close();
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
