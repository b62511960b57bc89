package bertadapt.data;

import java.util.regex.Pattern;

/**
 * Undoes the markup that dataset authors left in their texts. Line breaks become single spaces: BERT's tokenizer
 * treats every whitespace alike, and one-line texts keep logs and prediction files readable.
 */
final class TextCleaning {

    /** AG News escapes {@code $} as {@code \$}. */
    private static final Pattern AG_NEWS_DOLLAR = Pattern.compile("\\\\\\$");
    /** Every other run of backslashes in AG News is a line break (the readme's {@code \n} lost its {@code n}). */
    private static final Pattern AG_NEWS_BREAK = Pattern.compile("\\\\+");
    /** IMDb reviews mark line breaks with HTML {@code <br />} tags, usually two in a row. */
    private static final Pattern HTML_BREAKS = Pattern.compile("\\s*(?:<br\\s*/?>\\s*)+", Pattern.CASE_INSENSITIVE);

    private TextCleaning() {
    }

    static String agNews(String text) {
        return AG_NEWS_BREAK.matcher(AG_NEWS_DOLLAR.matcher(text).replaceAll("\\$")).replaceAll(" ").strip();
    }

    static String imdb(String text) {
        return HTML_BREAKS.matcher(text).replaceAll(" ").strip();
    }
}
