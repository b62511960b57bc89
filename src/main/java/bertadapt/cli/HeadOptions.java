package bertadapt.cli;

import bertadapt.model.Freezing;
import bertadapt.model.Heads;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** The classification head and which encoder weights stay frozen: {@code finetune} and {@code summary}. */
final class HeadOptions {

    @Option(names = "--head", defaultValue = "linear", paramLabel = "TYPE",
            description = "Classification head: ${COMPLETION-CANDIDATES} (case-insensitive); linear is a dense layer on [CLS], "
                    + "mlp is dense, ReLU, dense. "
                    + "Default: ${DEFAULT-VALUE}.")
    Heads.ClassifierType head;

    @ArgGroup(exclusive = true)
    Frozen frozen;

    static final class Frozen {

        @Option(names = "--freeze-encoder", required = true,
                description = "Freeze embeddings, every layer and the pooler: only the head trains.")
        boolean encoder;

        @Option(names = "--freeze-layer-count", required = true, paramLabel = "N",
                description = "Freeze the embeddings and encoder layers 0..N-1; -1 freezes the embeddings only.")
        int layerCount;
    }

    boolean freezeEncoder() {
        return frozen != null && frozen.encoder;
    }

    /** {@link Freezing#NONE} unless {@code --freeze-layer-count} was given. */
    int freezeLayerCount() {
        return frozen == null || frozen.encoder ? Freezing.NONE : frozen.layerCount;
    }
}
