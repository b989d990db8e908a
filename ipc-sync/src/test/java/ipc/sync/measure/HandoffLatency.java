package ipc.sync.measure;

import ipc.sync.Doorbell;
import ipc.sync.ParkingIdleStrategy;
import ipc.sync.SharedMapping;
import ipc.sync.ShmDirectory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Not a test: the measurement behind the spin/yield budget in native-notes/futex.md. A
 * ping-pong between this JVM and a child JVM over two {@link Doorbell}s, both sides idling
 * with a {@link ParkingIdleStrategy} of the given budget; prints round-trip percentiles.
 *
 * <pre>
 *   java -cp ipc-sync/target/classes:ipc-sync/target/test-classes:agrona.jar \
 *       --enable-native-access=ALL-UNNAMED ipc.sync.measure.HandoffLatency [rounds] [thinkMicros]
 * </pre>
 * thinkMicros: the peer busy-waits that long before each reply, as a backend doing work would,
 * so that the waiting side's spin budget matters (0: an immediate echo).
 */
public final class HandoffLatency {
    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final long PING = 0;
    private static final long PONG = 128;
    private static final long COUNTER = 256;
    private static final long MAX_PARK = TimeUnit.MILLISECONDS.toNanos(100);

    private HandoffLatency() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("peer")) {
            peer(Path.of(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]));
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        long thinkMicros = args.length > 1 ? Long.parseLong(args[1]) : 0;
        System.out.printf(Locale.ROOT, "onSpinWait: %.1f ns each; Thread.yield: %.0f ns each (idle core)%n",
            spinNanos(), yieldNanos());
        int[][] budgets = {{0, 0}, {0, 10}, {100, 0}, {1000, 0}, {1000, 10}, {10_000, 10}, {1_000_000, 0}};
        for (int[] budget : budgets) {
            run(rounds, thinkMicros, budget[0], budget[1]);
        }
    }

    private static double spinNanos() {
        for (int warm = 0; warm < 3; warm++) {
            for (int i = 0; i < 1_000_000; i++) {
                Thread.onSpinWait();
            }
        }
        long start = System.nanoTime();
        for (int i = 0; i < 10_000_000; i++) {
            Thread.onSpinWait();
        }
        return (System.nanoTime() - start) / 1e7;
    }

    private static double yieldNanos() {
        long start = System.nanoTime();
        for (int i = 0; i < 100_000; i++) {
            Thread.yield();
        }
        return (System.nanoTime() - start) / 1e5;
    }

    private static void run(int rounds, long thinkMicros, int spins, int yields) throws Exception {
        Path file = ShmDirectory.root().resolve(ShmDirectory.uniqueName("handoff"));
        try (SharedMapping m = SharedMapping.create(file, 4096)) {
            MemorySegment seg = m.segment();
            List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-Xmx64m", "-XX:+UseSerialGC",
                "-Dipc.sync.futex=" + System.getProperty("ipc.sync.futex", "true"),
                "-cp", System.getProperty("java.class.path"), HandoffLatency.class.getName(),
                "peer", file.toString(), Integer.toString(spins), Integer.toString(yields), Long.toString(thinkMicros)));
            Process peer = new ProcessBuilder(cmd).inheritIO().start();
            try {
                Doorbell ping = new Doorbell(seg, PING);
                Doorbell pong = new Doorbell(seg, PONG);
                ParkingIdleStrategy idle = new ParkingIdleStrategy(pong, spins, yields, MAX_PARK);
                int warmup = Math.max(rounds / 2, 10_000);
                long[] samples = new long[rounds];
                int value = 0;
                for (int round = -warmup; round < rounds; round++) {
                    long start = System.nanoTime();
                    INT.setRelease(seg, COUNTER, ++value);
                    ping.ring();
                    idle.reset();
                    while ((int) INT.getAcquire(seg, COUNTER) != value + 1) {
                        idle.idle();
                    }
                    value++;
                    if (round >= 0) {
                        samples[round] = System.nanoTime() - start;
                    }
                }
                INT.setRelease(seg, COUNTER, -1);
                ping.ring();
                peer.waitFor(10, TimeUnit.SECONDS);
                Arrays.sort(samples);
                System.out.printf(Locale.ROOT,
                    "spins=%-8d yields=%-3d think=%dus  round trip p50=%6.2fus p90=%6.2fus p99=%7.2fus p99.9=%7.2fus%n",
                    spins, yields, thinkMicros, samples[rounds / 2] / 1e3, samples[rounds * 9 / 10] / 1e3,
                    samples[rounds * 99 / 100] / 1e3, samples[rounds * 999 / 1000] / 1e3);
            } finally {
                peer.destroyForcibly();
                m.unlink();
            }
        }
    }

    private static void peer(Path file, int spins, int yields, long thinkMicros) {
        try (SharedMapping m = SharedMapping.open(file)) {
            MemorySegment seg = m.segment();
            Doorbell ping = new Doorbell(seg, PING);
            Doorbell pong = new Doorbell(seg, PONG);
            ParkingIdleStrategy idle = new ParkingIdleStrategy(ping, spins, yields, MAX_PARK);
            int seen = 0;
            while (true) {
                int value = (int) INT.getAcquire(seg, COUNTER);
                if (value < 0) {
                    return;
                }
                if (value != seen && (value & 1) == 1) {
                    long until = System.nanoTime() + thinkMicros * 1000;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    seen = value + 1;
                    INT.setRelease(seg, COUNTER, seen);
                    pong.ring();
                    idle.reset();
                } else {
                    idle.idle();
                }
            }
        }
    }
}
