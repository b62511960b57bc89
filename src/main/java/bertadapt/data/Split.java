package bertadapt.data;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The parts of a dataset. {@link #UNLABELLED} holds texts without labels, such as IMDb's {@code train/unsup}. */
public enum Split {
    TRAIN, VALIDATION, TEST, UNLABELLED;

    /** Lower-case name used in file names, reports and on the command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@link #id()} (case-insensitive; {@code dev} is accepted for validation, as GLUE names it). */
    public static Split parse(String text) {
        String id = text.trim().toLowerCase(Locale.ROOT);
        if (id.equals("dev")) {
            return VALIDATION;
        }
        for (Split split : values()) {
            if (split.id().equals(id)) {
                return split;
            }
        }
        throw new IllegalArgumentException("Unknown split '" + text + "'; known splits: "
                + Arrays.stream(values()).map(Split::id).collect(Collectors.joining(", ")));
    }
}
