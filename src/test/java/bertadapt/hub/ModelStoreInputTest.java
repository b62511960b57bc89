package bertadapt.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Local directories, unknown names and the parsing of hub ids: nothing here needs a server. */
class ModelStoreInputTest {

    @TempDir
    Path temp;

    /** Any network use would fail: nothing listens on port 9 of 127.0.0.1. */
    private ModelStore store() {
        URI nowhere = URI.create("http://127.0.0.1:9");
        return ModelStore.builder()
                .modelsRoot(temp.resolve("models"))
                .mavenLocalRepository(temp.resolve("m2-repository"))
                .mavenRemoteRepository(nowhere)
                .huggingFaceEndpoint(nowhere)
                .showProgress(false)
                .build();
    }

    private Path directoryWith(String name, String... files) throws IOException {
        Path directory = temp.resolve(name);
        for (String file : files) {
            Path path = directory.resolve(file);
            Files.createDirectories(path.getParent());
            Files.writeString(path, "x");
        }
        Files.createDirectories(directory);
        return directory;
    }

    @Test
    void unknownNameListsKnownNamesAndForms() {
        ModelStoreException error = assertThrows(ModelStoreException.class, () -> store().resolve("bert-large-foo"));

        assertTrue(error.getMessage().contains("'bert-large-foo'"), error.getMessage());
        assertTrue(error.getMessage().contains("bert-base-cased, bert-base-uncased"), error.getMessage());
        assertTrue(error.getMessage().contains("org/name[@revision]"), error.getMessage());
        assertTrue(error.getMessage().contains("config.json"), error.getMessage());
    }

    @Test
    void huggingFaceDirectoryIsReturnedAsIs() throws IOException {
        Path directory = directoryWith("hf", "config.json", "model.safetensors", "tokenizer.json");

        assertEquals(directory, store().resolve(directory.toString()));
        assertEquals(ModelLayout.HUGGING_FACE, ModelLayout.of(directory));
    }

    @Test
    void googleSavedModelDirectoryIsReturnedAsIs() throws IOException {
        Path directory = directoryWith("saved", "bert_config.json", "vocab.txt", "variables/variables.index",
                "variables/variables.data-00000-of-00001");

        assertEquals(directory, store().resolve(directory.toString()));
        assertEquals(ModelLayout.GOOGLE, ModelLayout.of(directory));
    }

    @Test
    void googleCheckpointDirectoryIsReturnedAsIs() throws IOException {
        Path directory = directoryWith("ckpt", "bert_config.json", "vocab.txt", "bert_model.ckpt.index",
                "bert_model.ckpt.data-00000-of-00001");

        assertEquals(directory, store().resolve(directory.toString()));
        assertEquals(ModelLayout.GOOGLE, ModelLayout.of(directory));
    }

    @Test
    void directoryMissingWeightsNamesDirectoryAndFile() throws IOException {
        Path directory = directoryWith("no-weights", "config.json", "vocab.txt");

        ModelStoreException error = assertThrows(ModelStoreException.class, () -> store().resolve(directory.toString()));

        assertTrue(error.getMessage().contains(directory.toString()), error.getMessage());
        assertTrue(error.getMessage().contains("is missing model.safetensors"), error.getMessage());
    }

    @Test
    void googleDirectoryMissingDataShardNamesIt() throws IOException {
        Path directory = directoryWith("no-data", "bert_config.json", "vocab.txt", "variables/variables.index");

        ModelStoreException error = assertThrows(ModelStoreException.class, () -> store().resolve(directory.toString()));

        assertTrue(error.getMessage().contains(directory.toString()), error.getMessage());
        assertTrue(error.getMessage().contains("variables/variables.data-*"), error.getMessage());
    }

    @Test
    void directoryWithoutAnyConfigSaysSo() throws IOException {
        Path directory = directoryWith("empty");

        ModelStoreException error = assertThrows(ModelStoreException.class, () -> store().resolve(directory.toString()));

        assertTrue(error.getMessage().contains("neither config.json nor bert_config.json"), error.getMessage());
    }

    @Test
    void missingAbsolutePathIsReportedAsMissingDirectory() {
        String missing = temp.resolve("does/not/exist").toString();

        ModelStoreException error = assertThrows(ModelStoreException.class, () -> store().resolve(missing));

        assertTrue(error.getMessage().contains(missing + " does not exist"), error.getMessage());
    }

    @Test
    void fileInsteadOfDirectoryIsRejected() throws IOException {
        Path file = Files.writeString(temp.resolve("model.bin"), "x");

        ModelStoreException error = assertThrows(ModelStoreException.class, () -> store().resolve(file.toString()));

        assertTrue(error.getMessage().contains("is a file"), error.getMessage());
    }

    @Test
    void hubIdsAreParsed() {
        assertEquals(Optional.of(new HubModelId("google-bert", "bert-base-uncased", "main")),
                HubModelId.parse("google-bert/bert-base-uncased"));
        assertEquals(Optional.of(new HubModelId("org", "m.v2", "abc123")), HubModelId.parse("org/m.v2@abc123"));
        assertFalse(HubModelId.parse("bert-base-uncased").isPresent());
        assertFalse(HubModelId.parse("a/b/c").isPresent());
        assertFalse(HubModelId.parse("org/..").isPresent());
        assertFalse(HubModelId.parse("org/name@").isPresent());
    }
}
