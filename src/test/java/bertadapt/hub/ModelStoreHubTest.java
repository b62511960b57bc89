package bertadapt.hub;

import static bertadapt.TestFiles.names;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hugging Face hub ids resolved against a fake hub on 127.0.0.1. */
class ModelStoreHubTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] CONFIG = "{\"model_type\": \"bert\", \"hidden_size\": 32}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] VOCAB = "[PAD]\n[UNK]\nhello\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] WEIGHTS = new byte[50_000];

    static {
        for (int i = 0; i < WEIGHTS.length; i++) {
            WEIGHTS[i] = (byte) (i * 7);
        }
    }

    @TempDir
    Path temp;

    private LocalHttpServer hub;
    private Path models;

    @BeforeEach
    void startHub() {
        hub = new LocalHttpServer();
        models = temp.resolve("models");
        serveModel("tiny-org/tiny-bert", "main");
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    /** A model with config, vocab and weights but no tokenizer.json, which the hub answers with 404. */
    private void serveModel(String id, String encodedRevision) {
        String prefix = "/" + id + "/resolve/" + encodedRevision + "/";
        hub.serve(prefix + "config.json", CONFIG);
        hub.serve(prefix + "vocab.txt", VOCAB);
        hub.serve(prefix + "model.safetensors", WEIGHTS);
    }

    private ModelStore.Builder storeBuilder() {
        return ModelStore.builder()
                .modelsRoot(models)
                .mavenLocalRepository(temp.resolve("m2-repository"))
                .mavenRemoteRepository(hub.baseUri())
                .huggingFaceEndpoint(hub.baseUri())
                .huggingFaceToken(null)
                .showProgress(false)
                .requestTimeout(Duration.ofSeconds(10));
    }

    @Test
    void downloadsHubModelIntoTheCache() throws IOException {
        Path directory = storeBuilder().build().resolve("tiny-org/tiny-bert");

        assertEquals(models.resolve("tiny-org--tiny-bert"), directory);
        assertArrayEquals(CONFIG, Files.readAllBytes(directory.resolve("config.json")));
        assertArrayEquals(VOCAB, Files.readAllBytes(directory.resolve("vocab.txt")));
        assertArrayEquals(WEIGHTS, Files.readAllBytes(directory.resolve("model.safetensors")));
        assertFalse(Files.exists(directory.resolve("tokenizer.json")), "tokenizer.json is optional; the 404 is fine");
        assertEquals(ModelLayout.HUGGING_FACE, ModelLayout.of(directory));

        JsonNode manifest = JSON.readTree(directory.resolve("bertadapt.json").toFile());
        assertEquals("tiny-org/tiny-bert", manifest.get("source").get("id").asText());
        assertEquals("main", manifest.get("source").get("revision").asText());
        assertEquals(WEIGHTS.length, manifest.get("files").get("model.safetensors").asLong());
        assertEquals(List.of("/tiny-org/tiny-bert/resolve/main/config.json", "/tiny-org/tiny-bert/resolve/main/vocab.txt",
                "/tiny-org/tiny-bert/resolve/main/tokenizer.json", "/tiny-org/tiny-bert/resolve/main/model.safetensors"),
                hub.requests().stream().map(LocalHttpServer.Request::path).toList());
        assertEquals(List.of("tiny-org--tiny-bert"), names(models));
    }

    @Test
    void secondResolveIsACacheHitWithoutRequests() {
        storeBuilder().build().resolve("tiny-org/tiny-bert");
        int requests = hub.requestCount();

        storeBuilder().build().resolve("tiny-org/tiny-bert");

        assertEquals(requests, hub.requestCount());
    }

    @Test
    void revisionIsPartOfTheUrlAndTheCacheDirectory() {
        serveModel("tiny-org/tiny-bert", "refs%2Fpr%2F3");

        Path directory = storeBuilder().build().resolve("tiny-org/tiny-bert@refs/pr/3");

        assertEquals(models.resolve("tiny-org--tiny-bert@refs_pr_3"), directory);
        assertTrue(hub.requests().stream().allMatch(r -> r.path().startsWith("/tiny-org/tiny-bert/resolve/refs%2Fpr%2F3/")));
    }

    @Test
    void tokenIsSentAsBearerToTheHub() {
        storeBuilder().huggingFaceToken("hf_secret").build().resolve("tiny-org/tiny-bert");

        assertTrue(hub.requests().stream().allMatch(r -> "Bearer hf_secret".equals(r.authorization())));
    }

    @Test
    void redirectsAreFollowedAndTheTokenStaysWithTheHub() throws IOException {
        try (LocalHttpServer cdn = new LocalHttpServer()) {
            // Same host, other port: another origin, like the CDN the hub redirects large files to.
            cdn.serve("/blobs/weights", WEIGHTS);
            hub.redirect("/tiny-org/tiny-bert/resolve/main/model.safetensors", URI.create(cdn.baseUri() + "/blobs/weights"));
            hub.redirect("/tiny-org/tiny-bert/resolve/main/vocab.txt", URI.create("/tiny-org/tiny-bert/raw/vocab.txt"));
            hub.serve("/tiny-org/tiny-bert/raw/vocab.txt", VOCAB);

            Path directory = storeBuilder().huggingFaceToken("hf_secret").build().resolve("tiny-org/tiny-bert");

            assertArrayEquals(WEIGHTS, Files.readAllBytes(directory.resolve("model.safetensors")));
            assertArrayEquals(VOCAB, Files.readAllBytes(directory.resolve("vocab.txt")));
            assertEquals(1, cdn.requestCount());
            assertNull(cdn.requests().get(0).authorization(), "the token must not leak to another origin");
            assertTrue(hub.requests().stream().allMatch(r -> "Bearer hf_secret".equals(r.authorization())),
                    "a same-origin redirect keeps the token");
        }
    }

    @Test
    void missingWeightsFailNamingTheUrlAndLeaveNothing() {
        hub.status("/tiny-org/tiny-bert/resolve/main/model.safetensors", 404);

        ModelStoreException error = assertThrows(ModelStoreException.class,
                () -> storeBuilder().build().resolve("tiny-org/tiny-bert"));

        assertTrue(error.getMessage().contains(hub.baseUri() + "/tiny-org/tiny-bert/resolve/main/model.safetensors"),
                error.getMessage());
        assertTrue(error.getMessage().contains("404"), error.getMessage());
        assertEquals(List.of(), names(models), "no cache directory and no staging directory");
    }

    @Test
    void unknownRepositoryFailsOnConfigBeforeTheBigDownload() {
        ModelStoreException error = assertThrows(ModelStoreException.class,
                () -> storeBuilder().build().resolve("tiny-org/no-such-model"));

        assertTrue(error.getMessage().contains("/tiny-org/no-such-model/resolve/main/config.json"), error.getMessage());
        assertEquals(1, hub.requestCount());
    }

    @Test
    void unauthorizedMentionsHfToken() {
        hub.status("/tiny-org/tiny-bert/resolve/main/config.json", 401);

        ModelStoreException error = assertThrows(ModelStoreException.class,
                () -> storeBuilder().build().resolve("tiny-org/tiny-bert"));

        assertTrue(error.getMessage().contains("401"), error.getMessage());
        assertTrue(error.getMessage().contains("HF_TOKEN"), error.getMessage());
        assertTrue(error.getMessage().contains(hub.baseUri() + "/tiny-org/tiny-bert/resolve/main/config.json"));
    }

    @Test
    void modelWithoutVocabOrTokenizerIsRejected() {
        hub.status("/tiny-org/tiny-bert/resolve/main/vocab.txt", 404);

        ModelStoreException error = assertThrows(ModelStoreException.class,
                () -> storeBuilder().build().resolve("tiny-org/tiny-bert"));

        assertTrue(error.getMessage().contains("neither vocab.txt nor tokenizer.json"), error.getMessage());
        assertEquals(List.of(), names(models));
    }

    @Test
    void tokenizerJsonAloneIsEnough() throws IOException {
        hub.status("/tiny-org/tiny-bert/resolve/main/vocab.txt", 404);
        hub.serve("/tiny-org/tiny-bert/resolve/main/tokenizer.json", "{\"model\": {}}".getBytes(StandardCharsets.UTF_8));

        Path directory = storeBuilder().build().resolve("tiny-org/tiny-bert");

        assertTrue(Files.exists(directory.resolve("tokenizer.json")));
        assertEquals(ModelLayout.HUGGING_FACE, ModelLayout.of(directory));
    }

    @Test
    void deletedWeightsAreDownloadedAgain() throws IOException {
        Path directory = storeBuilder().build().resolve("tiny-org/tiny-bert");
        Files.delete(directory.resolve("model.safetensors"));

        storeBuilder().build().resolve("tiny-org/tiny-bert");

        assertArrayEquals(WEIGHTS, Files.readAllBytes(directory.resolve("model.safetensors")));
        assertEquals(List.of("tiny-org--tiny-bert"), names(models));
    }
}
