package bertadapt.pretrain;

import java.util.List;

/**
 * One document of a corpus: its sentences in order, none blank. {@code index} is the document's
 * position in its corpus (0-based), which keeps a held-out split stable however the corpus is read.
 */
public record Document(long index, List<String> sentences) {

    public Document {
        sentences = List.copyOf(sentences);
        if (sentences.isEmpty()) {
            throw new IllegalArgumentException("document " + index + " has no sentences");
        }
    }
}
