package bertadapt.experiment;

import java.io.IOException;

/**
 * Runs {@code experiments/ag-news.yaml}: the full grid on the AG News subset (4 topics). From an IDE: run {@code main} with no arguments and the
 * repository root as working directory (VM options as the surefire {@code argLine} of {@code pom.xml}); an argument
 * names another spec file. Running it again finishes an interrupted grid.
 */
public final class AgNewsExperiment {

    public static final String SPEC = "experiments/ag-news.yaml";

    private AgNewsExperiment() {
    }

    public static void main(String[] args) throws IOException {
        SpecFiles.run(SPEC, args);
    }
}
