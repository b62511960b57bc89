package bertadapt.hub;

/**
 * A model name or path could not be turned into a usable local model directory.
 *
 * <p>Unchecked because callers (the CLI, tests) can do nothing better than report the message, which is written
 * to be shown to the user as is: it names the input, URL, directory or file involved.
 */
public class ModelStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ModelStoreException(String message) {
        super(message);
    }

    public ModelStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
