package bertadapt.cli;

import java.util.Iterator;

import bertadapt.data.DatasetRegistry;

/** The names {@code --dataset} accepts, for help texts and shell completion. */
final class KnownDatasetNames implements Iterable<String> {

    /** What {@code --dataset} takes, for its help text. */
    static final String HELP = "Dataset: ${COMPLETION-CANDIDATES}, or a dataset description file (.yaml) naming CSV, TSV or "
            + "JSONL files of your own (README: \"Datasets of your own\").";

    @Override
    public Iterator<String> iterator() {
        return DatasetRegistry.names().iterator();
    }
}
