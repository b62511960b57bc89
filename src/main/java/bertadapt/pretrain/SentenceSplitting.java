package bertadapt.pretrain;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/** How {@link Corpus#ofTexts} cuts a text into the sentences NSP pairs are built from. */
public enum SentenceSplitting {

    /**
     * The whole text is one sentence. Right for line-by-line and grouped-text modes; for NSP every
     * document then has one sentence, so every pair is random-next (as in Google's code), which
     * makes the NSP task meaningless.
     */
    WHOLE_TEXT,

    /**
     * Cut at line breaks, at whitespace after {@code . ! ?} (optionally followed by a closing quote
     * or bracket) and after the CJK full stops {@code 。！？}. Deliberately simple: abbreviations
     * such as "e.g. this" are cut too, which costs NSP little.
     */
    SIMPLE;

    private static final Pattern SENTENCE_BOUNDARY =
            Pattern.compile("\\s*\\R\\s*|(?<=[.!?][\"'\u201d\u2019)\\]]?)\\s+|(?<=[\u3002\uff01\uff1f])");

    /** The non-blank sentences of {@code text}, stripped. */
    public List<String> split(String text) {
        List<String> pieces = this == WHOLE_TEXT ? List.of(text) : Arrays.asList(SENTENCE_BOUNDARY.split(text));
        return pieces.stream().map(String::strip).filter(piece -> !piece.isEmpty()).toList();
    }
}
