package bertadapt.experiment;

import java.io.IOException;

/**
 * Runs {@code experiments/mrpc.yaml}: the full grid on MRPC (paraphrase pairs). From an IDE: run {@code main} with no arguments and the
 * repository root as working directory (VM options as the surefire {@code argLine} of {@code pom.xml}); an argument
 * names another spec file. Running it again finishes an interrupted grid.
 */
public final class MrpcExperiment {

    public static final String SPEC = "experiments/mrpc.yaml";

    private MrpcExperiment() {
    }

    public static void main(String[] args) throws IOException {
        SpecFiles.run(SPEC, args);
    }
}
