package bertadapt.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import bertadapt.io.AtomicFiles;
import bertadapt.model.Freezing;
import bertadapt.pretrain.Corpus;
import bertadapt.pretrain.InstanceMode;
import bertadapt.pretrain.PretrainingDataConfig;
import bertadapt.pretrain.PretrainingDataGenerator;
import bertadapt.pretrain.PretrainingInstance;
import bertadapt.text.BertTokenizer;
import bertadapt.weights.Checkpoint;

/**
 * Domain adaptation by continued pre-training: holds out part of the corpus, pre-generates K epochs of
 * masked instances to disk (NSP pairs when the mode is {@link InstanceMode#NEXT_SENTENCE}), trains, and
 * reports held-out masked-token accuracy and perplexity before and after. The adapted model is
 * {@code <output>/best}.
 */
public final class Adaptation {

    /** @param before held-out scores of the starting model; @param after those of the best adapted model */
    public record Report(Trainer.Result training, Map<String, Double> before, Map<String, Double> after, int instancesPerEpoch,
                         int heldOutInstances) {
    }

    public static final String REPORT_FILE = "report.json";

    private Adaptation() {
    }

    public static Report run(Path modelDirectory, Corpus corpus, PretrainingDataConfig data, double heldOutFraction, int batchSize,
                             TrainerSettings settings, Path outputDir) throws IOException {
        Files.createDirectories(outputDir);
        Corpus.Split split = corpus.splitHeldOut(heldOutFraction, data.seed());
        List<Path> epochFiles;
        List<PretrainingInstance> heldOut;
        int padId;
        try (BertTokenizer tokenizer = BertTokenizer.fromModelDirectory(modelDirectory, Checkpoint.doLowerCase(modelDirectory))) {
            padId = tokenizer.padTokenId();
            epochFiles = new PretrainingDataGenerator(tokenizer, data).writeEpochs(split.training(), outputDir.resolve("data"), "train");
            heldOut = new PretrainingDataGenerator(tokenizer, data.withEpochs(1)).generate(split.heldOut()).get(0);
        }
        if (heldOut.isEmpty()) {
            throw new IllegalArgumentException("the held-out part of the corpus (" + heldOutFraction + ") has no instances;"
                    + " use a larger corpus or held-out fraction");
        }
        MaskedLmTask.Epochs epochs = MaskedLmTask.Epochs.files(epochFiles);
        MaskedLmTask task = new MaskedLmTask(modelDirectory, data.mode() == InstanceMode.NEXT_SENTENCE, epochs, heldOut, batchSize,
                padId, Freezing.NONE);
        Map<String, Double> before = task.evaluate();
        Trainer.Result result = new Trainer(settings, outputDir).fit(task);
        task.loadModel(outputDir.resolve(Trainer.BEST_DIR));
        Report report = new Report(result, before, task.evaluate(), epochs.instancesPerEpoch(), heldOut.size());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("instances_per_epoch", report.instancesPerEpoch());
        json.put("held_out_instances", report.heldOutInstances());
        json.put("held_out_before", report.before());
        json.put("held_out_after", report.after());
        json.put("training", report.training());
        AtomicFiles.writeJson(outputDir.resolve(REPORT_FILE), json);
        return report;
    }
}
