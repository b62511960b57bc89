package bertadapt.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds the Hugging Face {@code tokenizer.json} that reproduces Google's BERT tokenizer
 * (BasicTokenizer + WordPiece) for a checkpoint that ships only {@code vocab.txt}.
 *
 * <p>The mapping: Google's BasicTokenizer is {@code BertNormalizer} (control characters removed,
 * whitespace unified, CJK ideographs isolated, lower-casing and accent stripping only when
 * {@code do_lower_case}) followed by {@code BertPreTokenizer} (split on whitespace and punctuation);
 * Google's WordpieceTokenizer is the {@code WordPiece} model with Google's 200-character word limit.
 * Special tokens are added tokens that are matched in the raw text, so a literal {@code [MASK]}
 * in the input becomes the mask id instead of {@code [ mask ]}.
 */
public final class BertTokenizerJson {

    /**
     * Google's WordpieceTokenizer maps a word longer than this to [UNK]. Hugging Face's default is
     * 100, which would turn 101 to 200 character words into [UNK] where Google splits them.
     */
    public static final int GOOGLE_MAX_INPUT_CHARS_PER_WORD = 200;

    public static final String CONTINUING_SUBWORD_PREFIX = "##";

    private static final ObjectMapper JSON = new ObjectMapper();

    private BertTokenizerJson() {
    }

    /** The tokenizer.json text for Google's {@code vocab.txt} with the given case handling. */
    public static String fromVocabTxt(Path vocabTxt, boolean doLowerCase) throws IOException {
        return fromVocab(BertVocab.readVocabTxt(vocabTxt), doLowerCase);
    }

    /** Writes the tokenizer.json for {@code vocabTxt} to {@code tokenizerJson}. */
    public static void write(Path vocabTxt, boolean doLowerCase, Path tokenizerJson) throws IOException {
        Files.writeString(tokenizerJson, fromVocabTxt(vocabTxt, doLowerCase), StandardCharsets.UTF_8);
    }

    /** The tokenizer.json text for a vocabulary with the given case handling. */
    public static String fromVocab(BertVocab vocab, boolean doLowerCase) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "1.0");
        // Truncation and padding stay off here: BertTokenizer does both itself, the Google way.
        root.putNull("truncation");
        root.putNull("padding");
        root.set("added_tokens", addedTokens(vocab));
        root.set("normalizer", normalizer(doLowerCase));
        root.set("pre_tokenizer", JSON.createObjectNode().put("type", "BertPreTokenizer"));
        root.set("post_processor", postProcessor(vocab));
        root.set("decoder", JSON.createObjectNode()
                .put("type", "WordPiece")
                .put("prefix", CONTINUING_SUBWORD_PREFIX)
                .put("cleanup", true));
        root.set("model", model(vocab));
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise tokenizer.json for " + vocab.source(), e);
        }
    }

    private static ArrayNode addedTokens(BertVocab vocab) {
        ArrayNode added = JSON.createArrayNode();
        vocab.tokenIdsInIdOrder().forEach((token, id) -> {
            if (BertVocab.SPECIAL_TOKENS.contains(token)) {
                added.addObject()
                        .put("id", id)
                        .put("content", token)
                        .put("single_word", false)
                        .put("lstrip", false)
                        .put("rstrip", false)
                        // Matched before normalisation, so lower-casing cannot turn [MASK] into [mask].
                        .put("normalized", false)
                        .put("special", true);
            }
        });
        return added;
    }

    private static ObjectNode normalizer(boolean doLowerCase) {
        return JSON.createObjectNode()
                .put("type", "BertNormalizer")
                .put("clean_text", true)
                .put("handle_chinese_chars", true)
                // Google strips accents exactly when it lower-cases; explicit rather than null.
                .put("strip_accents", doLowerCase)
                .put("lowercase", doLowerCase);
    }

    private static ObjectNode postProcessor(BertVocab vocab) {
        ObjectNode processor = JSON.createObjectNode().put("type", "TemplateProcessing");
        ArrayNode single = processor.putArray("single");
        addSpecial(single, BertVocab.CLS, 0);
        addSequence(single, "A", 0);
        addSpecial(single, BertVocab.SEP, 0);
        ArrayNode pair = processor.putArray("pair");
        addSpecial(pair, BertVocab.CLS, 0);
        addSequence(pair, "A", 0);
        addSpecial(pair, BertVocab.SEP, 0);
        addSequence(pair, "B", 1);
        addSpecial(pair, BertVocab.SEP, 1);
        ObjectNode specials = processor.putObject("special_tokens");
        for (String token : new String[] {BertVocab.CLS, BertVocab.SEP}) {
            ObjectNode special = specials.putObject(token).put("id", token);
            special.putArray("ids").add(vocab.requireId(token));
            special.putArray("tokens").add(token);
        }
        return processor;
    }

    private static void addSpecial(ArrayNode template, String token, int typeId) {
        template.addObject().putObject("SpecialToken").put("id", token).put("type_id", typeId);
    }

    private static void addSequence(ArrayNode template, String sequence, int typeId) {
        template.addObject().putObject("Sequence").put("id", sequence).put("type_id", typeId);
    }

    private static ObjectNode model(BertVocab vocab) {
        ObjectNode model = JSON.createObjectNode()
                .put("type", "WordPiece")
                .put("unk_token", BertVocab.UNK)
                .put("continuing_subword_prefix", CONTINUING_SUBWORD_PREFIX)
                .put("max_input_chars_per_word", GOOGLE_MAX_INPUT_CHARS_PER_WORD);
        ObjectNode tokenIds = model.putObject("vocab");
        vocab.tokenIdsInIdOrder().forEach(tokenIds::put);
        return model;
    }
}
