package bertadapt.io;

import java.io.IOException;

/**
 * A download failed; the message names the URL and is fit to show to the user. Callers that know more (such as
 * which token to set for a 401) can add to it using {@link #httpStatus}.
 */
public class DownloadException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Marks failures that are not an HTTP error status (timeouts, cut-short bodies, checksum mismatches). */
    public static final int NO_HTTP_STATUS = -1;

    private final int httpStatus;

    public DownloadException(String message, int httpStatus) {
        super(message);
        this.httpStatus = httpStatus;
    }

    public DownloadException(String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = NO_HTTP_STATUS;
    }

    /** The HTTP status the server answered with, or {@link #NO_HTTP_STATUS}. */
    public int httpStatus() {
        return httpStatus;
    }
}
