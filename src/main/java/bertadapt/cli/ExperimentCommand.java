package bertadapt.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import bertadapt.experiment.ExperimentRunner;
import bertadapt.experiment.ExperimentSpec;
import bertadapt.experiment.RunRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bertadapt experiment run FILE}: the grid of strategies and seeds an experiment spec describes. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Run the adaptation strategies of an experiment spec (experiments/*.yaml; keys in experiments/README.md).",
        subcommands = ExperimentCommand.Run.class)
final class ExperimentCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: run");
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Run every strategy for every seed of the spec FILE, each into OUTPUT/seed-S/STRATEGY/ with a "
                    + "run.json; progress on stderr, test scores on stdout at the end.",
                    "Running it again skips finished runs and resumes an interrupted one from its last checkpoint."})
    static final class Run implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The experiment spec (YAML).")
        Path file;

        @Override
        public Integer call() throws IOException {
            List<RunRecord> records = ExperimentRunner.run(ExperimentSpec.read(file));
            PrintWriter out = spec.commandLine().getOut();
            out.printf("%-32s %6s %9s %9s%n", "strategy", "seed", "accuracy", "macro_f1");
            for (RunRecord record : records) {
                out.printf("%-32s %6d %9.4f %9.4f%n", record.strategy(), record.seed(), record.test().get("accuracy"),
                        record.test().get("macro_f1"));
            }
            out.flush();
            return 0;
        }
    }
}
