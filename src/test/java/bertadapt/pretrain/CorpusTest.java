package bertadapt.pretrain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CorpusTest {

    @TempDir
    Path temp;

    private static List<Document> read(Corpus corpus) throws IOException {
        try (Stream<Document> documents = corpus.documents()) {
            return documents.toList();
        }
    }

    @Test
    void googleFormatSplitsDocumentsAtBlankLinesAndIgnoresExtraOnes() throws IOException {
        Path file = temp.resolve("corpus.txt");
        Files.writeString(file, "\n  \nFirst sentence.\n  Second one.  \n\n \n\nOther document.\n\n", StandardCharsets.UTF_8);
        Corpus corpus = Corpus.googleFormat(file);
        List<Document> expected = List.of(
                new Document(0, List.of("First sentence.", "Second one.")),
                new Document(1, List.of("Other document.")));
        assertEquals(expected, read(corpus));
        assertEquals(expected, read(corpus), "each read starts from the beginning");
    }

    @Test
    void textsAreDocumentsSplitSimplyOrKeptWhole() throws IOException {
        List<String> texts = List.of("It rained. Then it stopped! Did it?\nYes: \"quite.\" Done", "   ", "中文。好");
        assertEquals(List.of(
                new Document(0, List.of("It rained.", "Then it stopped!", "Did it?", "Yes: \"quite.\"", "Done")),
                new Document(2, List.of("中文。", "好"))), read(Corpus.ofTexts(texts, SentenceSplitting.SIMPLE)));
        assertEquals(List.of(new Document(0, List.of(texts.get(0))), new Document(2, List.of("中文。好"))),
                read(Corpus.ofTexts(texts, SentenceSplitting.WHOLE_TEXT)), "blank texts are skipped but keep their index");
    }

    @Test
    void heldOutSplitIsSeededDisjointCompleteAndRoughlyTheFraction() throws IOException {
        List<String> texts = IntStream.range(0, 2_000).mapToObj(i -> "text " + i).toList();
        Corpus.Split split = Corpus.ofTexts(texts, SentenceSplitting.WHOLE_TEXT).splitHeldOut(0.1, 99);
        List<Document> training = read(split.training());
        List<Document> heldOut = read(split.heldOut());
        Set<Long> indexes = new HashSet<>();
        training.forEach(document -> indexes.add(document.index()));
        heldOut.forEach(document -> assertTrue(indexes.add(document.index()), "in both sides: " + document));
        assertEquals(2_000, indexes.size());
        assertEquals(200, heldOut.size(), 40);
        assertEquals(heldOut, read(split.heldOut()), "stable across reads");
        assertEquals(heldOut, read(Corpus.ofTexts(texts, SentenceSplitting.WHOLE_TEXT).splitHeldOut(0.1, 99).heldOut()),
                "same seed, same split");
        assertTrue(!heldOut.equals(read(Corpus.ofTexts(texts, SentenceSplitting.WHOLE_TEXT).splitHeldOut(0.1, 100).heldOut())),
                "another seed, another split");
    }
}
