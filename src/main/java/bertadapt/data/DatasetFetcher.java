package bertadapt.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Downloads the datasets that are too big to commit (IMDb) into the datasets folder: fetched from the publisher
 * (or a given URL or local archive), checked against a pinned SHA-256, and unpacked into a hidden folder that is
 * renamed into place only when complete, so a failed fetch leaves nothing behind and a present folder is whole.
 */
public final class DatasetFetcher {

    /** The publisher's archive of the Large Movie Review Dataset v1.0 (Maas et al. 2011). */
    public static final String IMDB_URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz";

    /**
     * Archives accepted for IMDb. The first is the SHA-256 of the publisher's {@code aclImdb_v1.tar.gz}
     * (84,125,825 bytes, as pinned by TensorFlow Datasets and others). The second is the SHA-256 of the copy in the
     * project's shared data folder ({@code shared/data/imdb/aclImdb_v1.tar.gz}, 58,981,196 bytes), a repack of the
     * same reviews without the bag-of-words {@code .feat} files; computed with sha256sum.
     */
    static final Set<String> IMDB_SHA256 = Set.of(
            "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",
            "e340b68b53507dca7a514c296f3cb7dace60ad52d00a880442ccd99f537331ca");

    private static final String IMDB = "imdb";
    private static final int MIB = 1 << 20;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

    private final boolean showProgress;

    public DatasetFetcher(boolean showProgress) {
        this.showProgress = showProgress;
    }

    /** Fetches {@code name} from its publisher into {@code datasetsDir}; returns its folder. */
    public Path fetch(String name, Path datasetsDir) {
        return fetch(name, datasetsDir, IMDB_URL);
    }

    /**
     * Fetches {@code name} from {@code source} instead: an {@code http(s):} or {@code file:} URL, or the path of a
     * local copy of the archive. The archive must still hash to a known SHA-256. Does nothing if the dataset is
     * already there.
     */
    public Path fetch(String name, Path datasetsDir, String source) {
        return fetch(name, datasetsDir, source, IMDB_SHA256);
    }

    Path fetch(String name, Path datasetsDir, String source, Set<String> acceptedSha256) {
        DatasetRegistry.Known known = DatasetRegistry.find(name);
        Path target = known.folderIn(datasetsDir);
        if (!known.fetched) {
            throw new IllegalArgumentException("Dataset '" + known.name + "' ships with the repository in " + target
                    + "; there is nothing to fetch");
        }
        if (isComplete(target)) {
            return target;
        }
        Path archive = null;
        Path staging = null;
        try {
            Files.createDirectories(datasetsDir);
            archive = Files.createTempFile(datasetsDir, "." + IMDB + "-", ".tar.gz.part");
            String sha256 = download(source, archive);
            if (!acceptedSha256.contains(sha256)) {
                throw new IOException("SHA-256 mismatch for " + source + ": it hashes to " + sha256 + " but "
                        + IMDB + " must be one of " + acceptedSha256.stream().sorted().toList()
                        + "; the download was discarded");
            }
            staging = Files.createTempDirectory(datasetsDir, "." + IMDB + "-unpack-");
            unpack(archive, staging);
            Path unpacked = staging.resolve(target.getFileName());
            if (!isComplete(unpacked)) {
                throw new IOException(source + " does not hold the aclImdb layout ({train,test}/{pos,neg}, "
                        + "train/unsup)");
            }
            Files.createDirectories(target.getParent());
            Files.move(unpacked, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot fetch " + known.name + " from " + source + ": " + e.getMessage(), e);
        } finally {
            deleteRecursively(archive);
            deleteRecursively(staging);
        }
    }

    /** Copies {@code source} to {@code file}, returning the SHA-256 of the bytes, lower-case hex. */
    private String download(String source, Path file) throws IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime must provide SHA-256", e);
        }
        Opened opened = open(source);
        try (InputStream in = withProgress(opened.body(), "Download " + IMDB, opened.size());
                OutputStream out = Files.newOutputStream(file)) {
            new DigestInputStream(in, sha256).transferTo(out);
        }
        return HexFormat.of().formatHex(sha256.digest());
    }

    /** An open source and its size in bytes, or -1 when the server does not say. */
    private record Opened(InputStream body, long size) {
    }

    private static Opened open(String source) throws IOException {
        if (source.startsWith("http://") || source.startsWith("https://")) {
            HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                    .followRedirects(HttpClient.Redirect.NORMAL).build();
            HttpResponse<InputStream> response;
            try {
                response = client.send(HttpRequest.newBuilder(URI.create(source)).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            if (response.statusCode() != 200) {
                response.body().close();
                throw new IOException("HTTP " + response.statusCode());
            }
            return new Opened(response.body(), response.headers().firstValueAsLong("Content-Length").orElse(-1));
        }
        Path local = source.startsWith("file:") ? Paths.get(URI.create(source)) : Path.of(source);
        return new Opened(Files.newInputStream(local), Files.size(local));
    }

    /**
     * Unpacks a tar.gz into {@code folder}: regular files and folders only, and none outside it (an entry such as
     * {@code ../x} is refused rather than written where the archive says).
     */
    private void unpack(Path archive, Path folder) throws IOException {
        Path root = folder.toAbsolutePath().normalize();
        try (InputStream compressed = withProgress(Files.newInputStream(archive), "Unpack " + IMDB, Files.size(archive));
                TarArchiveInputStream tar = new TarArchiveInputStream(
                        new GzipCompressorInputStream(new BufferedInputStream(compressed, MIB)))) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                Path destination = root.resolve(entry.getName()).normalize();
                if (!destination.startsWith(root)) {
                    throw new IOException("archive entry " + entry.getName() + " points outside the folder");
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(destination);
                } else if (entry.isFile()) {
                    Files.createDirectories(destination.getParent());
                    Files.copy(tar, destination);
                }
            }
        }
    }

    /** Wraps {@code in} in a progress bar on stderr when enabled; a terminal that cannot show one is no error. */
    private InputStream withProgress(InputStream in, String task, long size) {
        if (!showProgress) {
            return in;
        }
        try {
            ProgressBarBuilder bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(size)
                    .setUnit("MiB", MIB).showSpeed();
            if (System.console() == null) {
                // Logs and CI: plain ASCII and few redraws.
                bar.setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(5_000);
            }
            return ProgressBar.wrap(in, bar);
        } catch (RuntimeException | LinkageError e) {
            return in;
        }
    }

    /** True when {@code aclImdb} has every folder the reader needs, so a present folder is never re-fetched half. */
    static boolean isComplete(Path aclImdb) {
        return Stream.of("train/pos", "train/neg", "train/unsup", "test/pos", "test/neg")
                .allMatch(sub -> Files.isDirectory(aclImdb.resolve(sub)));
    }

    private static void deleteRecursively(Path path) {
        if (path == null || !Files.exists(path)) {
            return;
        }
        try (Stream<Path> tree = Files.walk(path)) {
            for (Path each : (Iterable<Path>) tree.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(each);
            }
        } catch (IOException e) {
            // Best effort: the error that brought us here is the one worth reporting; a hidden leftover is harmless.
        }
    }
}
