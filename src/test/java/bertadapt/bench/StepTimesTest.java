package bertadapt.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class StepTimesTest {

    /** Spins on this thread for {@code seconds} of wall-clock time: CPU time as long as the wall time. */
    private static void spin(double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    @Test
    void measuresEachStepsWallAndCpuSeconds() {
        List<Integer> ran = new ArrayList<>();
        StepTimes times = StepTimes.measure(3, step -> {
            ran.add(step);
            spin(0.05 * (step + 1));
        });

        assertEquals(List.of(0, 1, 2), ran);
        for (int step = 0; step < 3; step++) {
            double expected = 0.05 * (step + 1);
            assertTrue(times.seconds()[step] >= expected, "wall seconds of step " + step + ": " + times.seconds()[step]);
            // A busy thread's CPU time is its wall time, less the clock's 10 ms ticks and any time it was descheduled.
            assertTrue(times.cpuSeconds()[step] >= expected - 0.03, "CPU seconds of step " + step + ": " + times.cpuSeconds()[step]);
            assertTrue(times.compilerSeconds()[step] >= 0, "compiler seconds of step " + step);
        }
        assertEquals(times.seconds()[2] / times.seconds()[0], times.spread(), 1e-12);
        assertEquals(times.seconds()[1], times.median(), 1e-12);
        assertEquals(times.compilerSeconds()[0] + times.compilerSeconds()[1] + times.compilerSeconds()[2],
                times.compilerTotal(), 1e-12);
    }

    @Test
    void refusesMeasuresOfDifferentLengths() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new StepTimes(new double[] {1, 2}, new double[] {0}, new double[] {1, 2}));
        assertTrue(error.getMessage().contains("for 1 and 2 steps, wall-clock seconds for 2"), error.getMessage());
    }
}
