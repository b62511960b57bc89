package bertadapt.text;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps DJL's tokenizer from touching the network. Read from DJL 0.38.0 ({@code ai.djl.util.Utils},
 * {@code Ec2Utils}, {@code huggingface.tokenizers.jni.LibUtils}):
 * <ul>
 *   <li>{@code ai.djl.offline}: {@code Utils.isOfflineMode()}; when true, {@code Ec2Utils.callHome}
 *       (a telemetry request made by every {@code HuggingFaceTokenizer.newInstance}) is skipped and
 *       LibUtils picks the CPU library bundled in the jar instead of downloading a CUDA build when
 *       it detects a GPU. The environment variable {@code DJL_OFFLINE}, if set, wins over it.</li>
 *   <li>{@code OPT_OUT_TRACKING}: a second switch for the telemetry call.</li>
 *   <li>{@code RUST_FLAVOR=cpu}: a second switch for the bundled CPU library.</li>
 * </ul>
 * The native library is copied from the jar into {@code DJL_CACHE_DIR} (default {@code ~/.djl.ai},
 * or the temp dir when home is read-only); that is local and left to the user to relocate.
 */
final class DjlOffline {

    private static final Logger LOG = LoggerFactory.getLogger(DjlOffline.class);

    private DjlOffline() {
    }

    /** Sets the switches; must run before the first DJL tokenizer is created. Idempotent. */
    static void configure() {
        // Forced, not defaulted: this toolkit must run without network, and the tokenizer needs
        // nothing beyond the library inside the jar.
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("RUST_FLAVOR", "cpu");
        String environmentOffline = System.getenv("DJL_OFFLINE");
        if (environmentOffline != null && !Boolean.parseBoolean(environmentOffline)) {
            LOG.warn("DJL_OFFLINE={} overrides ai.djl.offline=true; OPT_OUT_TRACKING and RUST_FLAVOR=cpu still "
                    + "keep the tokenizer offline unless they are overridden in the environment too", environmentOffline);
        }
    }
}
