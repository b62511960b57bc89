package bertadapt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.NoSuchFileException;

import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void runningOutOfMemoryNamesTheLimitsToRaiseOnce() {
        RuntimeException failure = new RuntimeException("Op [matmul] execution failed", new OutOfMemoryError(
                "Physical memory usage is too high: physicalBytes (7169M) > maxPhysicalBytes (7168M)"));
        String message = Main.messageOf(failure);
        assertTrue(message.contains("physicalBytes (7169M) > maxPhysicalBytes (7168M)"), message);
        assertTrue(message.endsWith("raised through BERTADAPT_JAVA_OPTS"), message);
        assertEquals(message.indexOf("BERTADAPT_JAVA_OPTS"), message.lastIndexOf("BERTADAPT_JAVA_OPTS"), message);
    }

    @Test
    void otherFailuresKeepTheirOwnMessage() {
        assertEquals("no such file or directory: data.csv", Main.messageOf(new NoSuchFileException("data.csv")));
    }
}
