package bertadapt.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Which parameters of a {@link Bert} train. A frozen parameter becomes a SameDiff constant: it gets
 * no gradient and keeps its value bit for bit.
 *
 * <p>Blocks, bottom to top: {@code embeddings}, {@code layer.0} ... {@code layer.L-1}, {@code pooler},
 * then the heads ({@code cls.predictions}, {@code cls.seq_relationship}, {@code classifier}).
 */
public final class Freezing {

    /** {@code freeze_layer_count} meaning "train everything". */
    public static final int NONE = Integer.MIN_VALUE;

    private static final Pattern LAYER = Pattern.compile("bert\\.encoder\\.layer\\.(\\d+)\\..*");

    private Freezing() {
    }

    /**
     * Freezes by the seed experiments' {@code freeze_layer_count}: -1 freezes the embeddings only; N >= 0
     * freezes the embeddings and encoder layers 0..N-1 (N = L freezes every layer); {@link #NONE}
     * unfreezes everything. The pooler and heads stay trainable; {@link #freezeEncoder} freezes the pooler too.
     */
    public static void freezeLayerCount(Bert bert, int freezeLayerCount) {
        if (freezeLayerCount != NONE && (freezeLayerCount < -1 || freezeLayerCount > bert.config.numLayers())) {
            throw new IllegalArgumentException("freeze_layer_count is " + freezeLayerCount + ", expected -1 (embeddings only) to "
                    + bert.config.numLayers() + " (every layer) for a model with " + bert.config.numLayers() + " layers");
        }
        apply(bert, name -> freezeLayerCount != NONE && (isEmbedding(name) || layerOf(name) < freezeLayerCount));
    }

    /** Freezes embeddings, every encoder layer and the pooler: only the heads train. */
    public static void freezeEncoder(Bert bert) {
        apply(bert, name -> name.startsWith("bert."));
    }

    /** Makes every parameter trainable. */
    public static void unfreezeAll(Bert bert) {
        apply(bert, name -> false);
    }

    /** The names of the parameters that currently train. */
    public static List<String> trainable(Bert bert) {
        List<String> out = new ArrayList<>();
        for (String name : bert.parameters().keySet()) {
            if (bert.sd.getVariable(name).getVariableType() == VariableType.VARIABLE) {
                out.add(name);
            }
        }
        return out;
    }

    private interface Rule {
        boolean frozen(String name);
    }

    private static void apply(Bert bert, Rule rule) {
        List<SDVariable> freeze = new ArrayList<>();
        List<SDVariable> thaw = new ArrayList<>();
        for (String name : bert.parameters().keySet()) {
            SDVariable variable = bert.sd.getVariable(name);
            boolean trainable = variable.getVariableType() == VariableType.VARIABLE;
            if (rule.frozen(name) && trainable) {
                freeze.add(variable);
            } else if (!rule.frozen(name) && !trainable) {
                thaw.add(variable);
            }
        }
        if (!freeze.isEmpty() || !thaw.isEmpty()) {
            SameDiffFixes.freeArrays(bert.sd); // converting drops the gradient function, and its sessions with it
        }
        if (!freeze.isEmpty()) {
            bert.sd.convertToConstants(freeze);
        }
        if (!thaw.isEmpty()) {
            bert.sd.convertToVariables(thaw);
        }
    }

    private static boolean isEmbedding(String name) {
        return name.startsWith("bert.embeddings.");
    }

    /** The encoder layer of a parameter, or {@code Integer.MAX_VALUE} for anything above the encoder. */
    private static int layerOf(String name) {
        Matcher m = LAYER.matcher(name);
        return m.matches() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE;
    }

    /** The block a parameter belongs to, for the summary. */
    static String blockOf(String name) {
        Matcher m = LAYER.matcher(name);
        if (m.matches()) {
            return "layer." + m.group(1);
        }
        if (isEmbedding(name)) {
            return "embeddings";
        }
        if (name.startsWith("bert.pooler.")) {
            return "pooler";
        }
        String[] parts = name.split("\\.");
        return parts[0].equals("cls") ? parts[0] + "." + parts[1] : parts[0];
    }

    /** Parameter counts of one block. */
    public record BlockCount(String block, long trainable, long frozen) {
        public long total() {
            return trainable + frozen;
        }
    }

    /** Trainable and frozen parameter counts per block, bottom to top, as torchinfo prints them. */
    public static List<BlockCount> summary(Bert bert) {
        Map<String, long[]> counts = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> parameter : bert.parameters().entrySet()) {
            long[] count = counts.computeIfAbsent(blockOf(parameter.getKey()), block -> new long[2]);
            boolean trainable = bert.sd.getVariable(parameter.getKey()).getVariableType() == VariableType.VARIABLE;
            count[trainable ? 0 : 1] += parameter.getValue().length();
        }
        List<BlockCount> out = new ArrayList<>();
        counts.forEach((block, count) -> out.add(new BlockCount(block, count[0], count[1])));
        return out;
    }

    /** The summary as an aligned text table with a total row. */
    public static String summaryTable(Bert bert) {
        StringBuilder table = new StringBuilder(String.format("%-22s %14s %14s%n", "block", "trainable", "frozen"));
        long trainable = 0;
        long frozen = 0;
        for (BlockCount count : summary(bert)) {
            table.append(String.format("%-22s %,14d %,14d%n", count.block(), count.trainable(), count.frozen()));
            trainable += count.trainable();
            frozen += count.frozen();
        }
        return table.append(String.format("%-22s %,14d %,14d%n", "total", trainable, frozen)).toString();
    }
}
