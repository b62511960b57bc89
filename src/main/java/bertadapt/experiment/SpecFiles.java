package bertadapt.experiment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** What the {@code main} classes share: run the spec named by the first argument, else their own. */
final class SpecFiles {

    private SpecFiles() {
    }

    static void run(String defaultSpec, String[] args) throws IOException {
        Path file = Path.of(args.length > 0 ? args[0] : defaultSpec);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toAbsolutePath().toString(), null,
                    "not found; run with the repository root as working directory, or pass the spec's path");
        }
        ExperimentRunner.run(ExperimentSpec.read(file));
    }
}
