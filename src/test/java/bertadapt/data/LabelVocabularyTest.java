package bertadapt.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabelVocabularyTest {

    @TempDir
    Path dir;

    private static Example labelled(String label) {
        return new Example("text", null, label, "test");
    }

    @Test
    void integerLabelsSortNumericallyOthersByString() {
        assertEquals(List.of("2", "10"), LabelVocabulary.fromExamples(List.of(labelled("10"), labelled("2"))).names());
        assertEquals(List.of("neg", "pos"), LabelVocabulary.fromExamples(List.of(labelled("pos"), labelled("neg"),
                new Example("unlabelled", null, null, "test"))).names());
    }

    @Test
    void roundTripsThroughJsonAndNamesUnknownLabels() {
        LabelVocabulary labels = LabelVocabulary.of(List.of("World", "Sports", "Business", "Sci/Tech"));
        Path file = dir.resolve("model/labels.json");
        labels.write(file);
        LabelVocabulary read = LabelVocabulary.read(file);
        assertEquals(labels, read);
        assertEquals(3, read.id("Sci/Tech"));
        assertEquals("Sports", read.name(1));
        String message = assertThrows(IllegalArgumentException.class, () -> read.id("tech")).getMessage();
        assertEquals("Unknown label 'tech'; known labels: [World, Sports, Business, Sci/Tech]", message);
    }

    @Test
    void registryNamesUnknownAndMissingDatasets() {
        String unknown = assertThrows(IllegalArgumentException.class, () -> DatasetRegistry.load("sst2",
                Path.of("datasets"))).getMessage();
        assertTrue(unknown.contains("mrpc, medical-question-pairs, ag-news, ag-news-test, imdb"), unknown);
        String missing = assertThrows(MissingDatasetException.class, () -> DatasetRegistry.load("imdb", dir))
                .getMessage();
        assertTrue(missing.endsWith("fetch it with: dataset fetch imdb"), missing);
    }
}
