package ipc.bench.baseline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

/**
 * The two queues of {@link ChronicleQueuePingPong} ("ping" there, "pong" back), configured alike in
 * both JVMs and like ipc-core's channel queues (roll cycle and block size as its QueueDirection), so
 * the library's ratio to this baseline measures the library's own layer, not a Chronicle setting.
 */
public final class PingPongQueues {

    public static final String PING = "ping";
    public static final String PONG = "pong";

    /**
     * One-second cycles, so the reader can delete each file it has left behind and a trial keeps
     * about two seconds of traffic on tmpfs (~13 B per excerpt at a few M excerpts/s) instead of
     * growing by ~50 MB/s. The cost, a roll per second and an index entry every 4th excerpt, lands
     * beyond p99.99 and in a few ns per excerpt.
     */
    static final RollCycle ROLL_CYCLE = TestRollCycles.TEST_SECONDLY;

    /**
     * 4 MiB mapped per chunk (Chronicle's default is 64 MiB): one mmap per ~300 k of these ~13 B excerpts,
     * rare enough not to show below p99.99; tmpfs backs only the pages that are written.
     */
    static final long BLOCK_SIZE = 4L << 20;

    private PingPongQueues() {
    }

    /**
     * Opens (creating) the queue {@code name} in {@code dir}. The reading side passes
     * {@code deleteReleased}: a cycle file it has released is one it has read to the end, and the
     * writer in the other JVM rolled past it before that.
     */
    public static SingleChronicleQueue open(Path dir, String name, boolean deleteReleased) {
        SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(dir.resolve(name))
                .rollCycle(ROLL_CYCLE)
                .blockSize(BLOCK_SIZE);
        if (deleteReleased) {
            builder.storeFileListener((cycle, file) -> {
                try {
                    Files.deleteIfExists(file.toPath());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot delete released cycle file " + file, e);
                }
            });
        }
        return builder.build();
    }
}
