package bertadapt.cli;

import java.util.Map;

import bertadapt.train.TrainerSettings;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The trainer's options shared by {@code finetune} and {@code adapt}. {@code --epochs} and {@code --learning-rate}
 * have no default here: each command gives its own through a {@link Defaults} subclass, so the help shows it.
 */
final class TrainingOptions {

    @Option(names = "--epochs", paramLabel = "N", converter = Checked.Positive.class,
            description = "Passes over the training data. Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--max-steps", defaultValue = "0", paramLabel = "N", converter = Checked.NonNegativeLong.class,
            description = "Optimiser updates in all; when more than 0 it overrides --epochs. Default: ${DEFAULT-VALUE}.")
    long maxSteps;

    @Option(names = "--learning-rate", paramLabel = "LR", converter = Checked.PositiveReal.class,
            description = "Peak learning rate of AdamW. Default: ${DEFAULT-VALUE}.")
    double learningRate;

    @Option(names = "--warmup-ratio", defaultValue = "0.1", paramLabel = "R", converter = Checked.Fraction.class,
            description = "Share of the updates spent warming the learning rate up from 0. Default: ${DEFAULT-VALUE}.")
    double warmupRatio;

    @Option(names = "--warmup-steps", defaultValue = "0", paramLabel = "N", converter = Checked.NonNegativeLong.class,
            description = "Updates spent warming up; when more than 0 it overrides --warmup-ratio. Default: ${DEFAULT-VALUE}.")
    long warmupSteps;

    @Option(names = "--weight-decay", defaultValue = "0.01", paramLabel = "D", converter = Checked.NonNegativeReal.class,
            description = "Decoupled weight decay (not of biases or LayerNorm). Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    @Mixin
    BatchSizeOption batch;

    @Mixin
    MaxLengthOption length;

    @Mixin
    SeedOption seed;

    /** The settings for this run; gradients are clipped at 1.0 as in BERT's fine-tuning. */
    TrainerSettings settings(int accumulationSteps, int evaluateEverySteps, String metric, boolean lowerIsBetter,
            int patience, int keepCheckpoints) {
        return new TrainerSettings(epochs, maxSteps, accumulationSteps, learningRate, warmupRatio, weightDecay,
                TrainerSettings.defaults().maxGradNorm(), seed.seed, evaluateEverySteps, metric, lowerIsBetter,
                patience, keepCheckpoints, warmupSteps);
    }

    /** A command's defaults for {@code --epochs} and {@code --learning-rate}. */
    abstract static class Defaults implements IDefaultValueProvider {

        private final Map<String, String> values;

        Defaults(String epochs, String learningRate) {
            values = Map.of("--epochs", epochs, "--learning-rate", learningRate);
        }

        @Override
        public String defaultValue(ArgSpec argument) {
            return argument instanceof OptionSpec option ? values.get(option.longestName()) : null;
        }
    }
}
