package bertadapt.io;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

/**
 * Writes a file through a temporary file in the same directory that is synced and then renamed over the target,
 * so readers (and the user, after a crash or Ctrl-C) see the old file or the complete new one, never a
 * half-written one. The target keeps its permissions; a new file gets the usual {@code rw-r--r--}.
 */
public final class AtomicFiles {

    /** Writes the content as bytes; may fail, in which case the target is left as it was. */
    @FunctionalInterface
    public interface BinaryContent {
        void writeTo(FileChannel channel) throws IOException;
    }

    /** Writes the content as UTF-8 text; may fail, in which case the target is left as it was. */
    @FunctionalInterface
    public interface TextContent {
        void writeTo(Writer writer) throws IOException;
    }

    /** What a new file gets under the usual umask 022; a temporary file would otherwise keep its private 0600. */
    private static final Set<PosixFilePermission> NEW_FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-r--r--");

    private AtomicFiles() {
    }

    /**
     * Fails now, with a message naming {@code target}, if it cannot be written: commands call this before spending
     * seconds on loading a model.
     */
    public static void checkWritable(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            throw new IOException(target + " is a directory");
        }
        if (!Files.isDirectory(absolute.getParent())) {
            throw new NoSuchFileException(target.toString(), null, "its directory does not exist");
        }
        if (!Files.isWritable(absolute.getParent())) {
            throw new AccessDeniedException(absolute.getParent().toString());
        }
    }

    /** Replaces {@code target} with UTF-8 text; its directory must exist. */
    public static void writeText(Path target, TextContent content) throws IOException {
        write(target, channel -> {
            // Not closed here: closing the writer would close the channel before write syncs it.
            Writer writer = new BufferedWriter(Channels.newWriter(channel, StandardCharsets.UTF_8));
            content.writeTo(writer);
            writer.flush();
        });
    }

    /** Replaces {@code target} with {@code value} as indented JSON (a report, a state file). */
    public static void writeJson(Path target, Object value) throws IOException {
        String json = JSON.writeValueAsString(value);
        writeText(target, writer -> writer.write(json));
    }

    private static final ObjectWriter JSON = new ObjectMapper().writerWithDefaultPrettyPrinter();

    /** Replaces {@code target} with what {@code content} writes to the channel; its directory must exist. */
    public static void write(Path target, BinaryContent content) throws IOException {
        checkWritable(target);
        Path absolute = target.toAbsolutePath();
        Path temporary = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName() + ".", ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                content.writeTo(channel);
                channel.force(true);
            }
            PosixFileAttributeView permissions = Files.getFileAttributeView(temporary, PosixFileAttributeView.class);
            if (permissions != null) {
                permissions.setPermissions(Files.exists(absolute)
                        ? Files.getPosixFilePermissions(absolute)
                        : NEW_FILE_PERMISSIONS);
            }
            Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
