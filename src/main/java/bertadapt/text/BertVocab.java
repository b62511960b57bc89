package bertadapt.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The token/id table of a BERT WordPiece vocabulary, checked to contain the special tokens BERT
 * needs ({@code [PAD] [UNK] [CLS] [SEP] [MASK]}).
 */
public final class BertVocab {

    public static final String PAD = "[PAD]";
    public static final String UNK = "[UNK]";
    public static final String CLS = "[CLS]";
    public static final String SEP = "[SEP]";
    public static final String MASK = "[MASK]";

    /** The special tokens in the order Google's vocabularies list them. */
    public static final List<String> SPECIAL_TOKENS = List.of(PAD, UNK, CLS, SEP, MASK);

    private final Map<String, Integer> tokenToId;
    private final String[] idToToken;
    private final String source;

    private BertVocab(Map<String, Integer> tokenToId, String[] idToToken, String source) {
        this.tokenToId = tokenToId;
        this.idToToken = idToToken;
        this.source = source;
    }

    /**
     * Reads Google's {@code vocab.txt}: one token per line, the id is the line number, surrounding
     * whitespace is stripped (as Google's {@code load_vocab} does).
     *
     * @throws NoSuchFileException naming the file if it is absent
     * @throws IllegalArgumentException naming the file if it is empty or lacks a special token
     */
    public static BertVocab readVocabTxt(Path vocabTxt) throws IOException {
        if (!Files.isRegularFile(vocabTxt)) {
            throw new NoSuchFileException(vocabTxt.toString(), null,
                    "expected a WordPiece vocabulary (one token per line, as in Google's vocab.txt)");
        }
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(vocabTxt, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(stripLikePython(line));
            }
        }
        return fromLines(lines, vocabTxt.toString());
    }

    /** Builds a vocabulary whose ids are the list positions; {@code source} names it in errors. */
    public static BertVocab fromLines(List<String> tokens, String source) {
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException(source + ": empty vocabulary, expected one WordPiece token per line");
        }
        // A token listed twice keeps its last id, as Python's dict in Google's load_vocab does.
        Map<String, Integer> tokenToId = new HashMap<>(tokens.size() * 2);
        for (int id = 0; id < tokens.size(); id++) {
            tokenToId.put(tokens.get(id), id);
        }
        return checked(tokenToId, tokens.toArray(String[]::new), source);
    }

    /** Builds a vocabulary from a token to id map, such as the {@code model.vocab} of a tokenizer.json. */
    public static BertVocab fromTokenIds(Map<String, Integer> tokenIds, String source) {
        if (tokenIds.isEmpty()) {
            throw new IllegalArgumentException(source + ": empty vocabulary, expected token ids for at least "
                    + SPECIAL_TOKENS);
        }
        int maxId = Collections.max(tokenIds.values());
        if (Collections.min(tokenIds.values()) < 0) {
            throw new IllegalArgumentException(source + ": negative token id in vocabulary");
        }
        String[] idToToken = new String[maxId + 1];
        tokenIds.forEach((token, id) -> idToToken[id] = token);
        return checked(new HashMap<>(tokenIds), idToToken, source);
    }

    private static BertVocab checked(Map<String, Integer> tokenToId, String[] idToToken, String source) {
        List<String> missing = SPECIAL_TOKENS.stream().filter(t -> !tokenToId.containsKey(t)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(source + ": vocabulary lacks the special token(s) " + missing
                    + "; a BERT vocabulary must contain all of " + SPECIAL_TOKENS);
        }
        return new BertVocab(Collections.unmodifiableMap(tokenToId), idToToken, source);
    }

    /** Number of ids, i.e. the row count the token embedding matrix must have. */
    public int size() {
        return idToToken.length;
    }

    /** The id of {@code token}, or empty if the vocabulary does not contain it. */
    public OptionalInt id(String token) {
        Integer id = tokenToId.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The id of a token known to be present, such as a special token. */
    public int requireId(String token) {
        Integer id = tokenToId.get(token);
        if (id == null) {
            throw new IllegalArgumentException(source + ": token " + token + " is not in the vocabulary");
        }
        return id;
    }

    /** The token of {@code id}, or empty if the id is out of range or unused. */
    public Optional<String> token(int id) {
        return id >= 0 && id < idToToken.length ? Optional.ofNullable(idToToken[id]) : Optional.empty();
    }

    /** Token to id, ordered by id: the form tokenizer.json's {@code model.vocab} takes. */
    public Map<String, Integer> tokenIdsInIdOrder() {
        Map<String, Integer> ordered = new LinkedHashMap<>(tokenToId.size() * 2);
        for (String token : idToToken) {
            if (token != null) {
                ordered.put(token, tokenToId.get(token));
            }
        }
        return ordered;
    }

    /** Where this vocabulary came from, for error messages. */
    public String source() {
        return source;
    }

    /**
     * Python's {@code str.strip()} also strips no-break spaces and U+0085, which Java's
     * {@link String#strip()} keeps; matching Python keeps the ids Google's tokenizer assigns.
     */
    static String stripLikePython(String line) {
        int start = 0;
        int end = line.length();
        while (start < end && isPythonSpace(line.charAt(start))) {
            start++;
        }
        while (end > start && isPythonSpace(line.charAt(end - 1))) {
            end--;
        }
        return line.substring(start, end);
    }

    private static boolean isPythonSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }
}
