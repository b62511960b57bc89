package bertadapt.pretrain;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import bertadapt.data.Example;

/**
 * A re-readable source of documents. Each {@link #documents()} call starts from the beginning and
 * returns a lazy stream that must be closed (try-with-resources), so a corpus file larger than
 * memory is read one document at a time.
 */
@FunctionalInterface
public interface Corpus {

    /** The documents in order; read errors surface as {@link UncheckedIOException}. */
    Stream<Document> documents() throws IOException;

    /**
     * Google's pre-training text format: one sentence per line, a blank line between documents.
     * Lines are stripped; runs of blank lines and blank lines at either end make no empty documents.
     */
    static Corpus googleFormat(Path file) {
        return () -> {
            BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
            return StreamSupport.stream(new GoogleFormatDocuments(reader, file), false).onClose(() -> {
                try {
                    reader.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        };
    }

    /**
     * Each text (say, a labelled data set's texts, for task-adaptive pre-training) is one document,
     * cut into sentences by {@code splitting}; texts with no sentence are skipped but keep their
     * index, so document {@code i} is always text {@code i}.
     */
    static Corpus ofTexts(List<String> texts, SentenceSplitting splitting) {
        List<String> copy = List.copyOf(texts);
        return () -> IntStream.range(0, copy.size()).boxed().flatMap(i -> {
            List<String> sentences = splitting.split(copy.get(i));
            return sentences.isEmpty() ? Stream.empty() : Stream.of(new Document(i, sentences));
        });
    }

    /** Each text of {@code examples} is one document, both texts of a pair, in order; see {@link #ofTexts}. */
    static Corpus ofExamples(List<Example> examples, SentenceSplitting splitting) {
        List<String> texts = new ArrayList<>();
        for (Example example : examples) {
            texts.add(example.textA());
            if (example.isPair()) {
                texts.add(example.textB());
            }
        }
        return ofTexts(texts, splitting);
    }

    /**
     * Splits off about {@code heldOutFraction} of the documents for evaluation. Whether a document is
     * held out depends only on {@code seed} and its index, so the split streams, is the same on every
     * read and never mixes sentences of one document across the two sides; the held-out count is
     * binomial, not exact, and may be zero for a tiny corpus.
     */
    default Split splitHeldOut(double heldOutFraction, long seed) {
        if (!(heldOutFraction >= 0 && heldOutFraction <= 1)) {
            throw new IllegalArgumentException("heldOutFraction must be in [0, 1], got " + heldOutFraction);
        }
        Corpus all = this;
        Corpus training = () -> all.documents().filter(d -> !Split.isHeldOut(d.index(), heldOutFraction, seed));
        Corpus heldOut = () -> all.documents().filter(d -> Split.isHeldOut(d.index(), heldOutFraction, seed));
        return new Split(training, heldOut);
    }

    /** The two sides of {@link #splitHeldOut}. */
    record Split(Corpus training, Corpus heldOut) {

        static boolean isHeldOut(long documentIndex, double heldOutFraction, long seed) {
            // A generator seeded from (seed, index) gives each document an independent uniform draw.
            return new SplittableRandom(seed ^ (documentIndex * 0x9E3779B97F4A7C15L)).nextDouble() < heldOutFraction;
        }
    }
}
