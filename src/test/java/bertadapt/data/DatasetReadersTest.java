package bertadapt.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The readers on the files committed in the project's {@code datasets/} folder. */
class DatasetReadersTest {

    private static final Path DATASETS = Path.of("datasets");

    @Test
    void mrpcHasGlueTrainAndDevAndTheLabelledMsrTest() {
        LabelledDataset mrpc = DatasetRegistry.load("mrpc", DATASETS);
        assertEquals(3668, mrpc.split(Split.TRAIN).size());
        assertEquals(408, mrpc.split(Split.VALIDATION).size());
        assertEquals(1725, mrpc.split(Split.TEST).size());
        assertEquals(List.of("0", "1"), mrpc.labels().names());
        assertEquals(OptionalLong.empty(), mrpc.splitSeed(), "GLUE's splits, not drawn");

        Example first = mrpc.split(Split.TRAIN).get(0);
        assertEquals("1", first.label(), "the BOM must not end up in the Quality field");
        assertEquals("Amrozi accused his brother , whom he called \" the witness \" , of deliberately distorting his "
                + "evidence .", first.textA(), "quotes are literal characters");
        assertEquals("Referring to him as only \" the witness \" , Amrozi accused his brother of deliberately "
                + "distorting his evidence .", first.textB());
        assertEquals(Path.of("datasets/mrpc/msr_paraphrase_train.txt") + ":2", first.source());

        Example dev = mrpc.split(Split.VALIDATION).get(0);
        assertEquals("\" The foodservice pie business does not fit our long-term growth strategy .", dev.textB(),
                "an unbalanced quote at the start of a field stays text");
        assertEquals("PCCW 's chief operating officer , Mike Butcher , and Alex Arena , the chief financial officer , "
                + "will report directly to Mr So .", mrpc.split(Split.TEST).get(0).textA());
    }

    @Test
    void trainIsMsrTrainLessDevAndHoldsTheGlueTrainFile() {
        List<Example> msrTrain = MrpcReader.readFile(DATASETS.resolve("mrpc/msr_paraphrase_train.txt"), BadRows.fail());
        assertEquals(4076, msrTrain.size());
        List<Example> glueTrainFile = MrpcReader.readFile(DATASETS.resolve("mrpc/train.tsv"), BadRows.fail());
        assertEquals(3667, glueTrainFile.size(), "the train.tsv we have lacks pair 2750203/2750153");

        LabelledDataset mrpc = DatasetRegistry.load("mrpc", DATASETS);
        Set<String> train = texts(mrpc.split(Split.TRAIN));
        Set<String> dev = texts(mrpc.split(Split.VALIDATION));
        assertTrue(train.containsAll(texts(glueTrainFile)));
        assertTrue(mrpc.split(Split.TRAIN).stream().anyMatch(e -> e.textA().equals("Officials at Brandeis said this "
                + "was an \" extremely heartrending \" time for the campus .")));
        assertTrue(Collections.disjoint(train, dev));
        Set<String> union = new HashSet<>(train);
        union.addAll(dev);
        assertEquals(texts(msrTrain), union);
    }

    private static Set<String> texts(List<Example> examples) {
        return examples.stream().map(e -> e.textA() + "\t" + e.textB() + "\t" + e.label()).collect(Collectors.toSet());
    }

    @Test
    void medicalQuestionPairsAreBalancedAndSplit80To20() {
        List<Example> all = MedicalQuestionPairsReader.read(DATASETS.resolve("medical-question-pairs/mqp.csv"),
                BadRows.fail());
        assertEquals(3048, all.size());
        assertEquals(Map.of("0", 1524L, "1", 1524L), countByLabel(all));
        Example first = all.get(0);
        assertEquals("After how many hour from drinking an antibiotic can I drink alcohol?", first.textA());
        assertEquals("I have a party tonight and I took my last dose of Azithromycin this morning. Can I have a few "
                + "drinks?", first.textB());
        assertEquals("1", first.label());

        LabelledDataset mqp = DatasetRegistry.load("mqp", DATASETS);
        assertEquals("medical-question-pairs", mqp.name());
        assertEquals(2438, mqp.split(Split.TRAIN).size());
        assertEquals(610, mqp.split(Split.TEST).size());
        assertEquals(Map.of("0", 305L, "1", 305L), countByLabel(mqp.split(Split.TEST)));
        assertFalse(mqp.has(Split.VALIDATION));
        assertEquals(OptionalLong.of(42), mqp.splitSeed());

        LabelledDataset seven = DatasetRegistry.load("mqp", DATASETS, DatasetRegistry.Options.defaults().withSplitSeed(7));
        Map<Split, List<Example>> drawnWithSeven = Splits.stratified(all, Map.of(Split.TRAIN, 0.8, Split.TEST, 0.2), 7);
        assertEquals(drawnWithSeven.get(Split.TRAIN), seven.split(Split.TRAIN));
        assertEquals(drawnWithSeven.get(Split.TEST), seven.split(Split.TEST));
        assertNotEquals(mqp.split(Split.TEST), seven.split(Split.TEST));
        assertEquals(OptionalLong.of(7), seven.splitSeed());
    }

    @Test
    void agNewsSubsetHasItsThreeSplitsWithClassNames() {
        LabelledDataset ag = DatasetRegistry.load("ag-news", DATASETS);
        assertEquals(5000, ag.split(Split.TRAIN).size());
        assertEquals(1000, ag.split(Split.VALIDATION).size());
        assertEquals(1000, ag.split(Split.TEST).size());
        assertEquals(List.of("world", "sports", "business", "tech"), ag.labels().names());
        Example first = ag.split(Split.TRAIN).get(0);
        assertTrue(first.textA().startsWith("BEA buzzing about Beehive BURLINGAME, CALIF.--"), first.textA());
        assertEquals("tech", first.label());
        assertNull(first.textB());
        assertNoBackslashes(ag.split(Split.TRAIN));
    }

    @Test
    void agNewsOriginalTestHas1900OfEachClass() {
        LabelledDataset test = DatasetRegistry.load("ag-news-test", DATASETS);
        List<Example> examples = test.split(Split.TEST);
        assertEquals(7600, examples.size());
        assertEquals(List.of("World", "Sports", "Business", "Sci/Tech"), test.labels().names());
        assertEquals(Map.of("World", 1900L, "Sports", 1900L, "Business", 1900L, "Sci/Tech", 1900L),
                countByLabel(examples));
        assertEquals("Fears for T N pension after talks Unions representing workers at Turner   Newall say they are "
                + "'disappointed' after talks with stricken parent firm Federal Mogul.", examples.get(0).textA());
        assertEquals("Business", examples.get(0).label());
        assertTrue(examples.get(1).textA().contains("A second team of rocketeers"), "a backslash is a line break");
        assertNoBackslashes(examples);
        assertTrue(examples.stream().anyMatch(e -> e.textA().contains("over $1 billion")), "\\$ is a dollar sign");
    }

    static Map<String, Long> countByLabel(List<Example> examples) {
        return examples.stream().collect(Collectors.groupingBy(Example::label, Collectors.counting()));
    }

    private static void assertNoBackslashes(List<Example> examples) {
        assertEquals(List.of(), examples.stream().map(Example::textA).filter(text -> text.contains("\\")).limit(3)
                .toList());
    }
}
