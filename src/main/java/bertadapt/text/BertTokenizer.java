package bertadapt.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * BERT's tokenizer (Google's BasicTokenizer + WordPiece) running in Hugging Face's native
 * tokenizers library through DJL, fully offline.
 *
 * <p>Inputs are encoded as {@code [CLS] A [SEP]} or {@code [CLS] A [SEP] B [SEP]} with token type
 * 0 for A and 1 for B. A text that does not fit the maximum length is truncated, not rejected:
 * a single text keeps its first {@code maxLength - 2} word pieces; a pair loses word pieces from
 * the end of whichever segment is currently longer, one at a time, segment B on ties (Google's
 * {@code _truncate_seq_pair}). {@link EncodedText#truncated()} and {@link EncodedBatch#truncated()}
 * say when that happened so callers can report it.
 *
 * <p>Nothing changes the native tokenizer after construction (truncation and padding are set
 * once), so concurrent encoding should be safe, but DJL does not document it. {@link #close()}
 * frees the native tokenizer and must come after the last use.
 */
public final class BertTokenizer implements AutoCloseable {

    public static final String TOKENIZER_JSON = "tokenizer.json";
    public static final String VOCAB_TXT = "vocab.txt";

    static {
        DjlOffline.configure();
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Special tokens and truncation are done here, not by the native tokenizer: its longest-first
     * truncation gives the shorter-or-equal first segment floor(budget/2) word pieces where Google
     * gives ceil(budget/2) (tokenizers' truncation.rs), and no tokenizer.json option changes that.
     * Lower-casing stays off on the Java side (DJL's doLowerCase would also lower-case "[MASK]");
     * the tokenizer.json normaliser does it, after special tokens are matched.
     */
    private static final Map<String, String> RAW_WORD_PIECE_OPTIONS = Map.of(
            "addSpecialTokens", "false",
            "truncation", "false",
            "padding", "false",
            "doLowerCase", "false");

    private final HuggingFaceTokenizer tokenizer;
    private final BertVocab vocab;
    private final int clsId;
    private final int sepId;
    private final int padId;
    private final int maskId;

    private BertTokenizer(String tokenizerJson, BertVocab vocab) throws IOException {
        this.vocab = vocab;
        this.clsId = vocab.requireId(BertVocab.CLS);
        this.sepId = vocab.requireId(BertVocab.SEP);
        this.padId = vocab.requireId(BertVocab.PAD);
        this.maskId = vocab.requireId(BertVocab.MASK);
        try {
            this.tokenizer = HuggingFaceTokenizer.newInstance(
                    new ByteArrayInputStream(tokenizerJson.getBytes(StandardCharsets.UTF_8)), RAW_WORD_PIECE_OPTIONS);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(vocab.source() + ": Hugging Face tokenizers rejected the tokenizer.json: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Loads the tokenizer of a model directory: its {@code tokenizer.json} if present (then
     * {@code doLowerCase} is ignored, the file carries its own normaliser), else one built from
     * Google's {@code vocab.txt} and {@code doLowerCase} (true for "uncased" checkpoints).
     */
    public static BertTokenizer fromModelDirectory(Path modelDirectory, boolean doLowerCase) throws IOException {
        Path tokenizerJson = modelDirectory.resolve(TOKENIZER_JSON);
        if (Files.isRegularFile(tokenizerJson)) {
            return fromTokenizerJson(tokenizerJson);
        }
        Path vocabTxt = modelDirectory.resolve(VOCAB_TXT);
        if (!Files.isRegularFile(vocabTxt)) {
            throw new NoSuchFileException(modelDirectory.toString(), null,
                    "expected " + TOKENIZER_JSON + " or Google's " + VOCAB_TXT + " in the model directory");
        }
        return fromVocabTxt(vocabTxt, doLowerCase);
    }

    /** A tokenizer for Google's {@code vocab.txt}; {@code doLowerCase} is true for uncased checkpoints. */
    public static BertTokenizer fromVocabTxt(Path vocabTxt, boolean doLowerCase) throws IOException {
        BertVocab vocab = BertVocab.readVocabTxt(vocabTxt);
        return new BertTokenizer(BertTokenizerJson.fromVocab(vocab, doLowerCase), vocab);
    }

    /** A tokenizer for a Hugging Face {@code tokenizer.json} with a WordPiece vocabulary. */
    public static BertTokenizer fromTokenizerJson(Path tokenizerJson) throws IOException {
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new NoSuchFileException(tokenizerJson.toString(), null, "expected a Hugging Face tokenizer.json");
        }
        String json = Files.readString(tokenizerJson, StandardCharsets.UTF_8);
        return new BertTokenizer(json, vocabOf(json, tokenizerJson.toString()));
    }

    private static BertVocab vocabOf(String tokenizerJson, String source) throws IOException {
        JsonNode root = JSON.readTree(tokenizerJson);
        JsonNode modelVocab = root.path("model").path("vocab");
        if (!modelVocab.isObject()) {
            throw new IllegalArgumentException(source + ": expected model.vocab to be an object of token ids,"
                    + " as in a WordPiece tokenizer.json");
        }
        Map<String, Integer> tokenIds = new HashMap<>(modelVocab.size() * 2);
        for (Iterator<Map.Entry<String, JsonNode>> it = modelVocab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            tokenIds.put(entry.getKey(), entry.getValue().asInt());
        }
        // Added tokens can lie outside the model vocabulary and still get ids the model must embed.
        for (JsonNode added : root.path("added_tokens")) {
            tokenIds.put(added.path("content").asText(), added.path("id").asInt());
        }
        return BertVocab.fromTokenIds(tokenIds, source);
    }

    /** The word pieces of {@code text}, without [CLS]/[SEP]; a literal "[MASK]" stays one token. */
    public List<String> tokenize(String text) {
        return List.of(tokenizer.encode(text, false, false).getTokens());
    }

    /** The word piece ids of {@code text}, without [CLS]/[SEP] and without truncation. */
    public int[] wordPieceIds(String text) {
        return toIntIds(tokenizer.encode(text, false, false));
    }

    /** {@code [CLS] text [SEP]}, truncated to {@code maxLength} ids. */
    public EncodedText encode(String text, int maxLength) {
        return encode(TextInput.single(text), maxLength);
    }

    /** {@code [CLS] textA [SEP] textB [SEP]}, truncated longest-first to {@code maxLength} ids. */
    public EncodedText encodePair(String textA, String textB, int maxLength) {
        return encode(TextInput.pair(textA, textB), maxLength);
    }

    /** One input, without padding. */
    public EncodedText encode(TextInput input, int maxLength) {
        return encodeUnpadded(List.of(input), maxLength).get(0);
    }

    /** Single texts, padded to the longest row of the batch. */
    public EncodedBatch encodeTexts(List<String> texts, int maxLength) {
        return encodeBatch(texts.stream().map(TextInput::single).toList(), maxLength);
    }

    /**
     * Singles and pairs (they may be mixed), each truncated to {@code maxLength} and then padded
     * to the longest row of the batch rather than to {@code maxLength}, so short batches stay cheap.
     */
    public EncodedBatch encodeBatch(List<TextInput> inputs, int maxLength) {
        return EncodedBatch.pad(encodeUnpadded(inputs, maxLength), padId);
    }

    private List<EncodedText> encodeUnpadded(List<TextInput> inputs, int maxLength) {
        for (TextInput input : inputs) {
            requireRoom(input.isPair(), maxLength);
        }
        // One native batch call per segment kind lets the library tokenise in parallel.
        int[][] idsA = wordPieceIds(inputs.stream().map(TextInput::textA).toArray(String[]::new));
        int[][] idsB = wordPieceIds(inputs.stream().filter(TextInput::isPair).map(TextInput::textB)
                .toArray(String[]::new));
        List<EncodedText> rows = new ArrayList<>(inputs.size());
        int nextPair = 0;
        for (int i = 0; i < inputs.size(); i++) {
            int[] segmentB = inputs.get(i).isPair() ? idsB[nextPair++] : null;
            rows.add(assemble(idsA[i], segmentB, maxLength, clsId, sepId));
        }
        return rows;
    }

    private int[][] wordPieceIds(String[] texts) {
        if (texts.length == 0) {
            return new int[0][];
        }
        Encoding[] encodings = tokenizer.batchEncode(texts, false, false);
        int[][] ids = new int[encodings.length][];
        for (int i = 0; i < encodings.length; i++) {
            ids[i] = toIntIds(encodings[i]);
        }
        return ids;
    }

    private static int[] toIntIds(Encoding encoding) {
        return Arrays.stream(encoding.getIds()).mapToInt(Math::toIntExact).toArray();
    }

    private static void requireRoom(boolean pair, int maxLength) {
        int specials = pair ? 3 : 2;
        if (maxLength < specials) {
            throw new IllegalArgumentException("maxLength " + maxLength + " leaves no room for the " + specials
                    + " special tokens of a " + (pair ? "text pair" : "single text"));
        }
    }

    /** Lays out {@code [CLS] a [SEP] (b [SEP])}, truncating the Google way first. */
    static EncodedText assemble(int[] segmentA, int[] segmentB, int maxLength, int clsId, int sepId) {
        boolean pair = segmentB != null;
        int budget = maxLength - (pair ? 3 : 2);
        int keepA;
        int keepB;
        if (pair) {
            int[] kept = longestFirstKeptLengths(segmentA.length, segmentB.length, budget);
            keepA = kept[0];
            keepB = kept[1];
        } else {
            keepA = Math.min(segmentA.length, budget);
            keepB = 0;
        }
        boolean truncated = keepA < segmentA.length || (pair && keepB < segmentB.length);
        int length = keepA + 2 + (pair ? keepB + 1 : 0);
        int[] ids = new int[length];
        int[] typeIds = new int[length];
        int[] mask = new int[length];
        Arrays.fill(mask, 1);
        ids[0] = clsId;
        System.arraycopy(segmentA, 0, ids, 1, keepA);
        ids[keepA + 1] = sepId;
        if (pair) {
            System.arraycopy(segmentB, 0, ids, keepA + 2, keepB);
            ids[length - 1] = sepId;
            Arrays.fill(typeIds, keepA + 2, length, 1);
        }
        return new EncodedText(ids, typeIds, mask, truncated);
    }

    /**
     * Google's {@code _truncate_seq_pair}: while the pair exceeds {@code budget}, drop the last word
     * piece of the longer segment, of B when they are equally long. Returns the kept lengths {a, b}.
     */
    static int[] longestFirstKeptLengths(int lengthA, int lengthB, int budget) {
        int a = lengthA;
        int b = lengthB;
        while (a + b > budget) {
            if (a > b) {
                a--;
            } else {
                b--;
            }
        }
        return new int[] {a, b};
    }

    /** The token of {@code id}; an id outside the vocabulary is a caller error. */
    public String idToToken(int id) {
        return vocab.token(id).orElseThrow(() -> new IllegalArgumentException(
                "id " + id + " is not in the vocabulary of " + vocab.source() + " (size " + vocab.size() + ")"));
    }

    /** The id of {@code token}, or empty if it is not a single entry of the vocabulary. */
    public OptionalInt tokenToId(String token) {
        return vocab.id(token);
    }

    /** Number of ids, i.e. rows of the token embedding matrix. */
    public int vocabSize() {
        return vocab.size();
    }

    public BertVocab vocab() {
        return vocab;
    }

    public int clsTokenId() {
        return clsId;
    }

    public int sepTokenId() {
        return sepId;
    }

    public int padTokenId() {
        return padId;
    }

    public int maskTokenId() {
        return maskId;
    }

    /** Frees the native tokenizer; idempotent. */
    @Override
    public void close() {
        tokenizer.close();
    }
}
