package bertadapt.data;

/** Thrown by a row mapper for a malformed row; the reading loop turns it into a {@link BadRows} report. */
final class RowRejected extends RuntimeException {

    private static final long serialVersionUID = 1L;

    RowRejected(String problem) {
        super(problem, null, false, false);
    }
}
