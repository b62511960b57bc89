package bertadapt.pretrain;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;

/** Groups the lines of Google's format into documents, one document per advance. */
final class GoogleFormatDocuments extends Spliterators.AbstractSpliterator<Document> {

    private final BufferedReader reader;
    private final Path file;
    private long nextIndex;

    GoogleFormatDocuments(BufferedReader reader, Path file) {
        super(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL);
        this.reader = reader;
        this.file = file;
    }

    @Override
    public boolean tryAdvance(Consumer<? super Document> action) {
        List<String> sentences = new ArrayList<>();
        try {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String sentence = line.strip();
                if (!sentence.isEmpty()) {
                    sentences.add(sentence);
                } else if (!sentences.isEmpty()) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading corpus " + file, e);
        }
        if (sentences.isEmpty()) {
            return false;
        }
        action.accept(new Document(nextIndex++, sentences));
        return true;
    }
}
