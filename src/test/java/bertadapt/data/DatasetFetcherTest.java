package bertadapt.data;

import static bertadapt.TestFiles.names;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dataset fetch imdb} against a local HTTP server serving a tiny archive in the aclImdb layout. */
class DatasetFetcherTest {

    @TempDir
    Path datasets;

    private HttpServer server;
    private byte[] archive;
    private String url;

    @BeforeEach
    void serveTinyImdb() throws Exception {
        archive = tinyAclImdb();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/aclImdb_v1.tar.gz", exchange -> {
            try (exchange; OutputStream body = exchange.getResponseBody()) {
                exchange.sendResponseHeaders(200, archive.length);
                body.write(archive);
            }
        });
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort() + "/aclImdb_v1.tar.gz";
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void checksumMismatchFailsAndLeavesNothingBehind() throws Exception {
        DatasetFetcher fetcher = new DatasetFetcher(false);
        String message = assertThrows(UncheckedIOException.class, () -> fetcher.fetch("imdb", datasets, url))
                .getMessage();
        assertTrue(message.contains("SHA-256 mismatch for " + url), message);
        assertTrue(message.contains(sha256(archive)), message);
        assertEquals(List.of(), names(datasets));
    }

    @Test
    void fetchedArchiveIsReadableAndNotFetchedTwice() throws Exception {
        Path folder = new DatasetFetcher(true).fetch("imdb", datasets, url, Set.of(sha256(archive)));
        assertEquals(datasets.resolve("imdb/aclImdb"), folder);
        assertEquals(List.of("imdb"), names(datasets), "no temporary files left");

        LabelledDataset imdb = DatasetRegistry.load("imdb", datasets);
        List<Example> train = imdb.split(Split.TRAIN);
        assertEquals(List.of("neg", "pos", "pos"), train.stream().map(Example::label).toList());
        assertEquals("Dull. Really dull.", train.get(0).textA());
        assertEquals(List.of("Loved it. Twice.", "Fine."), train.subList(1, 3).stream().map(Example::textA).toList(),
                "ordered by numeric ID, <br /> tags become spaces");
        assertEquals(1, imdb.split(Split.TEST).size());
        try (Stream<Example> unlabelled = ImdbReader.stream(folder, Split.UNLABELLED, BadRows.fail())) {
            assertEquals(List.of("No label."), unlabelled.map(Example::textA).toList());
        }

        server.stop(0);
        assertEquals(folder, new DatasetFetcher(false).fetch("imdb", datasets, url), "present: no download");
    }

    @Test
    void committedAndUnknownDatasetsAreNotFetched() {
        DatasetFetcher fetcher = new DatasetFetcher(false);
        String committed = assertThrows(IllegalArgumentException.class, () -> fetcher.fetch("mrpc", datasets))
                .getMessage();
        assertTrue(committed.contains("ships with the repository"), committed);
        assertThrows(IllegalArgumentException.class, () -> fetcher.fetch("sst2", datasets));
    }

    private static byte[] tinyAclImdb() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            for (String folder : List.of("aclImdb/", "aclImdb/train/", "aclImdb/train/pos/", "aclImdb/train/neg/",
                    "aclImdb/train/unsup/", "aclImdb/test/", "aclImdb/test/pos/", "aclImdb/test/neg/")) {
                tar.putArchiveEntry(new TarArchiveEntry(folder));
                tar.closeArchiveEntry();
            }
            add(tar, "aclImdb/train/pos/10_9.txt", "Fine.");
            add(tar, "aclImdb/train/pos/9_10.txt", "Loved it.<br /><br />Twice.");
            add(tar, "aclImdb/train/neg/3_1.txt", "Dull. Really dull.");
            add(tar, "aclImdb/train/unsup/0_0.txt", "No label.");
            add(tar, "aclImdb/test/neg/0_2.txt", "Meh.");
        }
        return bytes.toByteArray();
    }

    private static void add(TarArchiveOutputStream tar, String name, String text) throws IOException {
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
