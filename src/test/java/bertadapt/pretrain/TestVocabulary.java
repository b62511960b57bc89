package bertadapt.pretrain;

import bertadapt.text.BertTokenizer;
import bertadapt.text.BertVocab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/** A hand-made vocabulary and text drawn from it, so tests need no BERT checkpoint. */
final class TestVocabulary {

    static final int PAD = 0;
    static final int UNK = 1;
    static final int CLS = 2;
    static final int SEP = 3;
    static final int MASK = 4;
    static final int UNUSED = 5;
    /** Ids of whole words; WORDS.get(i) has id FIRST_WORD + i. */
    static final int FIRST_WORD = 6;
    static final List<String> WORDS = List.of(
            "the", "cat", "dog", "sat", "ran", "on", "a", "mat", "big", "red", "small", "blue", "house", "tree",
            "river", "walked", "saw", "and", "then", "it", "was", "very", "quiet", "loud", "bird", "sang", "near",
            "under", "over", "field");
    /** "un ##aff ##able" tokenises into one word and two continuation pieces. */
    static final List<String> PIECES = List.of("un", "##aff", "##able", "##s");

    static final List<String> TOKENS = tokens();

    private TestVocabulary() {
    }

    private static List<String> tokens() {
        List<String> tokens = new ArrayList<>(List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[unused0]"));
        tokens.addAll(WORDS);
        tokens.addAll(PIECES);
        tokens.add(".");
        return List.copyOf(tokens);
    }

    static int id(String token) {
        return TOKENS.indexOf(token);
    }

    static PretrainingVocab vocab() {
        return PretrainingVocab.of(BertVocab.fromLines(TOKENS, "test vocabulary"));
    }

    static BertTokenizer tokenizer(Path directory) throws IOException {
        Path vocabTxt = directory.resolve("vocab.txt");
        Files.write(vocabTxt, TOKENS, StandardCharsets.UTF_8);
        return BertTokenizer.fromVocabTxt(vocabTxt, true);
    }

    /** Random documents of 3 to 12 sentences of 3 to 10 words each, ending in a full stop. */
    static List<List<String>> randomDocuments(int count, RandomGenerator random) {
        List<List<String>> documents = new ArrayList<>();
        for (int d = 0; d < count; d++) {
            List<String> sentences = new ArrayList<>();
            int sentenceCount = random.nextInt(3, 13);
            for (int s = 0; s < sentenceCount; s++) {
                StringBuilder sentence = new StringBuilder();
                int words = random.nextInt(3, 11);
                for (int w = 0; w < words; w++) {
                    sentence.append(random.nextInt(10) == 0 ? "unaffable" : WORDS.get(random.nextInt(WORDS.size())))
                            .append(' ');
                }
                sentences.add(sentence.append('.').toString());
            }
            documents.add(sentences);
        }
        return documents;
    }

    /** Google's format: one sentence per line, a blank line between documents. */
    static Path writeGoogleFormat(Path file, List<List<String>> documents) throws IOException {
        List<String> lines = new ArrayList<>();
        for (List<String> document : documents) {
            lines.addAll(document);
            lines.add("");
        }
        Files.write(file, lines, StandardCharsets.UTF_8);
        return file;
    }
}
