package bertadapt.weights;

import java.util.Arrays;
import java.util.Objects;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A dense float tensor in row-major (C) order, as read from a checkpoint.
 *
 * <p>The values array is held without copying because checkpoint tensors are large (the word
 * embedding of BERT-base is 94 MB); callers must not modify an array after handing it over. The
 * shape is copied, so it cannot change under the tensor.
 */
public record Tensor(long[] shape, float[] values) {

    public Tensor {
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(values, "values");
        shape = shape.clone();
        long expected = numel(shape);
        if (expected != values.length) {
            throw new IllegalArgumentException("Tensor of shape " + Arrays.toString(shape) + " needs "
                    + expected + " values, but got " + values.length);
        }
    }

    /**
     * The values of {@code array} as float32 in row-major order, copied to the heap. The native copies made on the
     * way are freed at once rather than left to the garbage collector (a checkpoint of BERT-Base with its optimiser
     * state would leave 1.3 GB).
     */
    public static Tensor of(INDArray array) {
        if (array.isEmpty()) {
            return new Tensor(array.shape(), new float[0]); // ND4J gives an empty array no buffer at all
        }
        INDArray floats = array.castTo(DataType.FLOAT);
        INDArray rowMajor = floats.dup('c');
        try {
            return new Tensor(array.shape(), rowMajor.data().asFloat());
        } finally {
            rowMajor.close();
            if (floats != array) {
                floats.close();
            }
        }
    }

    /** A new array of {@code dataType} with these values. */
    public INDArray toArray(DataType dataType) {
        INDArray floats = Nd4j.create(values, shape, 'c');
        if (dataType == DataType.FLOAT) {
            return floats;
        }
        INDArray cast = floats.castTo(dataType);
        floats.close();
        return cast;
    }

    /** Writes these values into {@code target}, which has this shape; the native copy made on the way is freed at once. */
    public void copyInto(INDArray target) {
        INDArray values = toArray(target.dataType());
        target.assign(values);
        values.close();
    }

    /** Number of elements implied by a shape; rejects negative dimensions and overflow. */
    public static long numel(long[] shape) {
        long n = 1;
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException("Negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, dim);
        }
        return n;
    }

    /** Returns a copy of the shape, so callers cannot change this tensor's shape. */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long numel() {
        return values.length;
    }

    /** Whether this tensor has exactly the given shape. */
    public boolean hasShape(long... expected) {
        return Arrays.equals(shape, expected);
    }

    /** For a matrix [a, b], returns a new matrix [b, a]; TF kernels are [in, out], PyTorch weights [out, in]. */
    public Tensor transpose2d() {
        if (shape.length != 2) {
            throw new IllegalStateException("transpose2d needs a rank-2 tensor, but shape is " + Arrays.toString(shape));
        }
        int rows = (int) shape[0];
        int cols = (int) shape[1];
        float[] out = new float[values.length];
        for (int r = 0; r < rows; r++) {
            int rowStart = r * cols;
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = values[rowStart + c];
            }
        }
        return new Tensor(new long[] {cols, rows}, out);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Tensor t && Arrays.equals(shape, t.shape) && Arrays.equals(values, t.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(values);
    }

    /** Shows the shape only: printing millions of values into a log helps nobody. */
    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }
}
