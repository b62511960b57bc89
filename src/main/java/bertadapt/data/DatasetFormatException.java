package bertadapt.data;

/** A dataset file does not have the expected form; the message names the file, the line and what was expected. */
public class DatasetFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DatasetFormatException(String message) {
        super(message);
    }

    public DatasetFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
