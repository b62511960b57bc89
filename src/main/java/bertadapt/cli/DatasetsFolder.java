package bertadapt.cli;

import java.nio.file.Path;

import picocli.CommandLine.Option;

/** Where the named datasets live: {@code --datasets-dir}, else {@code $BERTADAPT_DATASETS}, else {@code ./datasets}. */
final class DatasetsFolder {

    static final String ENVIRONMENT_VARIABLE = "BERTADAPT_DATASETS";

    @Option(names = "--datasets-dir", paramLabel = "DIR",
            description = "Folder holding the datasets. Default: $" + ENVIRONMENT_VARIABLE
                    + " (./bertadapt sets it to the repository's datasets/), else ./datasets.")
    Path datasetsDir;

    Path resolve() {
        if (datasetsDir != null) {
            return datasetsDir;
        }
        String fromEnvironment = System.getenv(ENVIRONMENT_VARIABLE);
        return Path.of(fromEnvironment == null || fromEnvironment.isBlank() ? "datasets" : fromEnvironment);
    }
}
