package bertadapt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void findsTheSystemsThreadedOpenBlas(@TempDir Path root) throws Exception {
        assertEquals("", launcherFunction("system_openblas", root.toString()), "no system OpenBLAS: the bundled one");
        Path serial = root.resolve("usr/lib/x86_64-linux-gnu/openblas-serial/libopenblas-r0.3.21.so");
        Files.createDirectories(serial.getParent());
        Files.writeString(serial, "");
        assertEquals("", launcherFunction("system_openblas", root.toString()), "a single-threaded build is not taken");
        Path threaded = root.resolve("usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so");
        Files.createDirectories(threaded.getParent());
        Files.writeString(threaded, "");
        assertEquals(threaded.toString(), launcherFunction("system_openblas", root.toString()));
    }

    @Test
    void namesAnOpenBlasFileAsJavaCppLoadsIt() throws Exception {
        assertEquals("openblasp-r0.3.21",
                launcherFunction("openblas_library_name", "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so"));
        assertEquals("openblas64_", launcherFunction("openblas_library_name", "/opt/lib/libopenblas64_.so"));
    }

    @Test
    void refusesAnOpenBlasItCannotLoadBeforeBuilding(@TempDir Path folder) throws Exception {
        Path missing = folder.resolve("libopenblas-missing.so");
        assertRefused(missing.toString(), "BERTADAPT_OPENBLAS=" + missing + ": expected an OpenBLAS library file named lib<name>.so");
        Path versioned = Files.writeString(folder.resolve("libopenblasp.so.0"), "");
        assertRefused(versioned.toString(), "expected an OpenBLAS library file named lib<name>.so");
        Path bundledName = Files.writeString(folder.resolve("libopenblas.so"), "");
        assertRefused(bundledName.toString(), "named as ND4J's bundled OpenBLAS");
    }

    /*
     * The JIT compiler commands name packages on the classpath (an upgrade of ND4J that moved them would leave the
     * commands matching nothing), and the JVM takes all the launcher's JIT options without a complaint and without a
     * word on standard output, which is the commands' own.
     */
    @Test
    void compilesPackagesThatExistAndTheJvmAccepts() throws Exception {
        List<String> options = jitOptions();
        List<String> commands = options.stream().filter(option -> option.startsWith("-XX:CompileCommand=")).toList();
        assertEquals(3, commands.size(), commands.toString());
        for (String command : commands.subList(1, commands.size())) {
            Matcher scaling = Pattern.compile("CompileThresholdScaling,([\\w.]+)\\.\\*::\\*,0\\.05").matcher(command);
            assertTrue(scaling.find(), command);
            String folder = scaling.group(1).replace('.', '/');
            assertTrue(getClass().getClassLoader().getResource(folder) != null, "no package " + scaling.group(1));
        }
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        java.addAll(options);
        java.add("-version");
        Process process = new ProcessBuilder(java).start();
        String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), errors);
        assertFalse(errors.contains("CompileCommand"), errors);
        assertEquals("", output, "the JVM's own messages on standard output");
    }

    /*
     * The compiler directives file that the launcher passes leaves SameDiff's session package to C1: the package is on
     * the classpath, and the JVM parses the file and takes the directive (CompilerDirectivesPrint shows what it took).
     */
    @Test
    void leavesSameDiffsSessionToC1() throws Exception {
        Path directives = jitOptions().stream().filter(option -> option.startsWith("-XX:CompilerDirectivesFile="))
                .map(option -> Path.of(option.substring(option.indexOf('=') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("the launcher passes no compiler directives file"));
        Matcher match = Pattern.compile("match: \"([\\w/]+)/\\*\\.\\*\"").matcher(Files.readString(directives));
        assertTrue(match.find(), directives + " matches a package");
        String sessionPackage = match.group(1);
        assertEquals("org/nd4j/autodiff/samediff/internal", sessionPackage);
        assertTrue(getClass().getClassLoader().getResource(sessionPackage) != null, "no package " + sessionPackage);

        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UnlockDiagnosticVMOptions", "-XX:CompilerDirectivesFile=" + directives, "-XX:+CompilerDirectivesPrint",
                "-version").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), output);
        assertTrue(Pattern.compile("(?s)matching: " + Pattern.quote(sessionPackage + "/*.*")
                + "\\s+c1 directives:.*?Exclude:false.*?c2 directives:.*?Exclude:true").matcher(output).find(), output);
    }

    /**
     * The JVM options of the launcher's {@code jit_options} array, unquoted, with {@code $repo} as the checkout (the
     * tests' working directory).
     */
    private static List<String> jitOptions() throws IOException {
        String launcher = Files.readString(LAUNCHER, StandardCharsets.UTF_8);
        Matcher array = Pattern.compile("(?ms)^jit_options=\\((.*?)\\)$").matcher(launcher);
        assertTrue(array.find(), "bertadapt defines jit_options");
        String repo = Path.of("").toAbsolutePath().toString();
        return Pattern.compile("\"([^\"]+)\"|(\\S+)").matcher(array.group(1)).results()
                .map(option -> option.group(1) != null ? option.group(1) : option.group(2))
                .map(option -> option.replace("$repo", repo)).toList();
    }

    /** Runs the launcher with {@code BERTADAPT_OPENBLAS=value}: exit code 2 and a message with {@code expected}. */
    private static void assertRefused(String value, String expected) throws IOException, InterruptedException {
        ProcessBuilder launcher = new ProcessBuilder("bash", LAUNCHER.toString(), "--help").redirectErrorStream(true);
        launcher.environment().put("BERTADAPT_OPENBLAS", value);
        Process process = launcher.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, process.waitFor(), output);
        assertTrue(output.contains(expected), output);
    }

    /** What the launcher's {@code openblas_coretype} function prints for a {@code flags} line of /proc/cpuinfo. */
    private static String openBlasCoreType(String cpuFlags) throws IOException, InterruptedException {
        return launcherFunction("openblas_coretype", cpuFlags);
    }

    /** What the launcher's function {@code name} prints for {@code argument}, the function run alone by bash. */
    private static String launcherFunction(String name, String argument) throws IOException, InterruptedException {
        String launcher = Files.readString(LAUNCHER, StandardCharsets.UTF_8);
        Matcher function = Pattern.compile("(?ms)^" + name + "\\(\\) \\{.*?^}$").matcher(launcher);
        assertTrue(function.find(), "bertadapt defines " + name + "()");
        Process bash = new ProcessBuilder("bash", "-c", function.group() + "\n" + name + " \"$1\"", "bash", argument)
                .redirectErrorStream(true).start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, bash.waitFor(), output);
        return output;
    }
}
