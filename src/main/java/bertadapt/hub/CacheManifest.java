package bertadapt.hub;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code bertadapt.json}, written last into a cached model directory: where the model came from, its casing, and
 * the size of every file. A directory counts as a cache hit only if this file is readable and every listed file
 * is present with that size, so deleted or truncated files are noticed without hashing gigabytes.
 *
 * @param source provenance, e.g. Maven coordinates and jar SHA-1, or hub id and revision
 * @param doLowerCase whether the vocabulary expects lower-cased input; null when the source does not say
 * @param files relative path (with '/') to size in bytes
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record CacheManifest(
        @JsonProperty("source") Map<String, Object> source,
        @JsonProperty("do_lower_case") Boolean doLowerCase,
        @JsonProperty("files") SortedMap<String, Long> files) {

    static final String FILE_NAME = "bertadapt.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** Records {@code relativePaths} of {@code directory} with their current sizes. */
    static CacheManifest describe(Path directory, Map<String, Object> source, Boolean doLowerCase, Iterable<String> relativePaths)
            throws IOException {
        SortedMap<String, Long> files = new TreeMap<>();
        for (String relativePath : relativePaths) {
            files.put(relativePath, Files.size(directory.resolve(relativePath)));
        }
        return new CacheManifest(source, doLowerCase, files);
    }

    void writeTo(Path directory) throws IOException {
        JSON.writeValue(directory.resolve(FILE_NAME).toFile(), this);
    }

    /** The manifest of {@code directory}, if it has a readable one. */
    static Optional<CacheManifest> readFrom(Path directory) {
        Path file = directory.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            CacheManifest manifest = JSON.readValue(file.toFile(), CacheManifest.class);
            return manifest.files() == null || manifest.files().isEmpty() ? Optional.empty() : Optional.of(manifest);
        } catch (IOException e) {
            return Optional.empty(); // An unreadable manifest means an unusable cache: rebuild it.
        }
    }

    /** True if every listed file exists in {@code directory} with the recorded size. */
    boolean isSatisfiedBy(Path directory) {
        for (Map.Entry<String, Long> file : files.entrySet()) {
            Path path = directory.resolve(file.getKey());
            try {
                if (!Files.isRegularFile(path) || Files.size(path) != file.getValue()) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** True if {@code directory} holds a complete cached model. */
    static boolean isComplete(Path directory) {
        return readFrom(directory).map(manifest -> manifest.isSatisfiedBy(directory)).orElse(false);
    }
}
