package bertadapt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** The launcher script's choices of native-library settings, run with bash from the checkout's {@code bertadapt}. */
class LauncherTest {

    private static final Path LAUNCHER = Path.of("bertadapt");

    @Test
    void picksOpenBlasKernelsFromTheCpuFlags() throws Exception {
        String zen5 = "flags\t\t: fpu vme sse2 avx avx2 fma bmi2 avx512f avx512dq avx512ifma avx512cd avx512bw avx512vl avx512vbmi";
        assertEquals("SkylakeX", openBlasCoreType(zen5));
        assertEquals("Haswell", openBlasCoreType("flags\t\t: fpu sse2 avx avx2 fma bmi2"));
        assertEquals("Haswell", openBlasCoreType("flags\t\t: fpu avx2 fma avx512f avx512dq avx512bw"),
                "AVX-512 without its vector-length extension is not enough for the SkylakeX kernels");
        assertEquals("", openBlasCoreType("flags\t\t: fpu sse2 avx"), "older CPUs keep OpenBLAS's own choice");
        assertEquals("", openBlasCoreType("flags\t\t: fpu sse2 avx2"), "AVX2 without FMA");
        assertEquals("", openBlasCoreType(""), "no /proc/cpuinfo");
    }

    /** What the launcher's {@code openblas_coretype} function prints for a {@code flags} line of /proc/cpuinfo. */
    private static String openBlasCoreType(String cpuFlags) throws IOException, InterruptedException {
        String launcher = Files.readString(LAUNCHER, StandardCharsets.UTF_8);
        Matcher function = Pattern.compile("(?ms)^openblas_coretype\\(\\) \\{.*?^}$").matcher(launcher);
        assertTrue(function.find(), "bertadapt defines openblas_coretype()");
        Process bash = new ProcessBuilder("bash", "-c", function.group() + "\nopenblas_coretype \"$1\"", "bash", cpuFlags)
                .redirectErrorStream(true).start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, bash.waitFor(), output);
        return output;
    }
}
