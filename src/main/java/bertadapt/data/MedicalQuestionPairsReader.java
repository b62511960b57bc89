package bertadapt.data;

import java.nio.file.Path;
import java.util.List;

/**
 * Medical Question Pairs ({@code mqp.csv}): CSV without a header, columns {@code dr_id, question_1, question_2,
 * label}, label {@code 1} when the doctor's question means the same as the patient's, {@code 0} when not. The file
 * has no splits; {@link Splits#stratified} makes them.
 */
public final class MedicalQuestionPairsReader {

    public static final List<String> COLUMNS = List.of("dr_id", "question_1", "question_2", "label");
    private static final LabelDecoder LABELS = LabelDecoder.exactly(List.of("0", "1"));
    private static final DelimitedFiles.Layout LAYOUT = new DelimitedFiles.Layout(DelimitedFiles.CSV, false, COLUMNS);

    private MedicalQuestionPairsReader() {
    }

    public static List<Example> read(Path file, BadRows badRows) {
        return DelimitedFiles.read(file, LAYOUT, row -> new Example(row.text(Column.at(1)), row.text(Column.at(2)),
                row.label(Column.at(3), LABELS), row.source()), badRows);
    }

    public static LabelVocabulary labels() {
        return LABELS.vocabulary().orElseThrow();
    }
}
