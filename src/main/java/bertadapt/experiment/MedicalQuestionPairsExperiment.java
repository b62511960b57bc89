package bertadapt.experiment;

import java.io.IOException;

/**
 * Runs {@code experiments/medical-question-pairs.yaml}: the full grid on Medical Question Pairs. From an IDE: run {@code main} with no arguments and the
 * repository root as working directory (VM options as the surefire {@code argLine} of {@code pom.xml}); an argument
 * names another spec file. Running it again finishes an interrupted grid.
 */
public final class MedicalQuestionPairsExperiment {

    public static final String SPEC = "experiments/medical-question-pairs.yaml";

    private MedicalQuestionPairsExperiment() {
    }

    public static void main(String[] args) throws IOException {
        SpecFiles.run(SPEC, args);
    }
}
