package bertadapt.io;

import static bertadapt.TestFiles.names;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {

    @TempDir
    Path temp;

    @Test
    void writtenDirectoryReplacesThePreviousOneWithoutLeftovers() throws IOException {
        Path target = temp.resolve("model");
        Files.createDirectories(target.resolve("sub"));
        Files.writeString(target.resolve("sub/stale.txt"), "old");

        FileTrees.writeDirectory(target, staging -> Files.writeString(staging.resolve("fresh.txt"), "new"));

        assertEquals(List.of("fresh.txt"), names(target));
        assertEquals(List.of("model"), names(temp), "no staging or previous directory left");
    }

    @Test
    void failedFillKeepsThePreviousDirectoryAndRemovesTheStaging() throws IOException {
        Path target = temp.resolve("model");
        Files.createDirectories(target);
        Files.writeString(target.resolve("weights"), "old");

        IOException failure = assertThrows(IOException.class, () -> FileTrees.writeDirectory(target, staging -> {
            Files.writeString(staging.resolve("weights"), "half");
            throw new IOException("disk full");
        }));

        assertEquals("disk full", failure.getMessage());
        assertEquals("old", Files.readString(target.resolve("weights")));
        assertEquals(List.of("model"), names(temp));
    }

    @Test
    void deleteRecursivelyRemovesNestedTreesAndIgnoresAbsentOnes() throws IOException {
        Path root = temp.resolve("a");
        Files.createDirectories(root.resolve("b/c"));
        Files.writeString(root.resolve("b/c/file"), "x");

        FileTrees.deleteRecursively(root);
        FileTrees.deleteRecursively(root);
        FileTrees.deleteQuietly(null);

        assertFalse(Files.exists(root));
    }
}
