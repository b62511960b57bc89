package bertadapt.bench;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Time spent inside each kind of op (from just before its native call to just after), summed over the steps it
 * listens to. What a step takes beyond the sum is SameDiff's own work between ops: scheduling, shape inference and
 * allocating output buffers.
 */
public final class OpProfile extends BaseListener {

    /** One kind of op: how many times it ran and for how long in all. */
    public record OpTime(String op, long calls, double seconds) {
    }

    private final Map<String, long[]> callsAndNanos = new HashMap<>();
    private long startedAt;

    @Override
    public boolean isActive(Operation operation) {
        return true;
    }

    @Override
    public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext context) {
        startedAt = System.nanoTime();
    }

    @Override
    public void opExecution(SameDiff sd, At at, MultiDataSet batch, SameDiffOp op, OpContext context, INDArray[] outputs) {
        long[] entry = callsAndNanos.computeIfAbsent(op.getOp().opName(), name -> new long[2]);
        entry[0]++;
        entry[1] += System.nanoTime() - startedAt;
    }

    /** Every kind of op seen, longest total time first. */
    public List<OpTime> byTime() {
        return callsAndNanos.entrySet().stream()
                .map(e -> new OpTime(e.getKey(), e.getValue()[0], e.getValue()[1] / 1e9))
                .sorted(Comparator.comparingDouble(OpTime::seconds).reversed())
                .toList();
    }

    public double totalSeconds() {
        return callsAndNanos.values().stream().mapToLong(entry -> entry[1]).sum() / 1e9;
    }

    public long totalCalls() {
        return callsAndNanos.values().stream().mapToLong(entry -> entry[0]).sum();
    }
}
