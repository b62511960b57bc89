package bertadapt.text;

import java.util.Objects;

/**
 * One model input: a single text, or a text pair (segment A and segment B, e.g. premise and
 * hypothesis) when {@code textB} is non-null.
 */
public record TextInput(String textA, String textB) {

    public TextInput {
        Objects.requireNonNull(textA, "textA");
    }

    public static TextInput single(String text) {
        return new TextInput(text, null);
    }

    public static TextInput pair(String textA, String textB) {
        return new TextInput(textA, Objects.requireNonNull(textB, "textB"));
    }

    public boolean isPair() {
        return textB != null;
    }
}
