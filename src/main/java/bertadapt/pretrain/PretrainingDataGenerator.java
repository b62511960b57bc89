package bertadapt.pretrain;

import bertadapt.text.BertTokenizer;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * Builds masked pre-training instances from a corpus for K epochs, each epoch with its own masking
 * (and, for NSP, its own pairing), as Google's {@code dupe_factor} does.
 *
 * <p>The corpus is read once, in shards of {@link PretrainingDataConfig#documentsPerShard()}
 * documents (the last shard may hold one more, so NSP always has another document to draw from);
 * each shard is tokenised once and turned into every epoch's instances, shuffled within the shard.
 * Memory is therefore bounded by a shard, not the corpus. Epoch {@code k} uses the k-th generator
 * split off {@code SplittableRandom(seed)}, so the same seed, corpus and settings give the same
 * instances, and epochs differ from each other.
 */
public final class PretrainingDataGenerator {

    private final Function<String, int[]> wordPieces;
    private final PretrainingDataConfig config;
    private final SequenceBuilder builder;
    private final Masker masker;

    public PretrainingDataGenerator(BertTokenizer tokenizer, PretrainingDataConfig config) {
        this.wordPieces = tokenizer::wordPieceIds;
        this.config = config;
        PretrainingVocab vocab = PretrainingVocab.of(tokenizer.vocab());
        this.builder = switch (config.mode()) {
            case LINE_BY_LINE -> SequenceBuilder.lineByLine(config.maxSeqLength(), vocab);
            case GROUPED_TEXT -> SequenceBuilder.groupedText(config.maxSeqLength(), vocab);
            case NEXT_SENTENCE -> SequenceBuilder.nextSentencePairs(config.maxSeqLength(), config.shortSeqProbability(), vocab);
        };
        this.masker = new Masker(vocab, config.masking());
    }

    /** Every epoch's instances in memory (element k is epoch k), for corpora small enough to hold. */
    public List<List<PretrainingInstance>> generate(Corpus corpus) throws IOException {
        List<List<PretrainingInstance>> epochs = new ArrayList<>();
        List<InstanceSink> sinks = new ArrayList<>();
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            List<PretrainingInstance> instances = new ArrayList<>();
            epochs.add(instances);
            sinks.add(instances::add);
        }
        generate(corpus, sinks);
        return epochs;
    }

    /**
     * Writes epoch k to {@code directory/<fileStem>.epoch<k>.bin} (see {@link PretrainingFileWriter}
     * for the format). The files appear only once every epoch is generated; a failure while generating
     * leaves none of them and no temp files. Returns the files in epoch order.
     */
    public List<Path> writeEpochs(Corpus corpus, Path directory, String fileStem) throws IOException {
        List<Path> files = new ArrayList<>();
        List<PretrainingFileWriter> writers = new ArrayList<>();
        try {
            for (int epoch = 0; epoch < config.epochs(); epoch++) {
                Path file = directory.resolve(fileStem + ".epoch" + epoch + ".bin");
                files.add(file);
                writers.add(PretrainingFileWriter.create(file));
            }
            generate(corpus, writers.stream().<InstanceSink>map(writer -> writer::write).toList());
            for (PretrainingFileWriter writer : writers) {
                writer.commit();
            }
        } finally {
            for (PretrainingFileWriter writer : writers) {
                writer.close();
            }
        }
        return files;
    }

    /**
     * The corpus's unmasked sequences, in memory and unshuffled, for masking on the fly with
     * {@link #masker()} (dynamic masking: a fresh masking every epoch without pre-generation).
     */
    public List<PretrainingSequence> sequences(Corpus corpus, RandomGenerator random) throws IOException {
        List<PretrainingSequence> sequences = new ArrayList<>();
        forEachShard(corpus, shard -> sequences.addAll(builder.build(shard, random)));
        return sequences;
    }

    /** The masker configured by {@link PretrainingDataConfig#masking()}. */
    public Masker masker() {
        return masker;
    }

    private interface InstanceSink {
        void accept(PretrainingInstance instance) throws IOException;
    }

    private interface ShardAction {
        void accept(List<List<int[]>> shard) throws IOException;
    }

    private void generate(Corpus corpus, List<InstanceSink> epochSinks) throws IOException {
        SplittableRandom root = new SplittableRandom(config.seed());
        List<SplittableRandom> epochRandoms = new ArrayList<>();
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            epochRandoms.add(root.split());
        }
        forEachShard(corpus, shard -> {
            for (int epoch = 0; epoch < epochSinks.size(); epoch++) {
                SplittableRandom random = epochRandoms.get(epoch);
                List<PretrainingSequence> sequences = builder.build(shard, random);
                Shuffling.shuffle(sequences, random);
                InstanceSink sink = epochSinks.get(epoch);
                for (PretrainingSequence sequence : sequences) {
                    sink.accept(masker.mask(sequence, random));
                }
            }
        });
    }

    /** Reads and tokenises the corpus a shard at a time. */
    private void forEachShard(Corpus corpus, ShardAction action) throws IOException {
        int shardSize = config.documentsPerShard();
        List<List<int[]>> shard = new ArrayList<>();
        try (Stream<Document> documents = corpus.documents(); ProgressBar progress = progressBar()) {
            for (Iterator<Document> it = documents.iterator(); it.hasNext(); ) {
                List<int[]> document = tokenize(it.next());
                if (!document.isEmpty()) {
                    shard.add(document);
                }
                // Two documents are held back so the final shard never has fewer than two.
                if (shard.size() == shardSize + 2) {
                    List<List<int[]>> full = shard.subList(0, shardSize);
                    action.accept(full);
                    full.clear();
                }
                if (progress != null) {
                    progress.step();
                }
            }
            if (!shard.isEmpty()) {
                action.accept(shard);
            }
        }
    }

    private List<int[]> tokenize(Document document) {
        List<int[]> sentences = new ArrayList<>(document.sentences().size());
        for (String sentence : document.sentences()) {
            int[] ids = wordPieces.apply(sentence);
            // Text the tokenizer drops entirely (control characters) would make an empty segment.
            if (ids.length > 0) {
                sentences.add(ids);
            }
        }
        return sentences;
    }

    /** A document counter on stderr, or null when disabled or when the terminal library cannot start. */
    private ProgressBar progressBar() {
        if (!config.showProgress()) {
            return null;
        }
        try {
            ProgressBarBuilder builder = new ProgressBarBuilder()
                    .setTaskName("pre-training data, " + config.epochs() + " epochs")
                    .setUnit(" docs", 1)
                    .setInitialMax(-1)
                    .setConsumer(new ConsoleProgressBarConsumer(System.err));
            if (System.console() == null) {
                // Logs: no colour codes or block characters.
                builder.setStyle(ProgressBarStyle.ASCII);
            }
            return builder.build();
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }
}
