package bertadapt.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Where an experiment ran, so results from different machines or library versions are not compared blindly.
 *
 * @param nd4jBackend the backend name as the harness reports it (this package does not load ND4J)
 * @param cpuModel    from {@code /proc/cpuinfo}, or {@code "unknown"} where that file is missing
 */
public record EnvironmentInfo(String projectVersion, String javaVersion, String javaVendor, String nd4jBackend,
                              String os, String cpuModel, int cores, long maxMemoryBytes) {

    private static final Path CPU_INFO = Path.of("/proc/cpuinfo");

    /** Describes this JVM and machine. */
    public static EnvironmentInfo detect(String projectVersion, String nd4jBackend) {
        return new EnvironmentInfo(projectVersion,
                System.getProperty("java.version"),
                System.getProperty("java.vendor"),
                nd4jBackend,
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                cpuModel(CPU_INFO),
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory());
    }

    static String cpuModel(Path cpuInfo) {
        if (!Files.isReadable(cpuInfo)) {
            return "unknown";
        }
        try (Stream<String> lines = Files.lines(cpuInfo)) {
            return lines.filter(line -> line.startsWith("model name"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown");
        } catch (IOException | UncheckedIOException e) {
            // A report without the CPU model beats no report.
            return "unknown";
        }
    }
}
