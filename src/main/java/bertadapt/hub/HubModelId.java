package bertadapt.hub;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face hub model id {@code org/name}, optionally pinned with {@code @revision} (branch, tag or commit).
 */
public record HubModelId(String owner, String name, String revision) {

    public static final String DEFAULT_REVISION = "main";

    // Hub repo names: letters, digits, '-', '_', '.'; revisions may contain '/' (e.g. refs/pr/1).
    private static final Pattern FORM =
            Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]*)/([A-Za-z0-9][A-Za-z0-9._-]*)(?:@([A-Za-z0-9][A-Za-z0-9._/-]*))?");

    /** Parses {@code org/name[@revision]}; empty if the text does not have that form. */
    public static Optional<HubModelId> parse(String text) {
        Matcher matcher = FORM.matcher(text);
        if (!matcher.matches() || text.contains("..")) {
            return Optional.empty();
        }
        String revision = matcher.group(3) == null ? DEFAULT_REVISION : matcher.group(3);
        return Optional.of(new HubModelId(matcher.group(1), matcher.group(2), revision));
    }

    /** {@code org/name}, as used in hub URLs. */
    public String repoId() {
        return owner + "/" + name;
    }

    /** Revision as one URL path segment; the hub expects e.g. {@code refs%2Fpr%2F1}. */
    String encodedRevision() {
        return URLEncoder.encode(revision, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Flat directory name for the cache. Flat (not {@code org/name}) so that an org called like a known model
     * cannot land inside that model's directory; the hub forbids "--" in names, so this cannot collide.
     */
    String cacheDirectoryName() {
        String base = owner + "--" + name;
        return revision.equals(DEFAULT_REVISION) ? base : base + "@" + revision.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    @Override
    public String toString() {
        return revision.equals(DEFAULT_REVISION) ? repoId() : repoId() + "@" + revision;
    }
}
