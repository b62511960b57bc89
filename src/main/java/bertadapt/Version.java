package bertadapt;

/** The project's version, kept equal to the pom's by hand: the launcher runs target/classes, which has no manifest. */
public final class Version {

    public static final String VALUE = "0.1.0-SNAPSHOT";

    private Version() {
    }
}
