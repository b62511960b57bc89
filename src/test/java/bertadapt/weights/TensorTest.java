package bertadapt.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class TensorTest {
    @Test
    void rejectsValueCountThatDoesNotMatchTheShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Tensor(new long[] {2, 3}, new float[5]));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("6") && e.getMessage().contains("5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Tensor(new long[] {-1}, new float[0]));
    }

    @Test
    void convertsToAndFromArraysOfAnyOrderAndType() {
        INDArray columnMajor = Nd4j.create(new double[] {1, 4, 2, 5, 3, 6}, new long[] {2, 3}, 'f'); // [[1, 2, 3], [4, 5, 6]]
        Tensor t = Tensor.of(columnMajor);
        assertArrayEquals(new long[] {2, 3}, t.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.values(), "row-major float values");
        assertEquals(columnMajor, t.toArray(DataType.DOUBLE));
        assertEquals(DataType.FLOAT, t.toArray(DataType.FLOAT).dataType());
        INDArray target = Nd4j.zeros(DataType.DOUBLE, 2, 3);
        t.copyInto(target);
        assertEquals(columnMajor, target);
    }

    @Test
    void transposesRowMajorMatrices() {
        Tensor t = new Tensor(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
        Tensor tt = t.transpose2d();
        assertArrayEquals(new long[] {3, 2}, tt.shape());
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, tt.values());
        assertEquals(t, tt.transpose2d());
        assertThrows(IllegalStateException.class, () -> new Tensor(new long[] {2}, new float[2]).transpose2d());
    }

    @Test
    void showsShapeNotValuesAndKeepsItsShape() {
        long[] shape = {2, 2};
        Tensor t = new Tensor(shape, new float[] {1, 2, 3, 4});
        shape[0] = 99;
        t.shape()[1] = 99;
        assertEquals("Tensor[2, 2]", t.toString());
        assertEquals(4, t.numel());
        assertEquals(1, new Tensor(new long[0], new float[1]).numel());
    }
}
