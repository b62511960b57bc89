package bertadapt.data;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * AG's News topic classification, single texts labelled with the class names of the dataset's class file.
 * Backslashes, which the authors used for line breaks, become spaces and {@code \$} becomes {@code $}; the
 * {@code #39;}-style remains of HTML entities are left as published.
 *
 * <ul>
 *   <li>The original {@code test.csv}: CSV without a header, {@code class, title, description}, classes 1-4 named
 *       by {@code classes.txt} (World, Sports, Business, Sci/Tech). The text is title, a space, description.</li>
 *   <li>The subset's {@code subset/{train,dev,test}.csv}: CSV without a header, {@code text, label}, labels 0-3
 *       named by {@code subset/class.txt} (world, sports, business, tech).</li>
 * </ul>
 */
public final class AgNewsReader {

    private static final DelimitedFiles.Layout ORIGINAL = new DelimitedFiles.Layout(DelimitedFiles.CSV, false,
            List.of("class", "title", "description"));
    private static final DelimitedFiles.Layout SUBSET = new DelimitedFiles.Layout(DelimitedFiles.CSV, false,
            List.of("text", "label"));

    private AgNewsReader() {
    }

    /** The original test set: {@code folder/test.csv} with {@code folder/classes.txt}, as a test-only dataset. */
    public static LabelledDataset readOriginalTest(Path folder, BadRows badRows) {
        LabelDecoder labels = LabelDecoder.classFile(folder.resolve("classes.txt"), 1);
        List<Example> test = DelimitedFiles.read(folder.resolve("test.csv"), ORIGINAL, row -> new Example(
                TextCleaning.agNews(row.text(Column.at(1)) + " " + row.text(Column.at(2))), null,
                row.label(Column.at(0), labels), row.source()), badRows);
        return new LabelledDataset("ag-news-test", Map.of(Split.TEST, test), labels.vocabulary().orElseThrow());
    }

    /** The subset: {@code folder/{train,dev,test}.csv} with {@code folder/class.txt}. */
    public static LabelledDataset readSubset(Path folder, BadRows badRows) {
        LabelDecoder labels = LabelDecoder.classFile(folder.resolve("class.txt"), 0);
        Map<Split, List<Example>> splits = new EnumMap<>(Split.class);
        splits.put(Split.TRAIN, readSubsetFile(folder.resolve("train.csv"), labels, badRows));
        splits.put(Split.VALIDATION, readSubsetFile(folder.resolve("dev.csv"), labels, badRows));
        splits.put(Split.TEST, readSubsetFile(folder.resolve("test.csv"), labels, badRows));
        return new LabelledDataset("ag-news", splits, labels.vocabulary().orElseThrow());
    }

    private static List<Example> readSubsetFile(Path file, LabelDecoder labels, BadRows badRows) {
        return DelimitedFiles.read(file, SUBSET, row -> new Example(TextCleaning.agNews(row.text(Column.at(0))), null,
                row.label(Column.at(1), labels), row.source()), badRows);
    }
}
