package bertadapt.cli;

import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

import bertadapt.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code bertadapt} command line. Failures the user can act on (unknown model, unreadable file, bad input)
 * are reported as one line {@code bertadapt: <message>} on stderr with exit code 2; {@code --verbose} adds the
 * stack trace.
 */
@Command(name = "bertadapt", mixinStandardHelpOptions = true, version = "bertadapt " + Main.VERSION,
        description = "Pretrained BERT models in SameDiff: masked-token prediction, embeddings, fine-tuning, "
                + "domain adaptation, classification, and experiments comparing adaptation strategies.",
        subcommands = {ExperimentCommand.class, FillMaskCommand.class, EmbedCommand.class, FineTuneCommand.class,
                AdaptCommand.class, EvaluateCommand.class, PredictCommand.class, SummaryCommand.class, DatasetCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    static final String VERSION = Version.VALUE;

    /** Picocli's exit code for usage errors; runtime failures share it, so scripts test one code. */
    static final int EXIT_FAILURE = CommandLine.ExitCode.USAGE;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        int exitCode;
        try {
            exitCode = newCommandLine().execute(args);
        } catch (OutOfMemoryError failure) { // an Error, which picocli's exception handler does not see
            System.err.println("bertadapt: " + messageOf(failure));
            exitCode = EXIT_FAILURE;
        }
        System.exit(exitCode);
    }

    /** The configured command line; tests call {@code execute} on it in-process. */
    public static CommandLine newCommandLine() {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setExecutionExceptionHandler(Main::reportFailure);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        return commandLine;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing subcommand: one of experiment, fill-mask, embed, finetune, adapt, "
                + "evaluate, predict, summary, dataset, bench");
    }

    private static int reportFailure(Exception failure, CommandLine commandLine, ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        err.println("bertadapt: " + messageOf(failure));
        if (verboseRequested(parseResult)) {
            failure.printStackTrace(err);
        }
        err.flush();
        return EXIT_FAILURE;
    }

    /** The option is inherited by subcommands, so it may have been given at any level of the command. */
    private static boolean verboseRequested(ParseResult parseResult) {
        for (ParseResult level = parseResult.commandSpec().root().commandLine().getParseResult(); level != null;
                level = level.subcommand()) {
            if (level.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /**
     * A message that makes sense without the exception's class name, which the JDK leaves out of file errors; running
     * out of memory also says which limit to raise.
     */
    static String messageOf(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof OutOfMemoryError) {
                return describe(failure) + "; the memory limits are the launcher's -Xmx (JVM heap) and"
                        + " -Dorg.bytedeco.javacpp.maxphysicalbytes (whole process), raised through BERTADAPT_JAVA_OPTS";
            }
        }
        return describe(failure);
    }

    private static String describe(Throwable failure) {
        if (failure instanceof NoSuchFileException missing) {
            return missing.getReason() == null
                    ? "no such file or directory: " + missing.getFile()
                    : missing.getFile() + ": " + missing.getReason();
        }
        if (failure instanceof AccessDeniedException denied) {
            return "permission denied: " + denied.getFile();
        }
        Throwable cause = failure.getCause();
        String message = failure.getMessage();
        if (cause != null && (message == null || message.isBlank() || message.equals(cause.toString()))) {
            return describe(cause);
        }
        if (message == null || message.isBlank()) {
            return failure.getClass().getSimpleName();
        }
        if (cause != null && cause.getMessage() != null && !message.contains(cause.getMessage())) {
            return message + ": " + describe(cause);
        }
        return message;
    }
}
