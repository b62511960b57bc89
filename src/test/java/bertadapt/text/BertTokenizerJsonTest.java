package bertadapt.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generated tokenizer.json carries Google's settings, not Hugging Face's defaults. */
class BertTokenizerJsonTest {

    private static final BertVocab VOCAB = BertVocab.fromLines(
            List.of("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "##s"), "test vocab");

    private static JsonNode generated(boolean doLowerCase) throws Exception {
        return new ObjectMapper().readTree(BertTokenizerJson.fromVocab(VOCAB, doLowerCase));
    }

    @Test
    void modelIsWordPieceWithGooglesWordLengthLimit() throws Exception {
        JsonNode model = generated(true).path("model");
        assertEquals("WordPiece", model.path("type").asText());
        assertEquals("[UNK]", model.path("unk_token").asText());
        assertEquals("##", model.path("continuing_subword_prefix").asText());
        assertEquals(200, model.path("max_input_chars_per_word").asInt());
        assertEquals(7, model.path("vocab").size());
        assertEquals(6, model.path("vocab").path("##s").asInt());
    }

    @Test
    void normalizerLowerCasesAndStripsAccentsOnlyForUncased() throws Exception {
        JsonNode uncased = generated(true).path("normalizer");
        assertEquals("BertNormalizer", uncased.path("type").asText());
        assertTrue(uncased.path("clean_text").asBoolean());
        assertTrue(uncased.path("handle_chinese_chars").asBoolean());
        assertTrue(uncased.path("lowercase").asBoolean());
        assertTrue(uncased.path("strip_accents").asBoolean());

        JsonNode cased = generated(false).path("normalizer");
        assertFalse(cased.path("lowercase").asBoolean());
        assertFalse(cased.path("strip_accents").asBoolean());
    }

    @Test
    void specialTokensAreUnnormalisedAddedTokens() throws Exception {
        List<String> contents = new ArrayList<>();
        for (JsonNode added : generated(true).path("added_tokens")) {
            assertTrue(added.path("special").asBoolean());
            assertFalse(added.path("normalized").asBoolean());
            assertEquals(VOCAB.requireId(added.path("content").asText()), added.path("id").asInt());
            contents.add(added.path("content").asText());
        }
        assertEquals(BertVocab.SPECIAL_TOKENS, contents);
    }

    @Test
    void pipelineAndTemplatesAreBerts() throws Exception {
        JsonNode root = generated(true);
        assertEquals("BertPreTokenizer", root.path("pre_tokenizer").path("type").asText());
        assertEquals("WordPiece", root.path("decoder").path("type").asText());
        assertTrue(root.path("truncation").isNull());
        assertTrue(root.path("padding").isNull());
        JsonNode template = root.path("post_processor");
        assertEquals("TemplateProcessing", template.path("type").asText());
        assertEquals(3, template.path("single").size());
        assertEquals(5, template.path("pair").size());
        assertEquals(1, template.path("pair").get(3).path("Sequence").path("type_id").asInt());
        assertEquals(1, template.path("pair").get(4).path("SpecialToken").path("type_id").asInt());
        assertEquals(2, template.path("special_tokens").path("[CLS]").path("ids").get(0).asInt());
        assertEquals(3, template.path("special_tokens").path("[SEP]").path("ids").get(0).asInt());
    }
}
