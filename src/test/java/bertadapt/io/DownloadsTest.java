package bertadapt.io;

import static bertadapt.TestFiles.names;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks that keep a bad download from ever looking like a good file; ModelStore's tests cover the rest. */
class DownloadsTest {

    private static final byte[] CONTENT = "payload".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path temp;

    private HttpServer server;
    private URI base;
    private final Downloads downloads = new Downloads(Duration.ofSeconds(5), Duration.ofSeconds(5), false);

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/file", exchange -> {
            try (exchange; OutputStream body = exchange.getResponseBody()) {
                exchange.sendResponseHeaders(200, CONTENT.length);
                body.write(CONTENT);
            }
        });
        server.createContext("/moved", exchange -> {
            try (exchange) {
                exchange.getResponseHeaders().add("Location", "/file");
                exchange.sendResponseHeaders(302, -1);
            }
        });
        server.start();
        base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void matchingChecksumPublishesTheFileAfterRedirects() throws Exception {
        Path target = temp.resolve("sub/file.bin");

        downloads.download(base.resolve("/moved"), target, null, false, Checksum.sha256(Set.of(sha256(CONTENT))), "test");

        assertEquals("payload", Files.readString(target));
        assertEquals(List.of("file.bin"), names(target.getParent()));
    }

    @Test
    void checksumMismatchLeavesNoFileAndNamesBothDigests() throws Exception {
        Path target = temp.resolve("file.bin");
        String wrong = "0".repeat(40);

        DownloadException error = assertThrows(DownloadException.class,
                () -> downloads.download(base.resolve("/file"), target, null, false, Checksum.sha1(wrong), "test"));

        assertTrue(error.getMessage().startsWith("SHA-1 mismatch for " + base.resolve("/file")), error.getMessage());
        assertTrue(error.getMessage().contains(wrong), error.getMessage());
        assertEquals(List.of(), names(temp), "neither the target nor a temporary file");
    }

    @Test
    void missingFileIsEmptyWhenOptionalAndAnErrorWithTheStatusOtherwise() {
        URI missing = base.resolve("/missing");
        Path target = temp.resolve("file.bin");

        assertTrue(assertDoesNotThrow(() -> downloads.download(missing, target, null, true, null, "test")).isEmpty());
        DownloadException error = assertThrows(DownloadException.class,
                () -> downloads.download(missing, target, null, false, null, "test"));
        assertEquals(404, error.httpStatus());
        assertFalse(Files.exists(target));
    }

    @Test
    void fileUrlsAreCopiedAndChecked() throws Exception {
        Path source = Files.write(temp.resolve("source.bin"), CONTENT);
        Path target = temp.resolve("copy.bin");

        downloads.download(source.toUri(), target, null, false, Checksum.sha256(Set.of(sha256(CONTENT))), "test");

        assertEquals("payload", Files.readString(target));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
