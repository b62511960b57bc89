package bertadapt.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import bertadapt.text.TextInput;

/** Reads the texts of {@code embed --input}: one text a line, or with {@code --pair} two texts split by a tab. */
final class InputTexts {

    /** The file name that means standard input. */
    static final String STDIN = "-";

    private InputTexts() {
    }

    /**
     * The inputs of a file (or of stdin for {@code -}), skipping blank lines.
     *
     * @throws IllegalArgumentException naming the file and line when a line is not a pair in pair mode
     */
    static List<TextInput> read(String file, boolean pairs) throws IOException {
        try (BufferedReader reader = open(file)) {
            List<TextInput> inputs = new ArrayList<>();
            int lineNumber = 0;
            for (String line; (line = reader.readLine()) != null; ) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                inputs.add(pairs ? pair(line, file, lineNumber) : TextInput.single(line));
            }
            if (inputs.isEmpty()) {
                throw new IllegalArgumentException(file + " has no texts");
            }
            return inputs;
        } catch (CharacterCodingException e) {
            throw new IOException(file + " is not valid UTF-8", e);
        }
    }

    private static TextInput pair(String line, String file, int lineNumber) {
        String[] texts = line.split("\t", -1);
        if (texts.length != 2) {
            throw new IllegalArgumentException(file + ":" + lineNumber + ": expected two texts separated by one tab"
                    + " (--pair), found " + (texts.length == 1 ? "no tab" : (texts.length - 1) + " tabs"));
        }
        return TextInput.pair(texts[0], texts[1]);
    }

    private static BufferedReader open(String file) throws IOException {
        if (file.equals(STDIN)) {
            // Strict decoding, as Files.newBufferedReader does, so bad bytes fail instead of becoming U+FFFD.
            Reader reader = new InputStreamReader(System.in, StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
            return new BufferedReader(reader);
        }
        return Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
    }
}
