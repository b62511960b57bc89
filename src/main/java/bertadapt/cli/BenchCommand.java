package bertadapt.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

import bertadapt.bench.BenchReport;
import bertadapt.bench.BenchShape;
import bertadapt.bench.BertBenchmark;
import bertadapt.hub.ModelStore;
import bertadapt.io.AtomicFiles;
import bertadapt.model.BertConfig;
import bertadapt.weights.Checkpoint;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bertadapt bench}: training and inference speed of BERT in SameDiff, comparable with bench/pt_bert_bench.py. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Time training (full, and with the embeddings and bottom half of the layers frozen) and inference of "
                + "BERT with classifier and masked-LM heads on random batches built as bench/pt_bert_bench.py builds them; "
                + "print a table and optionally write JSON.",
                "bench/compare.sh runs this and the PyTorch script side by side."})
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "SIZE",
            description = "Model size: tiny, mini, small or base, as in the PyTorch script. Default: mini, or the --model's size.")
    BenchShape shape;

    static final class Weights {
        @Option(names = "--random", description = "Random weights (the default): speed does not depend on them.")
        boolean random;

        @Option(names = "--model", paramLabel = "MODEL", completionCandidates = KnownModelNames.class,
                description = "Load the weights of a model (known name, directory or Hugging Face id); its size must match --config.")
        String model;
    }

    @ArgGroup(exclusive = true)
    Weights weights;

    @Option(names = "--batch", defaultValue = "8", converter = Checked.Positive.class, paramLabel = "B",
            description = "Sequences per step. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--length", defaultValue = "128", converter = Checked.Positive.class, paramLabel = "T",
            description = "Padded sequence length; real lengths are drawn between T/2 and T. Default: ${DEFAULT-VALUE}.")
    int length;

    @Option(names = "--masked", defaultValue = "20", converter = Checked.Positive.class, paramLabel = "P",
            description = "Masked-LM positions per sequence. Default: ${DEFAULT-VALUE}.")
    int masked;

    @Option(names = "--steps", defaultValue = "10", converter = Checked.Positive.class, paramLabel = "N",
            description = "Timed steps per phase. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--inference-passes", converter = Checked.Positive.class, paramLabel = "N",
            description = "Timed passes of the inference phase. Default: as many as --steps.")
    Integer inferencePasses;

    @Option(names = "--warmup", defaultValue = "2", converter = Checked.Positive.class, paramLabel = "N",
            description = "Untimed steps before each phase; the first training step is one of them. Default: ${DEFAULT-VALUE}.")
    int warmup;

    @Option(names = "--no-dropout", description = "Build the training graph without dropout, as bench/pt_bert_bench.py "
            + "builds its model (bench/compare.sh compares that way). Default: BERT's dropout, as in real training.")
    boolean noDropout;

    @Option(names = "--profile", description = "After the timed training steps, run as many again with a per-op timer and "
            + "print where the time goes: each kind of op, and SameDiff's own work between ops.")
    boolean profile;

    @Option(names = "--output", paramLabel = "FILE.json", description = "Also write the results as JSON.")
    Path output;

    @Override
    public Integer call() throws IOException {
        Path modelDirectory = weights == null || weights.model == null ? null : ModelStore.fromEnvironment().resolve(weights.model);
        BertConfig model = modelDirectory == null ? (shape == null ? BenchShape.MINI : shape).config() : modelConfig(modelDirectory);
        BertConfig config = noDropout ? model.withoutDropout() : model;
        String label = Arrays.stream(BenchShape.values()).filter(size -> size.matches(config)).findFirst()
                .map(BenchShape::label).orElse("custom");
        String weightsLabel = modelDirectory == null ? "random" : weights.model;

        BertBenchmark.Result result = BertBenchmark.run(
                new BertBenchmark.Settings(config, modelDirectory, batch, length, masked, steps,
                        inferencePasses == null ? steps : inferencePasses, warmup, profile));
        PrintWriter out = spec.commandLine().getOut();
        out.print(BenchReport.table(result, label, weightsLabel));
        out.flush();
        if (output != null) {
            AtomicFiles.writeJson(output, BenchReport.json(result, label, weightsLabel));
        }
        return 0;
    }

    /** The model's own configuration, checked against --config so a comparison never runs different sizes unnoticed. */
    private BertConfig modelConfig(Path modelDirectory) throws IOException {
        BertConfig config = Checkpoint.readConfig(modelDirectory);
        if (shape != null && !shape.matches(config)) {
            throw new ParameterException(spec.commandLine(), String.format(
                    "--model %s has %d hidden, %d layers, %d heads and %d intermediate, which is not --config %s",
                    weights.model, config.hiddenSize(), config.numLayers(), config.numHeads(), config.intermediateSize(), shape.label()));
        }
        return config;
    }
}
