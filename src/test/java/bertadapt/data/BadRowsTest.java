package bertadapt.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed rows: a message with file, line and expectation by default; counted and skipped on request. */
class BadRowsTest {

    @TempDir
    Path dir;

    private Path mqp(String... lines) throws IOException {
        return Files.writeString(dir.resolve("mqp.csv"), String.join("\n", lines) + "\n");
    }

    private static String failure(Path file) {
        return assertThrows(DatasetFormatException.class, () -> MedicalQuestionPairsReader.read(file, BadRows.fail()))
                .getMessage();
    }

    @Test
    void wrongColumnCountNamesFileLineAndColumns() throws IOException {
        Path file = mqp("1,a?,b?,1", "1,c?,0");
        String message = failure(file);
        assertTrue(message.startsWith(file + ":2: expected 4 columns [dr_id, question_1, question_2, label] but "
                + "found 3"), message);
    }

    @Test
    void unknownLabelNamesTheLabelAndTheKnownOnes() throws IOException {
        String message = failure(mqp("1,a?,b?,1", "", "1,c?,d?,yes"));
        assertTrue(message.endsWith("mqp.csv:3: unknown label 'yes' in column #3 (label); expected one of [0, 1]"),
                message);
    }

    @Test
    void missingLabel() throws IOException {
        String message = failure(mqp("1,a?,b?,"));
        assertTrue(message.endsWith("mqp.csv:1: missing label in column #3 (label); expected one of [0, 1]"), message);
    }

    @Test
    void emptyTextAfterAQuotedLineBreakHasTheRightLine() throws IOException {
        String message = failure(mqp("1,\"two\nlines\",b?,1", "1,c?,\"  \",0"));
        assertTrue(message.endsWith("mqp.csv:3: empty text in column #2 (question_2); expected a non-empty text"),
                message);
    }

    @Test
    void mrpcHeaderIsChecked() throws IOException {
        Path file = Files.writeString(dir.resolve("train.tsv"), "\uFEFFQuality\tID\tString\n1\ta\tb\n");
        String message = assertThrows(DatasetFormatException.class, () -> MrpcReader.readFile(file, BadRows.fail()))
                .getMessage();
        assertEquals(file + ":1: expected the header " + MrpcReader.COLUMNS + " but found [Quality, ID, String]",
                message);
    }

    @Test
    void skipModeCountsBadRowsAndKeepsTheGoodOnes() throws IOException {
        Path file = mqp("1,a?,b?,1", "1,c?,0", "1,d?,e?,2", "1,f?,g?,", "1,,h?,1", "2,i?,j?,0");
        BadRows bad = BadRows.skip();
        List<Example> examples = MedicalQuestionPairsReader.read(file, bad);
        assertEquals(List.of("a?", "i?"), examples.stream().map(Example::textA).toList());
        assertEquals(4, bad.count());
        assertEquals(4, bad.firstReasons().size());
        assertTrue(bad.firstReasons().get(0).startsWith(file + ":2: expected 4 columns"), bad.firstReasons().get(0));
        assertTrue(bad.summary().startsWith("4 bad rows skipped; first: " + file + ":2:"), bad.summary());
    }

    @Test
    void genericReaderByHeaderNamesAndJsonLines() throws IOException {
        Path csv = Files.writeString(dir.resolve("x.csv"), "id,sentence,label\n1,\"Good, really\",pos\n2,Bad,neg\n");
        TableReader.Spec spec = TableReader.Spec.of(TableReader.Format.CSV, Column.named("sentence"),
                Column.named("label"));
        List<Example> rows = TableReader.read(csv, spec, BadRows.fail());
        assertEquals(List.of("Good, really", "Bad"), rows.stream().map(Example::textA).toList());
        assertEquals(LabelVocabulary.of(List.of("neg", "pos")), LabelVocabulary.fromExamples(rows));

        Path jsonl = Files.writeString(dir.resolve("x.jsonl"), "{\"a\":\"q1\",\"b\":\"q2\",\"y\":1}\n\n"
                + "{\"a\":\"q3\",\"b\":\"q4\",\"y\":7}\n");
        TableReader.Spec pairs = TableReader.Spec.of(TableReader.Format.JSONL, Column.named("a"), Column.named("y"))
                .withTextPair(Column.named("b")).withKnownLabels(LabelVocabulary.of(List.of("0", "1")));
        String message = assertThrows(DatasetFormatException.class, () -> TableReader.read(jsonl, pairs,
                BadRows.fail())).getMessage();
        assertEquals(jsonl + ":3: unknown label '7' in column 'y'; expected one of [0, 1]", message);
        BadRows bad = BadRows.skip();
        List<Example> kept = TableReader.read(jsonl, pairs, bad);
        assertEquals(List.of(new Example("q1", "q2", "1", jsonl + ":1")), kept);
        assertEquals(1, bad.count());
    }

    @Test
    void tsvWithoutHeaderTakesTheFirstRowsColumnCount() throws IOException {
        Path tsv = Files.writeString(dir.resolve("x.tsv"), "\"quoted\ttext\t1\nonly two\t0\n");
        TableReader.Spec spec = new TableReader.Spec(TableReader.Format.TSV, null, false, Column.at(1), null,
                Column.at(2), null);
        String message = assertThrows(DatasetFormatException.class, () -> TableReader.read(tsv, spec,
                BadRows.fail())).getMessage();
        assertEquals(tsv + ":2: expected 3 columns [column 0, column 1, column 2] but found 2", message);
        assertEquals("\"quoted", TableReader.read(tsv, spec.withTextPair(Column.at(0)), BadRows.skip()).get(0).textB());
    }
}
