package bertadapt.data;

/** A column of a delimited file or a field of a JSON line, by header name or by 0-based position. */
public sealed interface Column {

    static Column named(String name) {
        return new Named(name);
    }

    static Column at(int index) {
        return new Index(index);
    }

    /** A column by its header name (or JSON field name). */
    record Named(String name) implements Column {
        @Override
        public String toString() {
            return "'" + name + "'";
        }
    }

    /** A column by 0-based position. */
    record Index(int index) implements Column {
        public Index {
            if (index < 0) {
                throw new IllegalArgumentException("Column index must be >= 0, got " + index);
            }
        }

        @Override
        public String toString() {
            return "#" + index;
        }
    }
}
