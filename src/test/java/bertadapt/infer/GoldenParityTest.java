package bertadapt.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import bertadapt.model.Heads;
import bertadapt.weights.Checkpoint;

/**
 * The imported BERT-Base against outputs computed in float64 from Google's checkpoint outside this
 * project (src/test/resources/golden, see its README): every hidden state within 1e-4 where the
 * attention mask is 1, and the masked-token top-10 within 1e-3 in the golden order.
 */
class GoldenParityTest {

    private static JsonNode golden(String model) throws IOException {
        try (InputStream in = GoldenParityTest.class.getResourceAsStream("/golden/" + model + ".json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bert-base-uncased", "bert-base-cased"})
    void googleCheckpointMatchesReference(String modelName) throws IOException {
        Heads.MaskedLm[] head = new Heads.MaskedLm[1];
        try (PretrainedBert model = PretrainedBert.load(modelName, false, bert -> head[0] = Heads.maskedLm(bert))) {
            assertMatchesGolden(golden(modelName), model, head[0]);
        }
    }

    /** The same weights written as a Hugging Face directory (safetensors) and read back. */
    @Test
    void huggingFaceLayoutMatchesReference(@TempDir Path dir) throws IOException {
        Path converted = dir.resolve("bert-base-uncased-hf");
        Heads.MaskedLm[] head = new Heads.MaskedLm[1];
        try (PretrainedBert google = PretrainedBert.load("bert-base-uncased", false, bert -> head[0] = Heads.maskedLm(bert))) {
            Checkpoint.write(google.bert().parameters(), google.bert().config, google.directory().resolve(Checkpoint.VOCAB),
                    google.doLowerCase(), converted);
        }
        try (PretrainedBert model = PretrainedBert.load(converted, false, bert -> head[0] = Heads.maskedLm(bert))) {
            assertMatchesGolden(golden("bert-base-uncased"), model, head[0]);
        }
    }

    private static void assertMatchesGolden(JsonNode golden, PretrainedBert model, Heads.MaskedLm head) {
        assertEquals(golden.get("lower_case").asBoolean(), model.doLowerCase());
        assertEquals(List.of(), model.match().missing(), "every parameter of encoder and MLM head comes from the checkpoint");
        assertEquals(List.of(), model.match().unused(), "every checkpoint weight is used");

        int[][] ids = ints(golden.get("input_ids"));
        int[][] mask = ints(golden.get("attention_mask"));
        int b = ids.length;
        int t = ids[0].length;
        Map<String, INDArray> feed = model.bert().inputs(b, t, flat(ids), flat(ints(golden.get("token_type_ids"))), flat(mask));
        List<int[]> masked = new ArrayList<>();
        for (JsonNode prediction : golden.get("masked_predictions")) {
            masked.add(new int[] {prediction.get("batch").asInt(), prediction.get("position").asInt()});
        }
        feed.put(head.positions().name(), Nd4j.createFromArray(masked.stream().mapToInt(p -> p[0] * t + p[1]).toArray()));

        Map<String, INDArray> out = model.bert().sd.output(feed, "embedding_output", "layer_0_output", "sequence_output",
                "pooled_output", head.logits().name());
        assertHiddenStates("embedding_output", golden.get("embedding_output"), out.get("embedding_output"), mask);
        assertHiddenStates("layer_0_output", golden.get("layer_0_output"), out.get("layer_0_output"), mask);
        assertHiddenStates("sequence_output", golden.get("sequence_output"), out.get("sequence_output"), mask);
        assertPooled(golden.get("pooled_output"), out.get("pooled_output"));
        assertTopTen(golden.get("masked_predictions"), out.get(head.logits().name()));
    }

    private static void assertHiddenStates(String field, JsonNode expected, INDArray actual, int[][] mask) {
        int t = mask[0].length;
        double worst = 0;
        for (int i = 0; i < mask.length; i++) {
            for (int j = 0; j < t; j++) {
                if (mask[i][j] == 0) {
                    continue;
                }
                JsonNode row = expected.get(i).get(j);
                for (int h = 0; h < row.size(); h++) {
                    worst = Math.max(worst, Math.abs(row.get(h).asDouble() - actual.getDouble((long) i * t + j, h)));
                }
            }
        }
        System.out.printf("golden %s: largest absolute difference %.2e%n", field, worst);
        assertTrue(worst <= 1e-4, field + ": largest absolute difference " + worst);
    }

    private static void assertPooled(JsonNode expected, INDArray actual) {
        double worst = 0;
        for (int i = 0; i < expected.size(); i++) {
            for (int h = 0; h < expected.get(i).size(); h++) {
                worst = Math.max(worst, Math.abs(expected.get(i).get(h).asDouble() - actual.getDouble(i, h)));
            }
        }
        System.out.printf("golden pooled_output: largest absolute difference %.2e%n", worst);
        assertTrue(worst <= 1e-4, "pooled_output: largest absolute difference " + worst);
    }

    /** The golden top-10 ids in order, with logits within 1e-3; neighbours closer than 1e-3 may swap. */
    private static void assertTopTen(JsonNode predictions, INDArray logits) {
        double worstLogit = 0;
        for (int m = 0; m < predictions.size(); m++) {
            JsonNode prediction = predictions.get(m);
            double[] row = logits.getRow(m).toDoubleVector();
            int[] ours = IntStream.range(0, row.length).boxed()
                    .sorted(Comparator.comparingDouble((Integer id) -> row[id]).reversed())
                    .limit(10).mapToInt(Integer::intValue).toArray();
            for (int k = 0; k < 10; k++) {
                int goldenId = prediction.get("top10_ids").get(k).asInt();
                double goldenLogit = prediction.get("top10_logits").get(k).asDouble();
                worstLogit = Math.max(worstLogit, Math.abs(goldenLogit - row[goldenId]));
                assertEquals(goldenLogit, row[goldenId], 1e-3, "logit of " + prediction.get("top10_tokens").get(k) + " at mask " + m);
                if (ours[k] != goldenId) {
                    double otherGolden = goldenLogitOf(prediction, ours[k]);
                    if (Double.isNaN(otherGolden) || Math.abs(otherGolden - goldenLogit) >= 1e-3) {
                        fail("mask " + m + " rank " + k + ": golden " + prediction.get("top10_tokens").get(k) + " but got id " + ours[k]);
                    }
                }
            }
        }
        System.out.printf("golden masked top-10 logits: largest absolute difference %.2e%n", worstLogit);
    }

    private static double goldenLogitOf(JsonNode prediction, int id) {
        for (int k = 0; k < 10; k++) {
            if (prediction.get("top10_ids").get(k).asInt() == id) {
                return prediction.get("top10_logits").get(k).asDouble();
            }
        }
        return Double.NaN;
    }

    private static int[][] ints(JsonNode rows) {
        int[][] out = new int[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            JsonNode row = rows.get(i);
            out[i] = IntStream.range(0, row.size()).map(j -> row.get(j).asInt()).toArray();
        }
        return out;
    }

    private static int[] flat(int[][] rows) {
        return Arrays.stream(rows).flatMapToInt(Arrays::stream).toArray();
    }
}
