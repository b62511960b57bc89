package bertadapt.cli;

import java.util.Iterator;

import bertadapt.data.DatasetRegistry;

/** The names {@code --dataset} accepts, for help texts and shell completion. */
final class KnownDatasetNames implements Iterable<String> {

    @Override
    public Iterator<String> iterator() {
        return DatasetRegistry.names().iterator();
    }
}
