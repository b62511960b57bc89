package bertadapt.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.nd4j.linalg.api.buffer.DataType;

import bertadapt.model.Bert;
import bertadapt.model.Freezing;
import bertadapt.model.Heads;
import bertadapt.weights.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bertadapt summary}: what a finetune run with the same freezing options would train. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = "Print trainable and frozen parameter counts per block of a model with a classification head, "
                + "under the freezing options finetune takes. Only the model's configuration is read.")
final class SummaryCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Mixin
    HeadOptions head;

    @Option(names = "--num-labels", defaultValue = "2", paramLabel = "C", converter = Checked.Positive.class,
            description = "Classes of the head. Default: ${DEFAULT-VALUE}.")
    int numLabels;

    @Override
    public Integer call() throws IOException {
        Bert bert = new Bert(Checkpoint.readConfig(model.resolve()), DataType.FLOAT, true);
        Heads.classifier(bert, numLabels, head.head);
        if (head.freezeEncoder()) {
            Freezing.freezeEncoder(bert);
        } else {
            Freezing.freezeLayerCount(bert, head.freezeLayerCount());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(Freezing.summaryTable(bert));
        out.flush();
        return 0;
    }
}
