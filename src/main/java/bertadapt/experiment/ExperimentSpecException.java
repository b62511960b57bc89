package bertadapt.experiment;

/** An experiment spec that cannot be used; the message names the key path, e.g. {@code task.learning_rate: ...}. */
public final class ExperimentSpecException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public ExperimentSpecException(String message) {
        super(message);
    }
}
