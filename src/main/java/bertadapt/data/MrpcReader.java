package bertadapt.data;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The Microsoft Research Paraphrase Corpus in the layout of {@code datasets/mrpc/}: GLUE's {@code train.tsv} and
 * {@code dev.tsv} as train and validation, and the labelled {@code msr_paraphrase_test.txt} as test. Every file is
 * tab-separated with the header {@code Quality, #1 ID, #2 ID, #1 String, #2 String} after a UTF-8 BOM; quotes are
 * literal characters of the sentences. Labels: {@code 1} paraphrase, {@code 0} not.
 */
public final class MrpcReader {

    public static final List<String> COLUMNS = List.of("Quality", "#1 ID", "#2 ID", "#1 String", "#2 String");
    private static final LabelDecoder LABELS = LabelDecoder.exactly(List.of("0", "1"));
    private static final DelimitedFiles.Layout LAYOUT =
            new DelimitedFiles.Layout(DelimitedFiles.TSV_LITERAL_QUOTES, true, COLUMNS);

    private MrpcReader() {
    }

    /** Reads train, validation and test from a folder holding {@code train.tsv}, {@code dev.tsv} and {@code msr_paraphrase_test.txt}. */
    public static LabelledDataset read(Path folder, BadRows badRows) {
        Map<Split, List<Example>> splits = new EnumMap<>(Split.class);
        splits.put(Split.TRAIN, readFile(folder.resolve("train.tsv"), badRows));
        splits.put(Split.VALIDATION, readFile(folder.resolve("dev.tsv"), badRows));
        splits.put(Split.TEST, readFile(folder.resolve("msr_paraphrase_test.txt"), badRows));
        return new LabelledDataset("mrpc", splits, LABELS.vocabulary().orElseThrow());
    }

    /** Reads one MRPC file ({@code msr_paraphrase_*.txt} or GLUE's labelled {@code *.tsv}). */
    public static List<Example> readFile(Path file, BadRows badRows) {
        return DelimitedFiles.read(file, LAYOUT, row -> new Example(row.text(Column.at(3)), row.text(Column.at(4)),
                row.label(Column.at(0), LABELS), row.source()), badRows);
    }
}
