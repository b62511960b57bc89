package bertadapt.data;

import java.util.List;

/**
 * One record of a delimited file or JSON line, with the checks every reader applies to its fields. Accessors throw
 * {@link RowRejected} with a message saying what was expected, so readers stay free of bad-row bookkeeping.
 *
 * @param source {@code file:line}
 * @param columnNames header names (or the reader's documented names) by position; null when unknown
 */
record Row(String source, List<String> values, List<String> columnNames) {

    String get(Column column) {
        int index = indexOf(column);
        if (index >= values.size()) {
            throw new RowRejected("no column " + describe(column) + "; the row has " + values.size() + " columns");
        }
        return values.get(index);
    }

    /** The text in {@code column}, which must not be blank. */
    String text(Column column) {
        String text = get(column);
        if (text == null || text.isBlank()) {
            throw new RowRejected("empty text in column " + describe(column) + "; expected a non-empty text");
        }
        return text;
    }

    /** The label in {@code column}, decoded; rejects a missing or unknown label. */
    String label(Column column, LabelDecoder decoder) {
        String raw = get(column);
        if (raw == null || raw.isBlank()) {
            throw new RowRejected("missing label in column " + describe(column) + "; expected " + decoder.expected());
        }
        return decoder.decode(raw.trim()).orElseThrow(() -> new RowRejected("unknown label '" + raw + "' in column "
                + describe(column) + "; expected " + decoder.expected()));
    }

    private int indexOf(Column column) {
        if (column instanceof Column.Index index) {
            return index.index();
        }
        Column.Named named = (Column.Named) column;
        int index = columnNames == null ? -1 : columnNames.indexOf(named.name());
        if (index < 0) {
            throw new RowRejected("no column " + named + (columnNames == null ? " (columns here have no names)"
                    : "; columns are " + columnNames));
        }
        return index;
    }

    private String describe(Column column) {
        if (column instanceof Column.Index index && columnNames != null && index.index() < columnNames.size()) {
            return index + " (" + columnNames.get(index.index()) + ")";
        }
        return column.toString();
    }
}
