package bertadapt.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import bertadapt.data.LabelVocabulary;
import bertadapt.infer.Classifier;
import bertadapt.io.AtomicFiles;
import bertadapt.text.TextInput;
import bertadapt.train.ClassificationTask;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bertadapt predict}: the class of each text (or pair) under a fine-tuned classifier. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify texts (or pairs) with a fine-tuned model: the most likely label and the probability "
                + "of each label.")
final class PredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "The fine-tuned model's folder (with labels.json), such as finetune's OUTPUT/best.")
    Path model;

    @Mixin
    MaxLengthOption length;

    @Mixin
    BatchSizeOption batch;

    @Option(names = "--output", paramLabel = "FILE", description = "Write CSV (text, text_pair, label, p_<label>...) "
            + "to FILE, replacing it only once complete. Default: a table on stdout.")
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
        try (Classifier classifier = Classifier.load(model)) {
            WeightReport.printIfIncomplete(classifier.model(), "the classifier", name -> false, err);
            int maxLength = MaxLength.fitToModel(length.maxLength, classifier.model(), err);
            for (int i = 0; i < inputs.size(); i++) {
                if (classifier.model().tokenizer().encode(inputs.get(i), maxLength).truncated()) {
                    err.println("bertadapt: warning: input " + (i + 1) + " cut to " + maxLength + " tokens: "
                            + MaxLength.abbreviate(inputs.get(i).textA()));
                }
            }
            err.flush();
            float[][] probabilities = classifier.predict(inputs, maxLength, batch.batchSize);
            if (outputFile == null) {
                printTable(inputs, probabilities, classifier.labels(), spec.commandLine().getOut());
            } else {
                AtomicFiles.writeText(outputFile, writer -> {
                    // Not closed: AtomicFiles owns the writer and still flushes and syncs it.
                    CSVPrinter csv = new CSVPrinter(writer, CSVFormat.DEFAULT);
                    List<String> header = new ArrayList<>(List.of("text", "text_pair"));
                    header.addAll(labelColumns(classifier.labels()));
                    csv.printRecord(header);
                    for (int i = 0; i < inputs.size(); i++) {
                        TextInput text = inputs.get(i);
                        List<String> row = new ArrayList<>(List.of(text.textA(), text.isPair() ? text.textB() : ""));
                        row.addAll(labelValues(probabilities[i], classifier.labels()));
                        csv.printRecord(row);
                    }
                    csv.flush();
                });
            }
        }
        return 0;
    }

    /** Label columns first, so they line up; the text last, whatever its length. */
    private static void printTable(List<TextInput> inputs, float[][] probabilities, LabelVocabulary labels,
            PrintWriter out) {
        List<String> columns = labelColumns(labels);
        String cell = "%-" + columns.stream().mapToInt(String::length).max().orElse(0) + "s  ";
        columns.forEach(name -> out.printf(cell, name));
        out.println("text");
        for (int i = 0; i < inputs.size(); i++) {
            TextInput text = inputs.get(i);
            labelValues(probabilities[i], labels).forEach(value -> out.printf(cell, value));
            out.println(text.isPair() ? text.textA() + "\t" + text.textB() : text.textA());
        }
        out.flush();
    }

    /** The predicted label, then the probability of each label. */
    private static List<String> labelColumns(LabelVocabulary labels) {
        List<String> columns = new ArrayList<>(List.of("label"));
        labels.names().forEach(name -> columns.add("p_" + name));
        return columns;
    }

    private static List<String> labelValues(float[] probabilities, LabelVocabulary labels) {
        List<String> values = new ArrayList<>(List.of(labels.name(ClassificationTask.argmax(new float[][] {probabilities})[0])));
        for (float probability : probabilities) {
            values.add(String.format(Locale.ROOT, "%.4f", probability));
        }
        return values;
    }
}
