package bertadapt.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import bertadapt.data.DatasetFetcher;
import bertadapt.data.DatasetRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code bertadapt dataset list|fetch}: which datasets exist and are present, and downloading the large ones. */
@Command(name = "dataset", mixinStandardHelpOptions = true, description = "List or fetch the named datasets.",
        subcommands = {DatasetCommand.ListDatasets.class, DatasetCommand.FetchDataset.class})
final class DatasetCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: list or fetch");
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Print each dataset's name, whether it is in the datasets folder, and its folder.")
    static final class ListDatasets implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        DatasetsFolder datasets;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            Path root = datasets.resolve();
            int width = DatasetRegistry.names().stream().mapToInt(String::length).max().orElse(0);
            for (String name : DatasetRegistry.names()) {
                Path folder = DatasetRegistry.folder(name, root);
                out.printf("%-" + width + "s  %-7s  %s%n", name, Files.isDirectory(folder) ? "present" : "missing",
                        folder);
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Download a dataset that is too large to ship with the repository (imdb), check its "
                    + "SHA-256 and unpack it into the datasets folder. Does nothing if it is already there.")
    static final class FetchDataset implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "NAME", completionCandidates = KnownDatasetNames.class, description = "Dataset to fetch.")
        String name;

        @Option(names = "--source", paramLabel = "URL|PATH",
                description = "Fetch from this http(s) or file URL, or local archive, instead of the publisher.")
        String source;

        @Mixin
        DatasetsFolder datasets;

        @Override
        public Integer call() {
            DatasetFetcher fetcher = new DatasetFetcher(true);
            Path folder = source == null
                    ? fetcher.fetch(name, datasets.resolve())
                    : fetcher.fetch(name, datasets.resolve(), source);
            spec.commandLine().getOut().println(name + ": " + folder);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
