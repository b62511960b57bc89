package bertadapt.hub;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * Downloads over {@link HttpClient} into files that appear atomically: bytes go to a temporary file next to the
 * target, which is checked and then renamed, so a failed or interrupted download never leaves a file that looks
 * complete. Errors name the URL.
 */
final class HttpFetcher {

    private static final int MAX_REDIRECTS = 10;
    private static final String USER_AGENT = "bertadapt/0.1 (java.net.http)";

    private final HttpClient client;
    private final Duration requestTimeout;
    private final boolean showProgress;

    /** A file that was downloaded, with its size and SHA-1 (lower-case hex) computed while streaming. */
    record Downloaded(Path file, long size, String sha1) {
    }

    HttpFetcher(Duration connectTimeout, Duration requestTimeout, boolean showProgress) {
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
    String fetchText(URI url, String bearerToken) {
        HttpResponse<InputStream> response = open(url, bearerToken, false).orElseThrow();
        try (InputStream body = response.body()) {
            return new String(body.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw failure(url, e);
        }
    }

    /**
     * Downloads {@code url} to {@code target}, replacing it atomically.
     *
     * @param bearerToken sent as {@code Authorization: Bearer}, or null
     * @param optional when true an HTTP 404 yields empty instead of an error
     * @param expectedSha1 lower-case hex the content must hash to, or null to skip the check
     * @param label short task name for the progress bar
     */
    Optional<Downloaded> download(URI url, Path target, String bearerToken, boolean optional, String expectedSha1,
            String label) {
        Optional<HttpResponse<InputStream>> opened = open(url, bearerToken, optional);
        if (opened.isEmpty()) {
            return Optional.empty();
        }
        HttpResponse<InputStream> response = opened.get();
        long contentLength = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        Path temporary = null;
        try (InputStream body = response.body()) {
            Files.createDirectories(target.toAbsolutePath().getParent());
            temporary = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName() + ".", ".part");
            MessageDigest sha1 = newSha1();
            long size = 0;
            try (ByteProgress progress = ByteProgress.start(label, contentLength, showProgress);
                    OutputStream out = Files.newOutputStream(temporary)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = body.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    sha1.update(buffer, 0, n);
                    size += n;
                    progress.advance(n);
                }
            }
            if (contentLength >= 0 && size != contentLength) {
                throw new ModelStoreException("Download of " + url + " was cut short: got " + size + " of "
                        + contentLength + " bytes");
            }
            String actualSha1 = HexFormat.of().formatHex(sha1.digest());
            if (expectedSha1 != null && !expectedSha1.equalsIgnoreCase(actualSha1)) {
                throw new ModelStoreException("SHA-1 mismatch for " + url + ": expected " + expectedSha1 + " but the "
                        + "download hashes to " + actualSha1 + "; the file was discarded");
            }
            moveAtomically(temporary, target);
            temporary = null;
            return Optional.of(new Downloaded(target, size, actualSha1));
        } catch (IOException e) {
            throw failure(url, e);
        } finally {
            deleteQuietly(temporary);
        }
    }

    /**
     * Sends a GET, following redirects. Returns the 2xx response with an unread body, empty for a 404 when
     * {@code optional}, and throws for anything else.
     */
    private Optional<HttpResponse<InputStream>> open(URI url, String bearerToken, boolean optional) {
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
                    return Optional.of(response);
                }
                response.body().close();
                String where = current.equals(url) ? url.toString() : url + " (redirected to " + current + ")";
                if (isRedirect(status)) {
                    String location = response.headers().firstValue("Location").orElseThrow(() ->
                            new ModelStoreException("HTTP " + status + " without a Location header from " + where));
                    if (redirects == MAX_REDIRECTS) {
                        throw new ModelStoreException("Too many redirects (more than " + MAX_REDIRECTS + ") for " + url);
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
                throw new ModelStoreException(describeStatus(status, where, bearerToken != null));
            }
        } catch (IOException e) {
            throw failure(current, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelStoreException("Interrupted while downloading " + url, e);
        }
    }

    private static String describeStatus(int status, String where, boolean sentToken) {
        return switch (status) {
            case 404 -> "Not found (HTTP 404): " + where;
            case 401, 403 -> "Access denied (HTTP " + status + ") for " + where + (sentToken
                    ? "; the token in HF_TOKEN was rejected or lacks access to this repository"
                    : "; if the model is private or gated, set HF_TOKEN to a token with access");
            default -> "HTTP " + status + " for " + where;
        };
    }

    private ModelStoreException failure(URI url, IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            return new ModelStoreException("Timed out connecting to " + url, e);
        }
        if (e instanceof HttpTimeoutException) {
            return new ModelStoreException("Timed out after " + requestTimeout.toSeconds() + " s waiting for " + url, e);
        }
        if (e instanceof ConnectException) {
            return new ModelStoreException("Cannot connect to " + url + " (" + Objects.toString(e.getMessage(), "refused")
                    + ")", e);
        }
        return new ModelStoreException("Download of " + url + " failed: " + e, e);
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
                && a.getPort() == b.getPort();
    }

    static MessageDigest newSha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime must provide SHA-1", e);
        }
    }

    /** Renames within one directory; atomic where the file system allows, so readers see all or nothing. */
    static void moveAtomically(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // Best effort: the original error is the one worth reporting.
            }
        }
    }
}
