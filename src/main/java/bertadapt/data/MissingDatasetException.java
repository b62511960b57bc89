package bertadapt.data;

/** A dataset is not where it was looked for; the message says where, and for a known one how to get it. */
public class MissingDatasetException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MissingDatasetException(String message) {
        super(message);
    }
}
