package bertadapt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** fill-mask on the real bert-base-uncased (resolved from ~/.m2, extracted into models/), loaded once. */
class FillMaskCommandTest {

    @Test
    void predictsParisFirstForEachTextWithOneModelLoad() {
        CliRun run = CliRun.of("fill-mask", "--top-k", "3", "The capital of France is [MASK].",
                "[MASK] is the capital of [MASK].");

        assertEquals(0, run.exitCode(), run::toString);
        List<String> lines = run.out().lines().toList();
        assertEquals(List.of("The capital of France is [MASK]."), lines.subList(0, 1), run::toString);
        assertTrue(lines.get(1).matches("  paris +0\\.\\d{4}"), run::toString);
        assertEquals(1 + 3 + 1 + 2 * (1 + 3), lines.size(), "text, 3 candidates; text, 2 masks of a header and 3 each");
        assertEquals("  [MASK] 1 of 2:", lines.get(5));
        assertEquals(lines.get(1).indexOf('0'), lines.get(2).indexOf('0'), "probabilities are aligned");
        assertFalse(run.err().contains("Some weights"), "all weights load, so no report: " + run.err());
        assertFalse(run.err().contains("INFO"), "ND4J's start-up INFO logs are silenced: " + run.err());
    }

    @Test
    void unknownModelNamesItAndTheKnownOnes() {
        CliRun run = CliRun.of("fill-mask", "--model", "bert-gigantic", "a [MASK]");

        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().startsWith("bertadapt: Unknown model 'bert-gigantic'"), run::toString);
        assertTrue(run.err().contains("bert-base-cased, bert-base-uncased"), run::toString);
        assertFalse(run.err().contains("\tat "), "no stack trace without --verbose");
    }

    @Test
    void textWithoutMaskFailsBeforeLoadingAnything() {
        CliRun run = CliRun.of("fill-mask", "--model", "bert-gigantic", "no mask here");

        assertEquals(2, run.exitCode(), run::toString);
        assertEquals("bertadapt: the text has no [MASK] token: no mask here", run.err().strip());
    }

    @Test
    void verboseAddsTheStackTrace() {
        CliRun run = CliRun.of("-v", "fill-mask", "no mask here");

        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.err().contains("java.lang.IllegalArgumentException"), run::toString);
    }

    @Test
    void usageErrorsExitWithTwo() {
        CliRun noCandidates = CliRun.of("fill-mask", "--top-k", "0", "a [MASK]");
        assertEquals(2, noCandidates.exitCode());
        assertTrue(noCandidates.err().contains("Invalid value for option '--top-k': must be at least 1, not 0"), noCandidates::toString);
        assertEquals(2, CliRun.of("fill-mask").exitCode());
        assertEquals(2, CliRun.of("no-such-command").exitCode());
        assertEquals(2, CliRun.of().exitCode());
    }
}
