package bertadapt.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a reader does with a malformed row: fail at once (the default, so broken data is never trained on silently)
 * or skip it and count it. A skipping instance keeps the count and the first {@value #KEPT_REASONS} reasons so
 * that the run's report can say what was dropped. Pass one instance to the reads of one run; it is not thread-safe.
 */
public final class BadRows {

    /** How many reasons a skipping instance keeps; the rest are only counted. */
    public static final int KEPT_REASONS = 10;

    private final boolean skip;
    private final List<String> firstReasons = new ArrayList<>();
    private int count;

    private BadRows(boolean skip) {
        this.skip = skip;
    }

    /** Throws {@link DatasetFormatException} on the first bad row. */
    public static BadRows fail() {
        return new BadRows(false);
    }

    /** Skips bad rows, counting them. */
    public static BadRows skip() {
        return new BadRows(true);
    }

    public boolean skips() {
        return skip;
    }

    /**
     * Reports a bad row: throws when failing, records it when skipping.
     *
     * @param source {@code file:line} of the row
     * @param problem what is wrong and what was expected
     */
    void reject(String source, String problem) {
        String reason = source + ": " + problem;
        if (!skip) {
            throw new DatasetFormatException(reason);
        }
        count++;
        if (firstReasons.size() < KEPT_REASONS) {
            firstReasons.add(reason);
        }
    }

    /** Number of rows skipped so far. */
    public int count() {
        return count;
    }

    /** The first {@value #KEPT_REASONS} reasons, each {@code file:line: problem}. */
    public List<String> firstReasons() {
        return List.copyOf(firstReasons);
    }

    /** For a run's report: {@code {"skipped": N, "first": ["file:line: problem", ...]}}. */
    public Map<String, Object> asJson() {
        return Map.of("skipped", count, "first", firstReasons());
    }

    /** One line for a report, e.g. {@code "3 bad rows skipped; first: a.csv:7: ..."}. */
    public String summary() {
        if (count == 0) {
            return "no bad rows";
        }
        return count + " bad row" + (count == 1 ? "" : "s") + " skipped; first: " + String.join("; ", firstReasons);
    }
}
