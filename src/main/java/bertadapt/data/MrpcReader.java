package bertadapt.data;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Microsoft Research Paraphrase Corpus in the layout of {@code datasets/mrpc/}, split as GLUE splits it:
 * validation is {@code dev.tsv}, train is {@code msr_paraphrase_train.txt} less the pairs listed in
 * {@code dev_ids.tsv} (3,668 pairs; the copy of GLUE's {@code train.tsv} we have lacks one of them), and test is the
 * labelled {@code msr_paraphrase_test.txt}. Every file but {@code dev_ids.tsv} is
 * tab-separated with the header {@code Quality, #1 ID, #2 ID, #1 String, #2 String} after a UTF-8 BOM; quotes are
 * literal characters of the sentences. Labels: {@code 1} paraphrase, {@code 0} not.
 */
public final class MrpcReader {

    public static final List<String> COLUMNS = List.of("Quality", "#1 ID", "#2 ID", "#1 String", "#2 String");
    private static final LabelDecoder LABELS = LabelDecoder.exactly(List.of("0", "1"));
    private static final DelimitedFiles.Layout LAYOUT =
            new DelimitedFiles.Layout(DelimitedFiles.TSV_LITERAL_QUOTES, true, COLUMNS);
    private static final DelimitedFiles.Layout DEV_IDS_LAYOUT =
            new DelimitedFiles.Layout(DelimitedFiles.TSV_LITERAL_QUOTES, false, List.of("#1 ID", "#2 ID"));

    private MrpcReader() {
    }

    /** Reads train, validation and test from the MRPC folder. */
    public static LabelledDataset read(Path folder, BadRows badRows) {
        Set<List<String>> devIds = Set.copyOf(DelimitedFiles.read(folder.resolve("dev_ids.tsv"), DEV_IDS_LAYOUT,
                row -> List.of(row.text(Column.at(0)), row.text(Column.at(1))), badRows));
        List<Example> train = DelimitedFiles.read(folder.resolve("msr_paraphrase_train.txt"), LAYOUT,
                row -> new Identified(List.of(row.get(Column.at(1)), row.get(Column.at(2))), toExample(row)), badRows)
                .stream().filter(pair -> !devIds.contains(pair.ids())).map(Identified::example).toList();
        Map<Split, List<Example>> splits = new EnumMap<>(Split.class);
        splits.put(Split.TRAIN, train);
        splits.put(Split.VALIDATION, readFile(folder.resolve("dev.tsv"), badRows));
        splits.put(Split.TEST, readFile(folder.resolve("msr_paraphrase_test.txt"), badRows));
        return new LabelledDataset("mrpc", splits, LABELS.vocabulary().orElseThrow());
    }

    /** Reads one MRPC file ({@code msr_paraphrase_*.txt} or GLUE's labelled {@code *.tsv}). */
    public static List<Example> readFile(Path file, BadRows badRows) {
        return DelimitedFiles.read(file, LAYOUT, MrpcReader::toExample, badRows);
    }

    private static Example toExample(Row row) {
        return new Example(row.text(Column.at(3)), row.text(Column.at(4)), row.label(Column.at(0), LABELS),
                row.source());
    }

    /** An example with its {@code #1 ID, #2 ID} pair, which is how {@code dev_ids.tsv} names it. */
    private record Identified(List<String> ids, Example example) {
    }
}
