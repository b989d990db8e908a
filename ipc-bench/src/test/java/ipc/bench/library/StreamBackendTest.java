package ipc.bench.library;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ipc.core.SharedMemory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the stream benchmarks rely on: the backend handles every message sent (stats counts them),
 * its dispatch of three primitive parameters allocates nothing once compiled (the backend half of
 * design.md's 0 B/op), and the footprint sampler sums a directory tree that files leave meanwhile.
 */
@Timeout(120)
class StreamBackendTest {

    /** Enough for C2 to compile the backend's dispatch loop (~10 k calls) many times over. */
    private static final int WARM_UP = 300_000;
    private static final int MEASURED = 300_000;

    @Test
    void everyMessageIsHandledAndTheBackendAllocatesNothingPerMessage() {
        try (SharedMemory progress = SharedMemory.create(MessageStream.uniqueName("test"), CountingProcess.PROGRESS_BYTES);
             MessageStream.StreamSender sender = new MessageStream.StreamSender(new CountingProcess("test", progress))) {
            for (int i = 0; i < WARM_UP; i++) {
                sender.sendOne();
            }
            MessageStream.StreamSender.Stats warmUp = sender.stats(Duration.ofSeconds(60));
            assertEquals(WARM_UP, warmUp.handled());
            for (int i = 0; i < MEASURED; i++) {
                sender.sendOne();
            }
            MessageStream.StreamSender.Stats measured = sender.stats(Duration.ofSeconds(60));
            assertEquals(WARM_UP + MEASURED, measured.handled());
            assertEquals(MEASURED, measured.messages());
            System.out.printf("backend allocation: warm-up %.3f B/msg, measured %.3f B/msg (%d bytes)%n",
                    warmUp.allocatedPerMessage(), measured.allocatedPerMessage(), measured.allocated());
            // A new roll cycle (one a second) costs Chronicle a few hundred bytes: well under 1 B per message.
            assertTrue(measured.allocatedPerMessage() < 1.0, "backend allocated per message: "
                    + measured.allocatedPerMessage() + " B (" + measured.allocated() + " bytes)");
        }
    }

    @Test
    void footprintSumsNestedFilesAndAMissingDirectoryIsEmpty(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("a"), new byte[100]);
        Files.createDirectories(dir.resolve("sub/deeper"));
        Files.write(dir.resolve("sub/b"), new byte[20]);
        Files.write(dir.resolve("sub/deeper/c"), new byte[3]);
        assertEquals(123, ShmFootprint.bytesUnder(dir));
        assertEquals(0, ShmFootprint.bytesUnder(dir.resolve("gone")));
    }
}
