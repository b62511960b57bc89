package bertadapt.experiment;

import java.io.IOException;

/**
 * Runs {@code experiments/quick.yaml}: the four strategies on a small sample of Medical Question Pairs with a 2-layer BERT-Base, in about 15 minutes on 2 cores. From an IDE: run {@code main} with no arguments and the
 * repository root as working directory (VM options as the surefire {@code argLine} of {@code pom.xml}); an argument
 * names another spec file. Running it again finishes an interrupted grid.
 */
public final class QuickExperiment {

    public static final String SPEC = "experiments/quick.yaml";

    private QuickExperiment() {
    }

    public static void main(String[] args) throws IOException {
        SpecFiles.run(SPEC, args);
    }
}
