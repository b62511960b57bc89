package bertadapt.experiment;

import java.util.Arrays;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonValue;

import bertadapt.model.Freezing;

/**
 * One of the four ways of adapting a model to a task, optionally with the bottom of the encoder frozen.
 * Written {@code baseline}, {@code adaptive}, {@code behavioural}, {@code adaptive+behavioural}; a fine-tuning
 * strategy may carry a freezing variant, {@code behavioural[freeze=6]} ({@code -1} freezes the embeddings,
 * {@code N} the embeddings and layers 0..N-1), which overrides {@code task.freeze_layer_count}.
 *
 * @param freezeLayerCount the variant's freezing, or {@link Freezing#NONE} when the name has none
 */
public record Strategy(Kind kind, int freezeLayerCount) {

    /** The four strategies. */
    public enum Kind {
        /** Frozen pretrained encoder, a head trained on its cached features. */
        BASELINE("baseline", false, true),
        /** Masked-LM adaptation on in-domain text, then a head on the adapted frozen encoder. */
        ADAPTIVE("adaptive", true, true),
        /** Full fine-tuning of encoder and head. */
        BEHAVIOURAL("behavioural", false, false),
        /** Masked-LM adaptation, then full fine-tuning of the adapted model. */
        ADAPTIVE_BEHAVIOURAL("adaptive+behavioural", true, false);

        final String id;
        final boolean adapts;
        final boolean frozenEncoder;

        Kind(String id, boolean adapts, boolean frozenEncoder) {
            this.id = id;
            this.adapts = adapts;
            this.frozenEncoder = frozenEncoder;
        }
    }

    private static final Pattern NAME = Pattern.compile("([a-z+]+)(?:\\[freeze=(-?\\d+)])?");

    public Strategy {
        if (freezeLayerCount != Freezing.NONE && kind.frozenEncoder) {
            throw new IllegalArgumentException(kind.id + " trains only a head on a frozen encoder; a freeze variant"
                    + " applies to behavioural and adaptive+behavioural");
        }
        if (freezeLayerCount != Freezing.NONE && freezeLayerCount < -1) {
            throw new IllegalArgumentException("freeze=" + freezeLayerCount + ": expected -1 (embeddings) or N >= 0");
        }
    }

    public static Strategy of(Kind kind) {
        return new Strategy(kind, Freezing.NONE);
    }

    /** Parses a name such as {@code adaptive} or {@code behavioural[freeze=6]}. */
    public static Strategy parse(String name) {
        Matcher m = NAME.matcher(name.trim().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            for (Kind kind : Kind.values()) {
                if (kind.id.equals(m.group(1))) {
                    return new Strategy(kind, m.group(2) == null ? Freezing.NONE : Integer.parseInt(m.group(2)));
                }
            }
        }
        throw new IllegalArgumentException("unknown strategy \"" + name + "\"; known: "
                + Arrays.stream(Kind.values()).map(k -> k.id).collect(Collectors.joining(", "))
                + " (a fine-tuning one may add [freeze=N])");
    }

    /** Whether this strategy starts from the seed's adapted model. */
    public boolean adapts() {
        return kind.adapts;
    }

    /** Whether only a head trains, on the frozen encoder's cached features. */
    public boolean frozenEncoder() {
        return kind.frozenEncoder;
    }

    /** The name as written in a spec, e.g. {@code behavioural[freeze=6]}. */
    @JsonValue
    public String name() {
        return kind.id + (freezeLayerCount == Freezing.NONE ? "" : "[freeze=" + freezeLayerCount + "]");
    }

    /** The run's folder name: the name without brackets, which shells would glob ({@code behavioural-freeze6}). */
    public String folderName() {
        return kind.id + (freezeLayerCount == Freezing.NONE ? "" : "-freeze" + freezeLayerCount);
    }

    @Override
    public String toString() {
        return name();
    }
}
