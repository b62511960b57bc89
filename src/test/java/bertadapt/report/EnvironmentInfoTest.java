package bertadapt.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentInfoTest {

    @Test
    void readsTheFirstCpuModelName(@TempDir Path dir) throws IOException {
        Path cpuInfo = Files.writeString(dir.resolve("cpuinfo"), """
                processor\t: 0
                vendor_id\t: GenuineIntel
                model name\t: Intel(R) Xeon(R) CPU @ 2.20GHz
                processor\t: 1
                model name\t: Intel(R) Xeon(R) CPU @ 2.20GHz
                """);

        assertEquals("Intel(R) Xeon(R) CPU @ 2.20GHz", EnvironmentInfo.cpuModel(cpuInfo));
        assertEquals("unknown", EnvironmentInfo.cpuModel(dir.resolve("missing")));
    }

    @Test
    void describesThisJvm() {
        EnvironmentInfo environment = EnvironmentInfo.detect("1.2.3", "CpuBackend");

        assertEquals("1.2.3", environment.projectVersion());
        assertEquals(System.getProperty("java.version"), environment.javaVersion());
        assertEquals(Runtime.getRuntime().availableProcessors(), environment.cores());
        assertTrue(environment.maxMemoryBytes() > 0);
        assertTrue(!environment.cpuModel().isBlank());
    }
}
