package bertadapt.pretrain;

import bertadapt.text.BertTokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static bertadapt.TestFiles.names;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pre-generation end to end with the real tokenizer on a hand-made vocabulary, and the file format. */
class PretrainingFilesTest {

    @TempDir
    static Path shared;
    @TempDir
    Path temp;

    private static BertTokenizer tokenizer;
    private static Corpus corpus;

    @BeforeAll
    static void corpusAndTokenizer() throws IOException {
        tokenizer = TestVocabulary.tokenizer(shared);
        Path file = TestVocabulary.writeGoogleFormat(shared.resolve("corpus.txt"),
                TestVocabulary.randomDocuments(30, new SplittableRandom(21)));
        corpus = Corpus.googleFormat(file);
    }

    @AfterAll
    static void closeTokenizer() {
        tokenizer.close();
    }

    private static PretrainingDataConfig config(InstanceMode mode) {
        return PretrainingDataConfig.defaults(mode, 32).withEpochs(3).withSeed(42).withDocumentsPerShard(7)
                .withShowProgress(false);
    }

    private static List<PretrainingInstance> readAll(Path file) throws IOException {
        try (Stream<PretrainingInstance> instances = PretrainingFileReader.stream(file)) {
            return instances.toList();
        }
    }

    @Test
    void writesOneFilePerEpochThatReadsBackAsGeneratedWithoutTempFiles() throws IOException {
        PretrainingDataGenerator generator = new PretrainingDataGenerator(tokenizer,
                config(InstanceMode.NEXT_SENTENCE).withShowProgress(true));
        List<Path> files = generator.writeEpochs(corpus, temp.resolve("out"), "nsp");
        List<List<PretrainingInstance>> inMemory = generator.generate(corpus);

        List<String> epochFiles = List.of("nsp.epoch0.bin", "nsp.epoch1.bin", "nsp.epoch2.bin");
        assertEquals(epochFiles, files.stream().map(file -> file.getFileName().toString()).toList());
        assertEquals(epochFiles, names(temp.resolve("out")), "only the epoch files, no temp files");
        for (int epoch = 0; epoch < 3; epoch++) {
            List<PretrainingInstance> instances = readAll(files.get(epoch));
            assertTrue(instances.size() > 30, "instances in epoch " + epoch + ": " + instances.size());
            assertEquals(inMemory.get(epoch), instances, "epoch " + epoch + " reads back as generated");
            for (PretrainingInstance instance : instances) {
                assertTrue(instance.length() <= 32);
                assertTrue(instance.maskedPositions().length >= 1 && instance.maskedPositions().length <= 20);
            }
        }
        assertNotEquals(maskings(inMemory.get(0)), maskings(inMemory.get(1)), "each epoch is masked anew");
    }

    private static List<String> maskings(List<PretrainingInstance> instances) {
        return instances.stream().map(instance -> Arrays.toString(instance.maskedPositions())).sorted().toList();
    }

    @Test
    void sameSeedGivesIdenticalFilesAndAnotherSeedDoesNot() throws IOException {
        PretrainingDataConfig config = config(InstanceMode.GROUPED_TEXT).withMasking(new MaskingConfig(0.15, 20, true));
        List<Path> first = new PretrainingDataGenerator(tokenizer, config).writeEpochs(corpus, temp.resolve("a"), "g");
        List<Path> second = new PretrainingDataGenerator(tokenizer, config).writeEpochs(corpus, temp.resolve("b"), "g");
        List<Path> other = new PretrainingDataGenerator(tokenizer, config.withSeed(43)).writeEpochs(corpus, temp.resolve("c"), "g");
        for (int epoch = 0; epoch < 3; epoch++) {
            assertEquals(-1, Files.mismatch(first.get(epoch), second.get(epoch)), "epoch " + epoch);
            assertNotEquals(-1, Files.mismatch(first.get(epoch), other.get(epoch)), "epoch " + epoch);
        }
    }

    @Test
    void everyModeTokenisesTheCorpus() throws IOException {
        List<PretrainingInstance> lines = new PretrainingDataGenerator(tokenizer, config(InstanceMode.LINE_BY_LINE))
                .generate(corpus).get(0);
        long sentences;
        try (Stream<Document> documents = corpus.documents()) {
            sentences = documents.mapToLong(document -> document.sentences().size()).sum();
        }
        assertEquals(sentences, lines.size());
        int unaffable = TestVocabulary.id("##aff");
        assertTrue(lines.stream().anyMatch(instance -> Arrays.stream(instance.tokenIds()).anyMatch(id -> id == unaffable)
                || Arrays.stream(instance.maskedLabels()).anyMatch(id -> id == unaffable)), "word pieces from the tokenizer");
    }

    @Test
    void unmaskedSequencesForDynamicMaskingAreMaskedAfreshEachEpoch() throws IOException {
        PretrainingDataGenerator generator = new PretrainingDataGenerator(tokenizer, config(InstanceMode.NEXT_SENTENCE));
        List<PretrainingSequence> sequences = generator.sequences(corpus, new SplittableRandom(1));
        assertEquals(sequences, generator.sequences(corpus, new SplittableRandom(1)), "seeded");
        assertTrue(sequences.stream().anyMatch(PretrainingSequence::isRandomNext));
        SplittableRandom random = new SplittableRandom(2);
        List<PretrainingInstance> epoch0 = sequences.stream().map(s -> generator.masker().mask(s, random)).toList();
        List<PretrainingInstance> epoch1 = sequences.stream().map(s -> generator.masker().mask(s, random)).toList();
        assertNotEquals(maskings(epoch0), maskings(epoch1));
        for (int i = 0; i < sequences.size(); i++) {
            assertArrayEquals(sequences.get(i).segmentIds(), epoch1.get(i).segmentIds());
            assertEquals(sequences.get(i).isRandomNext(), epoch1.get(i).isRandomNext());
        }
    }

    @Test
    void shardsNeverLeaveOneDocumentAloneForNextSentencePairs() throws IOException {
        List<String> texts = List.of("the cat sat. it ran.", "a dog. the mat.", "big red tree. a bird sang.",
                "the river. then it was quiet.", "over the field. under the tree.");
        PretrainingDataConfig config = config(InstanceMode.NEXT_SENTENCE).withDocumentsPerShard(2);
        List<List<PretrainingInstance>> epochs = new PretrainingDataGenerator(tokenizer, config)
                .generate(Corpus.ofTexts(texts, SentenceSplitting.SIMPLE));
        assertFalse(epochs.get(0).isEmpty());
        Corpus single = Corpus.ofTexts(texts.subList(0, 1), SentenceSplitting.SIMPLE);
        assertThrows(IllegalArgumentException.class, () -> new PretrainingDataGenerator(tokenizer, config).generate(single));
    }

    /** Counts bytes handed to the reader, to see how much of the file it has consumed. */
    private static final class CountingInputStream extends FilterInputStream {
        long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count += b >= 0 ? 1 : 0;
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            count += Math.max(n, 0);
            return n;
        }
    }

    @Test
    void readerStreamsAFileMuchLargerThanItsBuffer() throws IOException {
        Path file = temp.resolve("big.bin");
        List<PretrainingInstance> written = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(8);
        Masker masker = new Masker(TestVocabulary.vocab(), MaskingConfig.defaults());
        try (PretrainingFileWriter writer = PretrainingFileWriter.create(file)) {
            for (int n = 0; n < 5_000; n++) {
                int[] content = random.ints(random.nextInt(20, 120), TestVocabulary.FIRST_WORD, 30).toArray();
                PretrainingInstance instance = masker.mask(
                        PretrainingSequence.single(content, 0, content.length, TestVocabulary.vocab()), random);
                writer.write(instance);
                written.add(instance);
            }
            writer.commit();
        }
        long size = Files.size(file);
        assertTrue(size > 1_000_000, "file of " + size + " bytes");
        try (CountingInputStream counting = new CountingInputStream(Files.newInputStream(file));
             PretrainingFileReader reader = PretrainingFileReader.of(counting, file.toString())) {
            assertEquals(written.get(0), reader.next());
            assertTrue(counting.count < size / 10, "read " + counting.count + " of " + size + " bytes for one instance");
            int read = 1;
            while (reader.hasNext()) {
                assertEquals(written.get(read), reader.next(), "instance " + read);
                read++;
            }
            assertEquals(written.size(), read);
            assertEquals(size, counting.count);
        }
    }

    @Test
    void aFileCutShortIsReportedAndAnAbandonedWriteLeavesNothing() throws IOException {
        PretrainingInstance instance = new PretrainingInstance(new int[] {2, 7, 4, 3, 9, 3}, new int[] {0, 0, 0, 1, 1, 1},
                new int[] {2}, new int[] {8}, true);
        Path file = temp.resolve("one.bin");
        try (PretrainingFileWriter writer = PretrainingFileWriter.create(file)) {
            writer.write(instance);
            writer.commit();
        }
        assertEquals(List.of(instance), readAll(file));
        byte[] bytes = Files.readAllBytes(file);
        Path cut = Files.write(temp.resolve("cut.bin"), Arrays.copyOf(bytes, bytes.length - 9));
        assertThrows(UncheckedIOException.class, () -> readAll(cut), "no end record");

        Path abandoned = temp.resolve("sub").resolve("abandoned.bin");
        try (PretrainingFileWriter writer = PretrainingFileWriter.create(abandoned)) {
            writer.write(instance);
        }
        assertEquals(List.of(), names(abandoned.getParent()), "neither the file nor its temp file");
    }

    @Test
    void segmentIdsRoundTripThroughTheirPrefixLength() throws IOException {
        int[] segments = {0, 0, 0, 0, 1, 1};
        PretrainingInstance instance = new PretrainingInstance(new int[] {2, 7, 8, 3, 9, 3}, segments,
                new int[0], new int[0], false);
        Path file = temp.resolve("segments.bin");
        try (PretrainingFileWriter writer = PretrainingFileWriter.create(file)) {
            writer.write(instance);
            assertThrows(IllegalArgumentException.class, () -> writer.write(new PretrainingInstance(
                    new int[] {2, 7, 3}, new int[] {0, 1, 0}, new int[0], new int[0], false)));
            writer.commit();
        }
        assertArrayEquals(segments, readAll(file).get(0).segmentIds());
    }
}
