package bertadapt.cli;

import java.util.Iterator;

import bertadapt.hub.ModelStore;

/** The names {@code --model} accepts without a path or hub id, for help texts and shell completion. */
final class KnownModelNames implements Iterable<String> {

    @Override
    public Iterator<String> iterator() {
        return ModelStore.knownModelNames().iterator();
    }
}
