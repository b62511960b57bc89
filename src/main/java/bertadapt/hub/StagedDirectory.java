package bertadapt.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Predicate;

/**
 * Builds a directory under a hidden temporary name next to its final place and renames it into place only when
 * complete, so a crash or error leaves either the old state or the whole new directory, never half of one.
 */
final class StagedDirectory {

    /** Fills a staging directory; may throw. */
    @FunctionalInterface
    interface Filler {
        void fill(Path staging) throws IOException;
    }

    private StagedDirectory() {
    }

    /**
     * Creates {@code target} by running {@code filler} on a staging directory and renaming that into place.
     * An existing (incomplete) {@code target} is replaced. If another process publishes {@code target} first
     * and {@code isComplete} accepts it, that copy is kept and this one discarded.
     */
    static void publish(Path target, Filler filler, Predicate<Path> isComplete) {
        Path parent = target.toAbsolutePath().getParent();
        Path staging = null;
        try {
            Files.createDirectories(parent);
            staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".partial-");
            filler.fill(staging);
            if (Files.exists(target)) {
                discard(target);
            }
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                staging = null;
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                if (!isComplete.test(target)) {
                    throw raced;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create model directory " + target + ": " + e.getMessage(), e);
        } finally {
            if (staging != null) {
                try {
                    deleteRecursively(staging);
                } catch (UncheckedIOException ignored) {
                    // Best effort: a leftover hidden staging directory is harmless, the original error is not.
                }
            }
        }
    }

    /** Moves {@code directory} out of the way first, so its name is free at once even if deleting is slow. */
    private static void discard(Path directory) throws IOException {
        Path graveyard = Files.createTempDirectory(directory.toAbsolutePath().getParent(),
                "." + directory.getFileName() + ".stale-");
        Path moved = graveyard.resolve("old");
        Files.move(directory, moved, StandardCopyOption.ATOMIC_MOVE);
        deleteRecursively(graveyard);
    }

    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
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
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + root, e);
        }
    }
}
