package bertadapt.io;

import static bertadapt.TestFiles.names;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir
    Path temp;

    @Test
    void failedWriteLeavesTheOldFileAndNoTemporary() throws IOException {
        Path target = Files.writeString(temp.resolve("out.json"), "old");

        IOException failure = assertThrows(IOException.class, () -> AtomicFiles.writeText(target, writer -> {
            writer.write("half of the new");
            throw new IOException("disk full");
        }));

        assertEquals("disk full", failure.getMessage());
        assertEquals("old", Files.readString(target));
        assertEquals(List.of("out.json"), names(temp), "no temporary left");
    }

    @Test
    void replacesKeepingPermissionsAndNewFilesAreReadable() throws IOException {
        Path existing = Files.writeString(temp.resolve("existing"), "old");
        Files.setPosixFilePermissions(existing, PosixFilePermissions.fromString("rw-rw----"));
        AtomicFiles.writeText(existing, writer -> writer.write("new"));
        assertEquals("new", Files.readString(existing));
        assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(existing)));

        Path created = temp.resolve("created");
        AtomicFiles.writeText(created, writer -> writer.write("new"));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(created)));
    }
}
