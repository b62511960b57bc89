package bertadapt.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableDatasetTest {

    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private LabelledDataset load(Path description) {
        return DatasetRegistry.load(description.toString(), dir.resolve("unused"), DatasetRegistry.Options.defaults());
    }

    private String error(String description) throws IOException {
        Path file = write("bad.yaml", description);
        return assertThrows(RuntimeException.class, () -> load(file)).getMessage();
    }

    @Test
    void csvFilesWithAHeaderAndEverySplitReadByColumnName() throws IOException {
        write("train.csv", "id,question,answer,verdict\n1,\"Is it, then?\",yes it is,same\n2,why,because,other\n"
                + "3,who,me,same\n");
        write("dev.csv", "id,question,answer,verdict\n4,where,here,other\n");
        write("test.csv", "id,question,answer,verdict\n5,when,now,same\n6,how,so,same\n");
        Path description = write("my-pairs.yaml", """
                text: question
                text_pair: answer
                label: verdict
                splits: {train: train.csv, dev: dev.csv, test: test.csv}
                """);

        LabelledDataset dataset = load(description);

        assertEquals("my-pairs", dataset.name(), "named after the file");
        assertEquals(LabelVocabulary.of(List.of("other", "same")), dataset.labels(), "the training labels, sorted");
        assertEquals(List.of(Split.TRAIN, Split.VALIDATION, Split.TEST), List.copyOf(dataset.splits().keySet()));
        Example first = dataset.split(Split.TRAIN).get(0);
        assertEquals(List.of("Is it, then?", "yes it is", "same"), List.of(first.textA(), first.textB(), first.label()));
        assertEquals(dir.resolve("train.csv").toAbsolutePath() + ":2", first.source());
        assertEquals(1, dataset.split(Split.VALIDATION).size());
        assertEquals(2, dataset.split(Split.TEST).size());
        assertEquals(OptionalLong.empty(), dataset.splitSeed(), "the files' splits, not drawn");
        assertFalse(DatasetRegistry.hasUnlabelled(description.toString()));
    }

    @Test
    void withoutATestFileTheTrainingFileIsSplitAsTheRegistrySays() throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            lines.append("[\"text ").append(i).append("\", ").append(i % 5 == 0 ? "\"rare\"" : "\"common\"").append("]\n");
        }
        write("all.jsonl", lines.toString());
        Path description = write("positions.yml", """
                name: by-position
                text: 0
                label: 1
                labels: [rare, common]
                splits: {train: all.jsonl}
                """);

        LabelledDataset dataset = load(description);

        assertEquals("by-position", dataset.name());
        assertEquals(LabelVocabulary.of(List.of("rare", "common")), dataset.labels(), "the labels in the given order");
        assertEquals(TableReader.Format.JSONL, TableDataset.read(description).spec().format(), "from the extension");
        List<Example> all = TableReader.read(dir.resolve("all.jsonl"), TableDataset.read(description).spec(), BadRows.fail());
        Map<Split, List<Example>> expected = Splits.stratified(all, Map.of(Split.TRAIN, 0.8, Split.TEST, 0.2), 42);
        assertEquals(expected.get(Split.TRAIN), dataset.split(Split.TRAIN));
        assertEquals(expected.get(Split.TEST), dataset.split(Split.TEST));
        assertEquals(2, dataset.split(Split.TEST).stream().filter(e -> e.label().equals("rare")).count(), "stratified");
        assertEquals(OptionalLong.of(42), dataset.splitSeed());

        LabelledDataset seven = DatasetRegistry.load(description.toString(), dir.resolve("unused"),
                DatasetRegistry.Options.defaults().withSplitSeed(7));
        assertEquals(Splits.stratified(all, Map.of(Split.TRAIN, 0.8, Split.TEST, 0.2), 7).get(Split.TEST),
                seven.split(Split.TEST));
        assertEquals(OptionalLong.of(7), seven.splitSeed());
    }

    @Test
    void tsvWithAnUnlabelledFileForAdaptation() throws IOException {
        write("train.tsv", "0\t\"quoted\" text\tpos\n1\tplain text\tneg\n");
        write("test.tsv", "2\tmore text\tpos\n");
        write("more.tsv", "3\tno label here\n4\tnor here\n");
        Path description = write("reviews.yaml", """
                header: false
                text: 1
                label: 2
                splits: {train: train.tsv, test: test.tsv, unlabelled: more.tsv}
                """);

        LabelledDataset dataset = load(description);
        List<Example> unlabelled = DatasetRegistry.unlabelled(description.toString(), dir, BadRows.fail());

        assertEquals("\"quoted\" text", dataset.split(Split.TRAIN).get(0).textA(), "TSV keeps quotes as text");
        assertFalse(dataset.has(Split.UNLABELLED), "read only when asked for, as IMDb's");
        assertTrue(DatasetRegistry.hasUnlabelled(description.toString()));
        assertEquals(List.of("no label here", "nor here"), unlabelled.stream().map(Example::textA).toList());
        assertNull(unlabelled.get(0).label());
    }

    @Test
    void aLabelTheTrainingSplitDoesNotHaveIsAnErrorNamingFileAndLine() throws IOException {
        write("train.csv", "text,label\na,x\nb,y\n");
        write("test.csv", "text,label\nc,x\nd,z\n");
        Path description = write("d.yaml", "text: text\nlabel: label\nsplits: {train: train.csv, test: test.csv}\n");

        String message = assertThrows(DatasetFormatException.class, () -> load(description)).getMessage();

        assertTrue(message.contains(dir.resolve("test.csv").toAbsolutePath() + ":3"), message);
        assertTrue(message.contains("unknown label 'z'"), message);
    }

    @Test
    void descriptionErrorsNameTheFileAndTheKey() throws IOException {
        write("train.csv", "text,label\na,x\n");
        Path bad = dir.resolve("bad.yaml");
        assertEquals(bad + ": labelz: unknown key; known keys: [delimiter, format, header, label, labels, name, splits, "
                + "text, text_pair]", error("text: text\nlabel: label\nlabelz: [x]\nsplits: {train: train.csv}\n"));
        assertEquals(bad + ": splits.train: required: the file of the training split",
                error("text: text\nlabel: label\nsplits: {test: train.csv}\n"));
        assertEquals(bad + ": splits.test: " + dir.resolve("nope.csv").toAbsolutePath() + " does not exist",
                error("text: text\nlabel: label\nsplits: {train: train.csv, test: nope.csv}\n"));
        assertTrue(error("text: text\nlabel: label\nsplits: {train: train.csv, holdout: train.csv}\n")
                .startsWith(bad + ": splits.holdout: Unknown split 'holdout'"));
        assertEquals(bad + ": label: required: a column name or a 0-based position",
                error("text: text\nsplits: {train: train.csv}\n"));
        assertEquals(bad + ": format: expected csv, tsv or jsonl, got \"xlsx\"",
                error("format: xlsx\ntext: text\nlabel: label\nsplits: {train: train.csv}\n"));
        assertEquals(bad + ": delimiter: expected one character, for csv only; got \";\" for tsv",
                error("format: tsv\ndelimiter: \";\"\ntext: text\nlabel: label\nsplits: {train: train.csv}\n"));
        assertEquals(bad + ": labels: expected a list of distinct labels, got [\"x\",\"x\"]",
                error("text: text\nlabel: label\nlabels: [x, x]\nsplits: {train: train.csv}\n"));
        assertEquals("Dataset description " + dir.resolve("missing.yaml") + " does not exist",
                assertThrows(MissingDatasetException.class, () -> load(dir.resolve("missing.yaml"))).getMessage());
    }

    @Test
    void anUnknownNameSaysThatADescriptionIsAccepted() {
        String message = assertThrows(IllegalArgumentException.class,
                () -> DatasetRegistry.load("my-data", dir)).getMessage();
        assertTrue(message.endsWith("or a dataset description file (.yaml) for files of your own"), message);
        String known = assertThrows(IllegalArgumentException.class, () -> DatasetRegistry.folder("my-data", dir)).getMessage();
        assertTrue(known.endsWith("(mqp is short for medical-question-pairs)"), "fetch and list take no description: " + known);
    }
}
