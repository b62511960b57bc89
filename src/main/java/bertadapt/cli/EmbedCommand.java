package bertadapt.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import bertadapt.infer.Embedder;
import bertadapt.infer.Embedder.Embedding;
import bertadapt.infer.PretrainedBert;
import bertadapt.io.AtomicFiles;
import bertadapt.text.TextInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bertadapt embed}: the last layer's hidden states and the pooled vector of texts or text pairs, as JSON
 * {@code {"model", "hidden_size", "embeddings": [{text, text_pair?, tokens, hidden_states, pooled, truncated}]}}.
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Write the hidden states and pooled output of each text (or pair) as JSON.")
final class EmbedCommand implements Callable<Integer> {

    /** The pre-training heads (MLM, next sentence): in the checkpoint, deliberately not in the embedding graph. */
    private static final String PRETRAINING_HEADS = "cls.";

    @Spec
    CommandSpec spec;

    @Mixin
    DefaultModelOption modelOption;

    @Option(names = "--max-length", defaultValue = "128", paramLabel = "N",
            description = "Tokens kept per input, [CLS] and [SEP] included. Default: ${DEFAULT-VALUE}.")
    int maxLength;

    @Option(names = "--batch-size", defaultValue = "8", paramLabel = "B", converter = Checked.Positive.class,
            description = "Inputs run through the model at once. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--output", paramLabel = "FILE",
            description = "Write the JSON to FILE, replacing it only once complete. Default: stdout.")
    Path outputFile;

    @Mixin
    InputOptions input;

    @Override
    public Integer call() throws IOException {
        List<TextInput> inputs = input.read();
        if (outputFile != null) {
            AtomicFiles.checkWritable(outputFile);
        }
        PrintWriter err = spec.commandLine().getErr();
        try (PretrainedBert pretrained = PretrainedBert.load(modelOption.model, false, bert -> { })) {
            WeightReport.printIfIncomplete(pretrained, "the encoder", name -> name.startsWith(PRETRAINING_HEADS), err);
            int length = MaxLength.fitToModel(maxLength, pretrained, err);
            Embedder embedder = new Embedder(pretrained);
            if (outputFile == null) {
                PrintWriter out = spec.commandLine().getOut();
                writeJson(out, embedder, inputs, length, pretrained.bert().config.hiddenSize());
                out.println();
                out.flush();
            } else {
                AtomicFiles.writeText(outputFile, writer ->
                        writeJson(writer, embedder, inputs, length, pretrained.bert().config.hiddenSize()));
            }
        }
        return 0;
    }

    /** Streams one batch at a time, so the output never holds more than a batch of hidden states in memory. */
    private void writeJson(Writer writer, Embedder embedder, List<TextInput> inputs, int length, int hiddenSize)
            throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        try (JsonGenerator json = new JsonFactory().createGenerator(writer)) {
            json.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.useDefaultPrettyPrinter();
            json.writeStartObject();
            json.writeStringField("model", modelOption.model);
            json.writeNumberField("hidden_size", hiddenSize);
            json.writeArrayFieldStart("embeddings");
            for (int start = 0; start < inputs.size(); start += batchSize) {
                List<TextInput> batch = inputs.subList(start, Math.min(inputs.size(), start + batchSize));
                List<Embedding> embeddings = embedder.embed(batch, length, batchSize);
                for (int i = 0; i < embeddings.size(); i++) {
                    Embedding embedding = embeddings.get(i);
                    if (embedding.truncated()) {
                        err.println("bertadapt: warning: input " + (start + i + 1) + " cut to " + length + " tokens: "
                                + MaxLength.abbreviate(embedding.input().textA()));
                        err.flush();
                    }
                    writeEmbedding(json, embedding);
                }
            }
            json.writeEndArray();
            json.writeEndObject();
        }
    }

    private static void writeEmbedding(JsonGenerator json, Embedding embedding) throws IOException {
        json.writeStartObject();
        json.writeStringField("text", embedding.input().textA());
        if (embedding.input().isPair()) {
            json.writeStringField("text_pair", embedding.input().textB());
        }
        json.writeArrayFieldStart("tokens");
        for (String token : embedding.tokens()) {
            json.writeString(token);
        }
        json.writeEndArray();
        json.writeArrayFieldStart("hidden_states");
        for (float[] state : embedding.hiddenStates()) {
            writeFloats(json, state);
        }
        json.writeEndArray();
        json.writeFieldName("pooled");
        writeFloats(json, embedding.pooled());
        json.writeBooleanField("truncated", embedding.truncated());
        json.writeEndObject();
    }

    private static void writeFloats(JsonGenerator json, float[] values) throws IOException {
        json.writeStartArray();
        for (float value : values) {
            json.writeNumber(value);
        }
        json.writeEndArray();
    }
}
