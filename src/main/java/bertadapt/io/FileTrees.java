package bertadapt.io;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Directory trees that appear whole or not at all: a new tree is built under a hidden name next to its final
 * place and renamed over it only when complete, and the previous tree is kept until the new one is in place, so
 * a crash or error leaves either the old tree or the new one, never half of one.
 */
public final class FileTrees {

    /** Fills a staging directory; may throw, in which case the target is left as it was. */
    @FunctionalInterface
    public interface Filler {
        void fill(Path staging) throws IOException;
    }

    private FileTrees() {
    }

    /**
     * Builds {@code target} by running {@code filler} on a fresh staging directory beside it, then puts that in
     * place with {@link #replace}. The staging directory never outlives the call.
     */
    public static void writeDirectory(Path target, Filler filler) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".writing-");
        try {
            filler.fill(staging);
            replace(staging, target);
        } finally {
            deleteQuietly(staging);
        }
    }

    /**
     * Renames {@code staged} to {@code target} (same file system), moving an existing target aside first and
     * deleting it only once the new tree is in place; if the rename fails, the previous target is put back.
     * The rename's exception is rethrown as is, so a caller can tell that another process created
     * {@code target} meanwhile.
     */
    public static void replace(Path staged, Path target) throws IOException {
        Path previous = null;
        if (Files.exists(target)) {
            previous = Files.createTempDirectory(target.toAbsolutePath().getParent(), "." + target.getFileName() + ".old-")
                    .resolve(target.getFileName());
            Files.move(target, previous, StandardCopyOption.ATOMIC_MOVE);
        }
        try {
            Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            if (previous != null) {
                try {
                    Files.move(previous, target, StandardCopyOption.ATOMIC_MOVE);
                    Files.delete(previous.getParent());
                } catch (IOException restoreFailed) {
                    // Leaves the previous tree under its hidden name rather than deleting data nobody asked to lose.
                    e.addSuppressed(restoreFailed);
                }
            }
            throw e;
        }
        if (previous != null) {
            deleteRecursively(previous.getParent());
        }
    }

    /** Deletes {@code root} and everything under it, without following links; does nothing if it is absent. */
    public static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException error) throws IOException {
                if (error != null) {
                    throw error;
                }
                Files.delete(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * {@link #deleteRecursively} for clean-up in {@code finally} blocks, where the error that got us there is the
     * one worth reporting and a hidden leftover is harmless; accepts null for "nothing was created yet".
     */
    public static void deleteQuietly(Path root) {
        if (root == null) {
            return;
        }
        try {
            deleteRecursively(root);
        } catch (IOException ignored) {
            // Best effort, see above.
        }
    }
}
