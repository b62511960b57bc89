package bertadapt.experiment;

import java.io.IOException;

/**
 * Runs {@code experiments/imdb.yaml}: the full grid on IMDb reviews, adapting on its 50,000 unlabelled reviews. From an IDE: run {@code main} with no arguments and the
 * repository root as working directory (VM options as the surefire {@code argLine} of {@code pom.xml}); an argument
 * names another spec file. Running it again finishes an interrupted grid.
 */
public final class ImdbExperiment {

    public static final String SPEC = "experiments/imdb.yaml";

    private ImdbExperiment() {
    }

    public static void main(String[] args) throws IOException {
        SpecFiles.run(SPEC, args);
    }
}
