package ipc.sync;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The far side of a two-process doorbell ping-pong ({@link DoorbellTest}): waits for each odd
 * counter value on the ping bell, answers with the next even value and rings the pong bell.
 * Exits 0 after {@code rounds}, 2 if a wait for a ring exceeds 10 s (a lost wake-up).
 */
public final class DoorbellPeer {
    static final long PING_BELL = 0;
    static final long PONG_BELL = 128; // own line pair: the two bells never share a prefetch pair
    static final long COUNTER = 256;
    static final long FILE_BYTES = 4096;
    /** The ping-pongs' park slice: longer than awaitCounter's patience, so that a lost wake-up fails. */
    static final java.time.Duration NO_SLICE = java.time.Duration.ofHours(1);
    static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private DoorbellPeer() {
    }

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        try (SharedMapping m = SharedMapping.open(file)) {
            MemorySegment seg = m.segment();
            Doorbell ping = new Doorbell(seg, PING_BELL).withParkSlice(NO_SLICE);
            Doorbell pong = new Doorbell(seg, PONG_BELL).withParkSlice(NO_SLICE);
            for (int round = 0; round < rounds; round++) {
                if (!awaitCounter(seg, ping, 2 * round + 1)) {
                    System.err.println("DoorbellPeer: no ring for 10 s at round=" + round);
                    System.exit(2);
                }
                INT.setRelease(seg, COUNTER, 2 * round + 2);
                pong.ring();
            }
        }
        System.exit(0);
    }

    /** Waits for the counter to reach {@code value}; false after 10 s without progress. */
    static boolean awaitCounter(MemorySegment seg, Doorbell bell, int value) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            int observed = bell.sequenceAcquire();
            if ((int) INT.getAcquire(seg, COUNTER) >= value) {
                return true;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            bell.awaitChange(observed, remaining);
        }
    }
}
