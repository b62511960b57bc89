package bertadapt.data;

import bertadapt.io.ByteProgress;
import bertadapt.io.Checksum;
import bertadapt.io.Downloads;
import bertadapt.io.FileTrees;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Stream;
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
    private static final String ARCHIVE = "aclImdb_v1.tar.gz";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** How long to wait for the server to start answering; the download itself may take as long as it needs. */
    private static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);

    private final boolean showProgress;
    private final Downloads downloads;

    public DatasetFetcher(boolean showProgress) {
        this.showProgress = showProgress;
        this.downloads = new Downloads(CONNECT_TIMEOUT, RESPONSE_TIMEOUT, showProgress);
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
        Path staging = null;
        try {
            Files.createDirectories(datasetsDir);
            staging = Files.createTempDirectory(datasetsDir, "." + IMDB + "-unpack-");
            Path archive = staging.resolve(ARCHIVE);
            downloads.download(toUri(source), archive, null, false, Checksum.sha256(acceptedSha256), "Download " + IMDB);
            unpack(archive, staging);
            Path unpacked = staging.resolve(target.getFileName());
            if (!isComplete(unpacked)) {
                throw new IOException(source + " does not hold the aclImdb layout ({train,test}/{pos,neg}, "
                        + "train/unsup)");
            }
            Files.createDirectories(target.getParent());
            FileTrees.replace(unpacked, target);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot fetch " + known.name + " from " + source + ": " + e.getMessage(), e);
        } finally {
            FileTrees.deleteQuietly(staging);
        }
    }

    /** An {@code http(s):} or {@code file:} URL as given, anything else as the path of a local file. */
    private static URI toUri(String source) {
        boolean isUrl = source.startsWith("http://") || source.startsWith("https://") || source.startsWith("file:");
        return isUrl ? URI.create(source) : Path.of(source).toAbsolutePath().toUri();
    }

    /**
     * Unpacks a tar.gz into {@code folder}: regular files and folders only, and none outside it (an entry such as
     * {@code ../x} is refused rather than written where the archive says).
     */
    private void unpack(Path archive, Path folder) throws IOException {
        Path root = folder.toAbsolutePath().normalize();
        try (ByteProgress progress = ByteProgress.start("Unpack " + IMDB, Files.size(archive), showProgress);
                TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(
                        new BufferedInputStream(progress.track(Files.newInputStream(archive)), MIB)))) {
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

    /** True when {@code aclImdb} has every folder the reader needs, so a present folder is never re-fetched half. */
    static boolean isComplete(Path aclImdb) {
        return Stream.of("train/pos", "train/neg", "train/unsup", "test/pos", "test/neg")
                .allMatch(sub -> Files.isDirectory(aclImdb.resolve(sub)));
    }
}
