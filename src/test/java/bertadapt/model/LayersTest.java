package bertadapt.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LayersTest {

    private static final int ROWS = 400;
    private static final int COLUMNS = 250;
    private static final double RATE = 0.1;

    /**
     * Dropout regularises only if each unit is dropped with the given probability, independently of the other units,
     * of the other dropout layers and of the other steps; a generator handing out related streams would still pass a
     * test of the mean alone.
     */
    @Test
    void dropoutDropsEachUnitIndependentlyWithItsRate() {
        Layers layers = new Layers(DataType.DOUBLE, true, 0.02);
        SDVariable x = layers.sd.placeHolder("x", DataType.DOUBLE, ROWS, COLUMNS);
        SDVariable first = layers.dropout(x, RATE).rename("first");
        SDVariable second = layers.dropout(x, RATE).rename("second");
        Map<String, INDArray> feed = Map.of("x", Nd4j.ones(DataType.DOUBLE, ROWS, COLUMNS));
        layers.seedDropout(3);
        Map<String, INDArray> step1 = layers.sd.output(feed, "first", "second");
        INDArray a = step1.get("first").dup();
        INDArray b = step1.get("second").dup();
        INDArray c = layers.sd.output(feed, "first").get("first").dup();

        long n = (long) ROWS * COLUMNS;
        double tolerance = 4 * Math.sqrt(RATE * (1 - RATE) / n); // four standard deviations of the dropped fraction
        for (INDArray mask : new INDArray[] {a, b, c}) {
            double dropped = mask.eq(0).castTo(DataType.DOUBLE).sumNumber().doubleValue() / n;
            assertEquals(RATE, dropped, tolerance, "dropped fraction");
            assertEquals(1 / (1 - RATE), mask.maxNumber().doubleValue(), 1e-12, "kept units are scaled by 1 / (1 - rate)");
        }
        // Independent masks agree on a dropped unit with probability rate^2; related ones far more often.
        double expectedBoth = RATE * RATE;
        double bothTolerance = 4 * Math.sqrt(expectedBoth * (1 - expectedBoth) / n);
        assertEquals(expectedBoth, droppedInBoth(a, b), bothTolerance, "two layers in one step");
        assertEquals(expectedBoth, droppedInBoth(a, c), bothTolerance, "one layer in two steps");
        assertEquals(expectedBoth, droppedInBoth(a.getRows(rangeOf(0, ROWS / 2)), a.getRows(rangeOf(ROWS / 2, ROWS))),
                4 * Math.sqrt(expectedBoth * (1 - expectedBoth) / (n / 2.0)), "two halves of one mask");
        assertTrue(a.getRow(0).neq(a.getRow(1)).any(), "rows differ");
    }

    private static int[] rangeOf(int from, int to) {
        return IntStream.range(from, to).toArray();
    }

    private static double droppedInBoth(INDArray x, INDArray y) {
        return x.eq(0).castTo(DataType.DOUBLE).mul(y.eq(0).castTo(DataType.DOUBLE)).sumNumber().doubleValue() / x.length();
    }
}
