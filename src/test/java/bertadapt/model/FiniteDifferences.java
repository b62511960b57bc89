package bertadapt.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;

import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Compares SameDiff's gradients with central finite differences, in float64. */
final class FiniteDifferences {

    private FiniteDifferences() {
    }

    /** The largest relative error over {@code samples} random elements of each variable. */
    static double maxRelativeError(SameDiff sd, Map<String, INDArray> feed, String loss, int samples, String... variables) {
        sd.setLossVariables(loss);
        SameDiffFixes.createGradFunction(sd);
        Map<String, INDArray> analytic = SameDiffFixes.gradientPass(sd, feed, List.of(), List.of(variables)).gradients();
        Random random = new Random(7);
        double worst = 0;
        for (String name : variables) {
            INDArray param = sd.getVariable(name).getArr();
            INDArray flat = param.reshape(param.length());
            INDArray gradient = analytic.get(name).reshape(param.length());
            boolean everyElement = samples >= param.length();
            for (int s = 0; s < Math.min(samples, param.length()); s++) {
                long i = everyElement ? s : random.nextInt((int) param.length());
                double original = flat.getDouble(i);
                double h = 1e-6;
                flat.putScalar(i, original + h);
                double up = sd.output(feed, loss).get(loss).getDouble(0);
                flat.putScalar(i, original - h);
                double down = sd.output(feed, loss).get(loss).getDouble(0);
                flat.putScalar(i, original);
                double numeric = (up - down) / (2 * h);
                double a = gradient.getDouble(i);
                double error = Math.abs(numeric - a) / Math.max(1e-6, Math.abs(numeric) + Math.abs(a));
                if (Math.abs(numeric - a) < 1e-8) {
                    error = 0; // both zero up to float64 noise
                }
                worst = Math.max(worst, error);
            }
        }
        return worst;
    }

    static void assertGradientsMatch(SameDiff sd, Map<String, INDArray> feed, String loss, int samples, String... variables) {
        double error = maxRelativeError(sd, feed, loss, samples, variables);
        assertTrue(error < 1e-5, "max relative gradient error " + error + " for " + String.join(", ", variables));
    }
}
