package bertadapt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What a directory holds, for tests that check that nothing (a staging directory, a temporary file) is left behind. */
public final class TestFiles {

    private TestFiles() {
    }

    /** The names of the directory's entries, sorted; none when the directory does not exist. */
    public static List<String> names(Path directory) {
        if (!Files.exists(directory)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(path -> path.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
