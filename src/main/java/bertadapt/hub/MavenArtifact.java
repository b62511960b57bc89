package bertadapt.hub;

import java.nio.file.Path;

/**
 * Maven coordinates of a jar artifact, and where it lives in a repository in the standard (Maven 2) layout,
 * which is the same for Maven Central and for a local repository such as {@code ~/.m2/repository}.
 */
public record MavenArtifact(String groupId, String artifactId, String version) {

    /** Slash-separated path of the jar relative to a repository root. */
    public String jarPath() {
        return groupId.replace('.', '/') + "/" + artifactId + "/" + version + "/" + artifactId + "-" + version + ".jar";
    }

    /** The jar inside a local repository rooted at {@code repositoryRoot}. */
    public Path jarIn(Path repositoryRoot) {
        return repositoryRoot.resolve(jarPath());
    }

    @Override
    public String toString() {
        return groupId + ":" + artifactId + ":" + version;
    }
}
