package bertadapt.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** What the machine itself can do, and what the process has used of it: the yardsticks for a benchmark's numbers. */
public final class MachineMeasures {

    private MachineMeasures() {
    }

    /**
     * The best float matrix-product rate of {@code repeats} products of two n x n matrices through ND4J's BLAS,
     * in GFLOP/s: the ceiling that the model's matrix products could reach here.
     */
    public static double sgemmGflops(int n, int repeats) {
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        Nd4j.gemm(a, b, c, false, false, 1.0, 0.0); // untimed: the first call loads BLAS and starts its threads
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < repeats; i++) {
            long start = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            best = Math.min(best, (System.nanoTime() - start) / 1e9);
        }
        return 2.0 * n * n * n / best / 1e9;
    }

    /**
     * The process's peak resident memory so far in MB ({@code VmHWM} of {@code /proc/self/status}): JVM heap,
     * ND4J's off-heap arrays and native libraries together, as PyTorch's {@code ru_maxrss} counts them.
     */
    public static long peakResidentMb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        throw new IOException("/proc/self/status has no VmHWM line: peak memory is measured on Linux only");
    }

    /**
     * The OpenBLAS kernel family the products run with: OPENBLAS_CORETYPE, which the launcher sets from the CPU's
     * instruction sets, or "auto" where OpenBLAS chose by itself.
     */
    public static String openBlasKernels() {
        String configured = System.getenv("OPENBLAS_CORETYPE");
        return configured == null || configured.isBlank() ? "auto" : configured;
    }

    /**
     * The OpenBLAS build the products run on: the library that JavaCPP was told to load in place of the build bundled
     * with ND4J ({@code org.bytedeco.openblas.load}, which the launcher sets where the system has a threaded OpenBLAS),
     * or "bundled".
     */
    public static String openBlasLibrary() {
        String loaded = System.getProperty("org.bytedeco.openblas.load", "");
        return loaded.isBlank() ? "bundled" : loaded;
    }

    /** The CPU threads ND4J's native code uses: OMP_NUM_THREADS when set, as the launcher sets it, else every core. */
    public static int threads() {
        String configured = System.getenv("OMP_NUM_THREADS");
        return configured != null && configured.matches("\\d+") ? Integer.parseInt(configured)
                : Runtime.getRuntime().availableProcessors();
    }
}
