package bertadapt.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import bertadapt.data.BadRows;
import bertadapt.data.DatasetRegistry;
import bertadapt.data.Example;
import bertadapt.data.Split;
import bertadapt.pretrain.Corpus;
import bertadapt.pretrain.InstanceMode;
import bertadapt.pretrain.MaskingConfig;
import bertadapt.pretrain.PretrainingDataConfig;
import bertadapt.pretrain.SentenceSplitting;
import bertadapt.train.Adaptation;
import bertadapt.train.Trainer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bertadapt adapt}: continued masked-LM pre-training on domain or task text with {@link Adaptation}. */
@Command(name = "adapt", mixinStandardHelpOptions = true, defaultValueProvider = AdaptCommand.Defaults.class,
        description = {"Adapt a model to a domain by further masked-language-model pre-training on a corpus, or to a "
                + "task on a dataset's texts; report held-out masked-token accuracy and perplexity before and after. "
                + "The adapted model is OUTPUT/best.",
                "Running the same command again on the same OUTPUT resumes from its last checkpoint."})
final class AdaptCommand implements Callable<Integer> {

    static final class Defaults extends TrainingOptions.Defaults {
        Defaults() {
            super("1", "5e-5");
        }
    }

    /** How texts become training sequences. */
    enum Mode {
        /** Google's sentence pairs with next-sentence labels; NSP needs documents of several sentences. */
        NSP(InstanceMode.NEXT_SENTENCE, SentenceSplitting.SIMPLE),
        LINE(InstanceMode.LINE_BY_LINE, SentenceSplitting.WHOLE_TEXT),
        GROUPED(InstanceMode.GROUPED_TEXT, SentenceSplitting.WHOLE_TEXT);

        final InstanceMode instances;
        /** How a dataset's text is cut into sentences in this mode. */
        final SentenceSplitting splitting;

        Mode(InstanceMode instances, SentenceSplitting splitting) {
            this.instances = instances;
            this.splitting = splitting;
        }
    }

    /** The metric that picks the best checkpoint: held-out masked-LM cross-entropy. */
    private static final String METRIC = "mlm_loss";

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "Folder for the generated data, checkpoints, best/ and report.json.")
    Path output;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {

        @Option(names = "--corpus", required = true, paramLabel = "FILE",
                description = "Domain text in Google's format: one sentence per line, a blank line between documents.")
        Path corpus;

        @Option(names = "--dataset", required = true, paramLabel = "NAME", completionCandidates = KnownDatasetNames.class,
                description = "Task-adaptive: each text of the dataset's unlabelled texts if it has them (imdb, a "
                        + "description's unlabelled file), else of its training split, is a document. " + KnownDatasetNames.HELP)
        String dataset;
    }

    @Mixin
    DatasetsFolder datasets;

    @Option(names = "--mode", paramLabel = "MODE",
            description = "Training sequences: ${COMPLETION-CANDIDATES} (case-insensitive). nsp: sentence pairs with "
                    + "next-sentence prediction; line: one sequence per line or text; grouped: text packed into "
                    + "full-length blocks. Default: nsp for --corpus, line for --dataset.")
    Mode mode;

    @Option(names = "--dupe-factor", defaultValue = "5", paramLabel = "K", converter = Checked.Positive.class,
            description = "Differently masked copies of the data, generated before training; epoch e uses copy "
                    + "e mod K. Default: ${DEFAULT-VALUE}.")
    int dupeFactor;

    @Mixin
    TrainingOptions training;

    @Option(names = "--held-out", defaultValue = "0.05", paramLabel = "F", converter = Checked.Fraction.class,
            description = "Share of the documents held out to score the model. Default: ${DEFAULT-VALUE}.")
    double heldOut;

    @Option(names = "--whole-word-masking", description = "Mask all pieces of a word together.")
    boolean wholeWordMasking;

    @Option(names = "--max-predictions", defaultValue = "20", paramLabel = "N", converter = Checked.Positive.class,
            description = "Most tokens masked per sequence. Default: ${DEFAULT-VALUE}.")
    int maxPredictions;

    @Override
    public Integer call() throws IOException {
        if (source.corpus != null && !Files.isRegularFile(source.corpus)) {
            throw new NoSuchFileException(source.corpus.toString());
        }
        Mode chosen = mode != null ? mode : source.corpus != null ? Mode.NSP : Mode.LINE;
        Corpus corpus = source.corpus != null ? Corpus.googleFormat(source.corpus) : datasetCorpus(chosen.splitting);
        MaskingConfig defaults = MaskingConfig.defaults();
        PretrainingDataConfig data = PretrainingDataConfig.defaults(chosen.instances, training.length.maxLength)
                .withEpochs(dupeFactor).withSeed(training.seed.seed)
                .withMasking(new MaskingConfig(defaults.maskedLmProbability(), maxPredictions, wholeWordMasking));
        Adaptation.Report report = Adaptation.run(model.resolve(), corpus, data, heldOut, training.batch.batchSize,
                training.settings(1, 0, METRIC, true, 0, 1), output);
        PrintWriter out = spec.commandLine().getOut();
        out.printf("data       %d instances per epoch, %d held out%n", report.instancesPerEpoch(), report.heldOutInstances());
        print("before", report.before(), out);
        print("after", report.after(), out);
        out.println("model      " + output.resolve(Trainer.BEST_DIR) + " (report: " + output.resolve(Adaptation.REPORT_FILE) + ")");
        out.flush();
        return 0;
    }

    private static void print(String when, Map<String, Double> scores, PrintWriter out) {
        out.printf("%-10s masked-token accuracy %.4f, perplexity %.2f%n", when, scores.get("mlm_accuracy"),
                scores.get("perplexity"));
    }

    /** The dataset's unlabelled texts if it has them, else its training split's; both texts of a pair. */
    private Corpus datasetCorpus(SentenceSplitting splitting) {
        List<Example> examples = DatasetRegistry.hasUnlabelled(source.dataset)
                ? DatasetRegistry.unlabelled(source.dataset, datasets.resolve(), BadRows.fail())
                : DatasetRegistry.load(source.dataset, datasets.resolve()).split(Split.TRAIN);
        return Corpus.ofExamples(examples, splitting);
    }
}
