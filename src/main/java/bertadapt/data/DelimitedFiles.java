package bertadapt.data;

import java.io.BufferedReader;
import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The one place delimited files are parsed (with Commons CSV): UTF-8 with an optional BOM, an optional header row,
 * a column-count check on every row, line numbers for messages, and bad rows routed to {@link BadRows}.
 */
final class DelimitedFiles {

    private static final char BOM = '\uFEFF';

    /** Tab-separated with no quoting at all: MRPC's quotes are part of the text. */
    static final CSVFormat TSV_LITERAL_QUOTES = CSVFormat.TDF.builder().setQuote(null).setIgnoreSurroundingSpaces(false)
            .setTrim(false).setIgnoreEmptyLines(false).get();

    /** RFC 4180 CSV: fields may be quoted, {@code ""} is a quote inside one. */
    static final CSVFormat CSV = CSVFormat.RFC4180;

    private DelimitedFiles() {
    }

    /**
     * How a file is laid out.
     *
     * @param hasHeader the first record names the columns
     * @param expectedColumns the column names every row must match in number (and the header exactly, when there is
     *     one); null to take them from the header, or, without a header, to require the first row's column count
     */
    record Layout(CSVFormat format, boolean hasHeader, List<String> expectedColumns) {
    }

    /** Reads every row of {@code file} through {@code mapper} (usually into examples); rejected rows go to {@code badRows}. */
    static <T> List<T> read(Path file, Layout layout, Function<Row, T> mapper, BadRows badRows) {
        List<T> examples = new ArrayList<>();
        try (LineCountingReader reader = new LineCountingReader(openUtf8(file));
                CSVParser parser = CSVParser.builder().setReader(reader).setFormat(layout.format()).get()) {
            Iterator<CSVRecord> records = parser.iterator();
            List<String> columnNames = layout.expectedColumns();
            if (layout.hasHeader()) {
                columnNames = readHeader(file, records, reader, layout.expectedColumns());
            }
            while (records.hasNext()) {
                CSVRecord record;
                try {
                    record = records.next();
                } catch (UncheckedIOException e) {
                    // Commons CSV cannot resynchronise after a broken quote, so this is fatal even when skipping.
                    throw new DatasetFormatException(file + ":" + parser.getCurrentLineNumber()
                            + ": cannot parse: " + e.getCause().getMessage(), e);
                }
                List<String> values = record.toList();
                if (values.size() == 1 && values.get(0).isEmpty()) {
                    // Blank lines are skipped here, not by Commons CSV, whose positions then point at the blank line.
                    continue;
                }
                String source = file + ":" + reader.lineAt(record.getCharacterPosition());
                if (columnNames == null) {
                    columnNames = positionalNames(values.size());
                }
                if (values.size() != columnNames.size()) {
                    badRows.reject(source, "expected " + columnNames.size() + " columns " + columnNames + " but found "
                            + values.size());
                    continue;
                }
                mapRow(new Row(source, values, columnNames), mapper, badRows).ifPresent(examples::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        return examples;
    }

    /** Applies {@code mapper}, turning a rejection into a {@link BadRows} report. */
    static <T> Optional<T> mapRow(Row row, Function<Row, T> mapper, BadRows badRows) {
        try {
            return Optional.of(mapper.apply(row));
        } catch (RowRejected rejected) {
            badRows.reject(row.source(), rejected.getMessage());
            return Optional.empty();
        }
    }

    private static List<String> readHeader(Path file, Iterator<CSVRecord> records, LineCountingReader reader,
            List<String> expected) {
        if (!records.hasNext()) {
            throw new DatasetFormatException(file + ":1: empty file; expected a header row"
                    + (expected == null ? "" : " " + expected));
        }
        List<String> header = records.next().toList();
        if (expected != null && !header.equals(expected)) {
            throw new DatasetFormatException(file + ":1: expected the header " + expected + " but found " + header);
        }
        return header;
    }

    private static List<String> positionalNames(int count) {
        String[] names = new String[count];
        Arrays.setAll(names, i -> "column " + i);
        return List.of(names);
    }

    /** A UTF-8 reader that skips a leading byte order mark, which MRPC's files have and Commons CSV would keep. */
    static BufferedReader openUtf8(Path file) throws IOException {
        BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        reader.mark(1);
        if (reader.read() != BOM) {
            reader.reset();
        }
        return reader;
    }

    /**
     * Remembers where each line starts, so a record's character position (which Commons CSV reports exactly, even
     * after blank lines or quoted line breaks) becomes a 1-based line number.
     */
    private static final class LineCountingReader extends FilterReader {

        private long[] newlinePositions = new long[1024];
        private int newlines;
        private long position;

        LineCountingReader(Reader in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int c = super.read();
            if (c >= 0) {
                see((char) c);
            }
            return c;
        }

        @Override
        public int read(char[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            for (int i = 0; i < n; i++) {
                see(buffer[offset + i]);
            }
            return n;
        }

        private void see(char c) {
            if (c == '\n') {
                if (newlines == newlinePositions.length) {
                    newlinePositions = Arrays.copyOf(newlinePositions, newlines * 2);
                }
                newlinePositions[newlines++] = position;
            }
            position++;
        }

        /** The 1-based line holding the character at {@code characterPosition}. */
        long lineAt(long characterPosition) {
            int index = Arrays.binarySearch(newlinePositions, 0, newlines, characterPosition);
            return (index >= 0 ? index : -index - 1) + 1L;
        }
    }
}
