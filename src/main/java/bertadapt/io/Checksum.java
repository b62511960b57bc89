package bertadapt.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a download must hash to: a {@link MessageDigest} algorithm and the digests accepted, as lower-case hex.
 * Maven publishes one SHA-1 per file; a dataset may accept several SHA-256s (the publisher's archive and a repack).
 */
public record Checksum(String algorithm, Set<String> accepted) {

    public Checksum {
        newDigest(algorithm);
        TreeSet<String> lowerCase = new TreeSet<>();
        accepted.forEach(hex -> lowerCase.add(hex.toLowerCase(Locale.ROOT)));
        accepted = Set.copyOf(lowerCase);
    }

    public static Checksum sha1(String hex) {
        return new Checksum("SHA-1", Set.of(hex));
    }

    public static Checksum sha256(Set<String> hexes) {
        return new Checksum("SHA-256", hexes);
    }

    /** The SHA-1 of a file's content, lower-case hex. */
    public static String sha1Of(Path file) throws IOException {
        MessageDigest sha1 = newDigest("SHA-1");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                sha1.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha1.digest());
    }

    MessageDigest newDigest() {
        return newDigest(algorithm);
    }

    boolean accepts(String hex) {
        return accepted.contains(hex.toLowerCase(Locale.ROOT));
    }

    /** "X" for one accepted digest, "one of [X, Y]" for several, for error messages. */
    String describeAccepted() {
        return accepted.size() == 1 ? accepted.iterator().next() : "one of " + new TreeSet<>(accepted);
    }

    private static MessageDigest newDigest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("This Java runtime has no " + algorithm + " digest", e);
        }
    }
}
