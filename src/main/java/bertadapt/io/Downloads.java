package bertadapt.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * Downloads over {@link HttpClient} (or copies a {@code file:} URL) into files that appear atomically: bytes go to
 * a temporary file next to the target, which is checked for length and checksum and only then renamed, so a
 * failed or interrupted download never leaves a file that looks complete. Errors name the URL.
 */
public final class Downloads {

    private static final int MAX_REDIRECTS = 10;
    private static final String USER_AGENT = "bertadapt/0.1 (java.net.http)";

    private final HttpClient client;
    private final Duration requestTimeout;
    private final boolean showProgress;

    /** A file that was downloaded, with its size in bytes. */
    public record Downloaded(Path file, long size) {
    }

    /** A response body ready to read, with its length in bytes or -1 when the server does not say. */
    private record Opened(InputStream body, long length) {
    }

    /**
     * @param requestTimeout how long to wait for the response headers, not for the whole body
     * @param showProgress whether downloads show a progress bar on stderr
     */
    public Downloads(Duration connectTimeout, Duration requestTimeout, boolean showProgress) {
        // Redirects are followed by hand (see open) so a bearer token is never forwarded to another host,
        // such as the CDN the hub redirects large files to.
        this.client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.requestTimeout = requestTimeout;
        this.showProgress = showProgress;
    }

    /** GETs a small text resource such as a {@code .sha1} file. */
    public String fetchText(URI url, String bearerToken) throws DownloadException {
        Opened opened = open(url, bearerToken, false).orElseThrow();
        try (InputStream body = opened.body()) {
            return new String(body.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw failure(url, e);
        }
    }

    /**
     * Downloads {@code url} to {@code target}, replacing it atomically and creating its directory if needed.
     *
     * @param bearerToken sent as {@code Authorization: Bearer} to the URL's origin, or null
     * @param optional when true an HTTP 404 yields empty instead of an error
     * @param expected what the content must hash to, or null to skip the check
     * @param label short task name for the progress bar
     */
    public Optional<Downloaded> download(URI url, Path target, String bearerToken, boolean optional, Checksum expected,
            String label) throws DownloadException {
        Optional<Opened> opened = open(url, bearerToken, optional);
        if (opened.isEmpty()) {
            return Optional.empty();
        }
        long contentLength = opened.get().length();
        long[] size = {0};
        try (InputStream body = opened.get().body()) {
            Files.createDirectories(target.toAbsolutePath().getParent());
            AtomicFiles.write(target, channel -> {
                MessageDigest digest = expected == null ? null : expected.newDigest();
                try (ByteProgress progress = ByteProgress.start(label, contentLength, showProgress)) {
                    // Not closed: AtomicFiles syncs the channel after this returns.
                    OutputStream out = Channels.newOutputStream(channel);
                    byte[] buffer = new byte[1 << 16];
                    for (int n; (n = body.read(buffer)) >= 0; ) {
                        out.write(buffer, 0, n);
                        if (digest != null) {
                            digest.update(buffer, 0, n);
                        }
                        size[0] += n;
                        progress.advance(n);
                    }
                }
                if (contentLength >= 0 && size[0] != contentLength) {
                    throw new DownloadException("Download of " + url + " was cut short: got " + size[0] + " of "
                            + contentLength + " bytes", DownloadException.NO_HTTP_STATUS);
                }
                if (digest != null) {
                    String actual = HexFormat.of().formatHex(digest.digest());
                    if (!expected.accepts(actual)) {
                        throw new DownloadException(expected.algorithm() + " mismatch for " + url + ": expected "
                                + expected.describeAccepted() + " but the download hashes to " + actual
                                + "; the file was discarded", DownloadException.NO_HTTP_STATUS);
                    }
                }
            });
            return Optional.of(new Downloaded(target, size[0]));
        } catch (DownloadException e) {
            throw e;
        } catch (IOException e) {
            throw failure(url, e);
        }
    }

    /**
     * Opens {@code url}: a {@code file:} URL directly, anything else with a GET that follows redirects. Returns the
     * 2xx response body unread, empty for a 404 when {@code optional}, and throws for anything else.
     */
    private Optional<Opened> open(URI url, String bearerToken, boolean optional) throws DownloadException {
        if ("file".equalsIgnoreCase(url.getScheme())) {
            try {
                Path file = Path.of(url);
                return Optional.of(new Opened(Files.newInputStream(file), Files.size(file)));
            } catch (IOException e) {
                throw failure(url, e);
            }
        }
        URI current = url;
        String token = bearerToken;
        try {
            for (int redirects = 0; ; redirects++) {
                HttpRequest.Builder request = HttpRequest.newBuilder(current)
                        .timeout(requestTimeout)
                        .header("User-Agent", USER_AGENT)
                        .GET();
                if (token != null) {
                    request.header("Authorization", "Bearer " + token);
                }
                HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    return Optional.of(new Opened(response.body(),
                            response.headers().firstValueAsLong("Content-Length").orElse(-1)));
                }
                response.body().close();
                String where = current.equals(url) ? url.toString() : url + " (redirected to " + current + ")";
                if (isRedirect(status)) {
                    String location = response.headers().firstValue("Location").orElseThrow(() ->
                            new DownloadException("HTTP " + status + " without a Location header from " + where, status));
                    if (redirects == MAX_REDIRECTS) {
                        throw new DownloadException("Too many redirects (more than " + MAX_REDIRECTS + ") for " + url,
                                status);
                    }
                    URI next = current.resolve(location);
                    if (!sameOrigin(current, next)) {
                        token = null;
                    }
                    current = next;
                    continue;
                }
                if (status == 404 && optional) {
                    return Optional.empty();
                }
                throw new DownloadException(describeStatus(status, where), status);
            }
        } catch (DownloadException e) {
            throw e;
        } catch (IOException e) {
            throw failure(current, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DownloadException("Interrupted while downloading " + url, e);
        }
    }

    private static String describeStatus(int status, String where) {
        return switch (status) {
            case 404 -> "Not found (HTTP 404): " + where;
            case 401, 403 -> "Access denied (HTTP " + status + ") for " + where;
            default -> "HTTP " + status + " for " + where;
        };
    }

    private DownloadException failure(URI url, IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return new DownloadException("Timed out connecting to " + url, e);
        }
        if (e instanceof HttpTimeoutException) {
            return new DownloadException("Timed out after " + requestTimeout.toSeconds() + " s waiting for " + url, e);
        }
        if (e instanceof ConnectException) {
            return new DownloadException("Cannot connect to " + url + " (" + Objects.toString(e.getMessage(), "refused")
                    + ")", e);
        }
        return new DownloadException("Download of " + url + " failed: " + e, e);
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
                && a.getPort() == b.getPort();
    }
}
