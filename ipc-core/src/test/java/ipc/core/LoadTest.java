package ipc.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Load, shortened for the default suite: 8 backends x {@link #MESSAGES} round trips through one
 * MainContext with safeSelect; every message received, in order per backend, checksummed (see
 * {@link TrafficContext}); afterwards file descriptors, threads and this JVM's /dev/shm entries
 * and bytes are back to their start values. The full 8 x 1 M and the 30-minute soak are
 * {@link SoakTest} ({@code -Psoak}).
 */
@Timeout(300)
class LoadTest {
    /** Round trips per backend; {@code -Dipc.load.messages=} changes it. */
    static final long MESSAGES = Long.getLong("ipc.load.messages", 50_000);
    static final int BACKENDS = 8;
    /** How long closed resources may take to go (a reaped process's pipes, a released mapping). */
    static final Duration SETTLE = Duration.ofSeconds(10);

    /**
     * The backends of the default suite are lean, like the test JVMs: C1 only, since a backend's
     * start costs ~3 s of CPU with C2 and ~2 s without, and on 2 cores the C2 compilations of 8
     * backends also slowed the traffic itself (measured 26 k round trips/s with C2, 55 k
     * without, on this machine under other load). The soak runs the library's defaults.
     */
    static final List<String> LEAN_BACKENDS = List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    @Test
    void eightBackendsThroughOneMainContextLoseNothingAndLeakNothing() {
        TrafficContext.Stats stats = runChecked(TrafficContext.Config.load(BACKENDS, MESSAGES)
            .withBackendJvmOptions(LEAN_BACKENDS));
        assertEquals(BACKENDS * MESSAGES, stats.dataMessages);
    }

    /**
     * Runs {@code config} after a warm-up run with one backend (which creates what a JVM creates
     * once and keeps: the select bell, Chronicle's background threads, loaded classes), and
     * asserts that descriptors, threads and shm entries and bytes are back to the values before
     * the measured run.
     */
    static TrafficContext.Stats runChecked(TrafficContext.Config config) {
        try (TrafficContext warmUp = new TrafficContext(TrafficContext.Config.load(1, 100)
            .withBackendJvmOptions(config.backendJvmOptions()))) {
            warmUp.call();
        }
        LeakProbe start = LeakProbe.quiet(Duration.ofSeconds(1), SETTLE);
        System.out.printf("load: start %s (JVM thread count %d)%n", start, LeakProbe.jvmThreadCount());
        TrafficContext context = new TrafficContext(config);
        context.call();
        LeakProbe end = LeakProbe.settle(start, SETTLE);
        System.out.printf("load: %d backends: %s%nload: end %s (JVM thread count %d)%n", config.peers(),
            context.stats, end, LeakProbe.jvmThreadCount());
        assertTrue(end.backTo(start), "not back to the start values after close:\n" + end.diff(start));
        return context.stats;
    }
}
