package bertadapt.cli;

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

/**
 * Writes a text file through a temporary file in the same directory that is renamed over the target, so readers
 * (and the user, after a crash or Ctrl-C) see the old file or the complete new one, never a half-written one.
 */
final class AtomicFile {

    /** Writes the content; may fail, in which case the target is left as it was. */
    @FunctionalInterface
    interface Content {
        void writeTo(Writer writer) throws IOException;
    }

    /** What a new file gets under the usual umask 022; a temporary file would otherwise keep its private 0600. */
    private static final Set<PosixFilePermission> NEW_FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-r--r--");

    private AtomicFile() {
    }

    /**
     * Fails now, with a message naming {@code target}, if it cannot be written: commands call this before spending
     * seconds on loading a model.
     */
    static void checkWritable(Path target) throws IOException {
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

    static void write(Path target, Content content) throws IOException {
        checkWritable(target);
        Path absolute = target.toAbsolutePath();
        Path temporary = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName() + ".", ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE);
                    Writer writer = new BufferedWriter(Channels.newWriter(channel, StandardCharsets.UTF_8))) {
                content.writeTo(writer);
                writer.flush();
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
