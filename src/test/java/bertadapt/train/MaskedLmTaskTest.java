package bertadapt.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import bertadapt.TinyModels;
import bertadapt.model.Freezing;
import bertadapt.pretrain.Corpus;
import bertadapt.pretrain.InstanceMode;
import bertadapt.pretrain.PretrainingDataConfig;
import bertadapt.pretrain.PretrainingDataGenerator;
import bertadapt.pretrain.PretrainingInstance;
import bertadapt.text.BertTokenizer;
import bertadapt.weights.Checkpoint;

/** Continued pre-training of a tiny BERT on a tiny corpus of documents. */
class MaskedLmTaskTest {

    @TempDir
    Path dir;

    private static final String CORPUS = """
            the cat sat on the mat.
            the dog barked.
            a big bird sang.

            the small dog ran.
            a cat sat.
            the bird sang on the mat.

            big dogs barked.
            the cat ran on a mat.
            a small bird sat.
            """;

    /** Masked-LM and NSP adaptation of a tiny model on two epochs of instances from {@link #CORPUS}, held out: the first. */
    private MaskedLmTask adaptationTask() throws IOException {
        Path model = TinyModels.write(dir.resolve("model"), TinyModels.config(0.0), 5);
        Path corpusFile = Files.writeString(dir.resolve("corpus.txt"), CORPUS);
        List<List<PretrainingInstance>> epochs;
        try (BertTokenizer tokenizer = BertTokenizer.fromModelDirectory(model, true)) {
            PretrainingDataConfig config = PretrainingDataConfig.defaults(InstanceMode.NEXT_SENTENCE, 24).withEpochs(2).withSeed(3)
                    .withShowProgress(false);
            epochs = new PretrainingDataGenerator(tokenizer, config).generate(Corpus.googleFormat(corpusFile));
        }
        List<PretrainingInstance> heldOut = new ArrayList<>(epochs.get(0));
        return new MaskedLmTask(model, true, MaskedLmTask.Epochs.inMemory(epochs), heldOut, 4, 0, Freezing.NONE);
    }

    @Test
    void evaluationFreesTheArraysTheTrainingPassesCached() throws IOException {
        TrainerTest.assertEvaluationFreesWhatTrainingCached(adaptationTask());
    }

    @Test
    void adaptationLowersHeldOutLossAndWritesACheckpointWithBothHeads() throws IOException {
        MaskedLmTask task = adaptationTask();
        double before = task.evaluate().get("mlm_loss");
        TrainerSettings settings = TrainerSettings.defaults().withEpochs(30).withLearningRate(5e-3).withWarmupRatio(0.0)
                .withEvaluation(0, "mlm_loss", true, 0);
        Trainer.Result result = new Trainer(settings, dir.resolve("adapted")).fit(task);
        double after = task.evaluate().get("mlm_loss");
        assertTrue(after < before * 0.7, "held-out masked-LM loss " + before + " -> " + after);
        assertEquals(after, result.bestMetric(), 1e-4, "the last evaluation is the best here");
        assertEquals("held-out", result.evaluations().get(0).get("split"));

        Checkpoint best = Checkpoint.read(dir.resolve("adapted").resolve(Trainer.BEST_DIR));
        assertTrue(best.weights().containsKey("cls.seq_relationship.weight"), "the NSP head is saved");
        Map<String, INDArray> trained = task.parameters();
        INDArray saved = Nd4j.create(best.weights().get("cls.predictions.bias").values());
        assertFalse(saved.equals(Nd4j.zeros(saved.length())), "the MLM head trained");
        assertTrue(trained.containsKey("cls.predictions.transform.dense.weight"));
    }
}
