package bertadapt.data;

/** A known dataset is not in the datasets folder; the message says which command fetches it. */
public class MissingDatasetException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MissingDatasetException(String message) {
        super(message);
    }
}
