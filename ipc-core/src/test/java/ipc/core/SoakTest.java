package ipc.core;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The long runs, not in the default suite: {@code mvn -B -o -pl ipc-sync,ipc-core verify -Psoak}
 * (the profile runs only tests tagged "soak"). With the same checks as {@link LoadTest}: every
 * message received, in order per backend, checksummed; descriptors, threads and this JVM's shm
 * entries and bytes back to their start values after close.
 * <ul>
 *   <li>{@link #eightBackendsTimesFullLoad()}: 8 backends x {@code -Dipc.soak.messages} (default
 *       1 000 000) round trips through one MainContext with safeSelect.</li>
 *   <li>{@link #mixedTraffic()}: {@code -Dipc.soak.minutes} (default 30, fractions allowed) of
 *       round trips, one-way streams, SyncIndex rounds, shared-memory rounds and, every
 *       {@code -Dipc.soak.restartSeconds} (default 20), one backend replaced, alternately after
 *       a clean stop and after SIGKILL.</li>
 * </ul>
 * No JUnit timeout: the run is as long as asked, and a stall of {@link TrafficContext#STALL}
 * anywhere fails it.
 */
@Tag("soak")
class SoakTest {
    static final long MESSAGES = Long.getLong("ipc.soak.messages", 1_000_000);
    static final double MINUTES = Double.parseDouble(System.getProperty("ipc.soak.minutes", "30"));
    static final long RESTART_SECONDS = Long.getLong("ipc.soak.restartSeconds", 20);

    @Test
    void eightBackendsTimesFullLoad() {
        TrafficContext.Stats stats = LoadTest.runChecked(TrafficContext.Config.load(LoadTest.BACKENDS, MESSAGES));
        assertEquals(LoadTest.BACKENDS * MESSAGES, stats.dataMessages);
    }

    @Test
    void mixedTraffic() {
        Duration soak = Duration.ofMillis(Math.round(MINUTES * 60_000));
        TrafficContext.Stats stats = LoadTest.runChecked(
            TrafficContext.Config.soak(LoadTest.BACKENDS, soak, Duration.ofSeconds(RESTART_SECONDS)));
        assertTrue(stats.dataMessages > 0 && stats.items > 0 && stats.syncs > 0 && stats.shmRounds > 0,
            "every kind of traffic ran: " + stats);
        if (soak.toSeconds() >= 3 * RESTART_SECONDS) {
            assertTrue(stats.cleanRestarts > 0 && stats.killRestarts > 0, "both kinds of restart ran: " + stats);
        }
    }
}
