package ipc.bench.baseline;

import ipc.sync.Futex;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One direction of {@link FutexPingPong}: the writer publishes a sequence number, the reader waits
 * for it by spinning and then sleeping in FUTEX_WAIT on the same word. The textbook hand-off with
 * nothing of ours around it, so it is the floor for the library's SyncIndex and Doorbell.
 *
 * <p>Layout of one direction (its own 128 B block, see {@link FutexPingPong#SEGMENT_BYTES}):
 * <pre>
 *   0               4               8                                   128
 *  +---------------+---------------+------------------ ... -------------+
 *  | sequence      | parked        |      unused: keeps the other        |
 *  | (futex word)  | (0 or 1)      |      direction off these lines      |
 *  +---------------+---------------+------------------ ... -------------+
 * </pre>
 * Commit protocol: the volatile store of the sequence publishes it; the reader's volatile store of
 * parked = 1 announces that it may sleep.
 */
final class FutexHandOff {
    /*
     * Overview:
     *
     * publish(s):                          await(s, spinNanos):
     *   sequence.setVolatile(s)              spin while sequence != s, up to spinNanos
     *   if parked.getVolatile == 1:          parked.setVolatile(1)
     *     FUTEX_WAKE(sequence, 1)            loop: v = sequence.getVolatile
     *                                              if v == s: break
     *                                              FUTEX_WAIT(sequence, expect v, slice)
     *                                        parked.setRelease(0)
     *
     * No lost wake-up (Dekker): both sides store, then load the other's word, all volatile, so
     * the two stores are totally ordered. If the writer read parked == 0, the reader's store of 1
     * came later, so the reader's next load of sequence sees s and it does not sleep; if the
     * writer read 1, it wakes, and FUTEX_WAIT's atomic compare keeps a reader that has not slept
     * yet from sleeping on the old value. A stale parked == 1 from the previous round costs one
     * FUTEX_WAKE with nobody to wake, never a lost one.
     *
     * Happens-before: the sequence store is volatile (release) and every read of it is volatile
     * (acquire); the payload is the sequence itself.
     */

    static final long SEQUENCE_OFFSET = 0;
    static final long PARKED_OFFSET = Integer.BYTES;

    /**
     * Longest single FUTEX_WAIT, 100 ms: a sleeping side re-checks that its peer lives this often
     * (the liveness check), at no cost to a hand-off that arrives in time.
     */
    static final long PARK_SLICE_NANOS = 100_000_000L;

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment segment;
    private final long sequenceOffset;
    private final long parkedOffset;

    /** The direction whose block starts at {@code segment[base]}. */
    FutexHandOff(MemorySegment segment, long base) {
        this.segment = segment;
        this.sequenceOffset = base + SEQUENCE_OFFSET;
        this.parkedOffset = base + PARKED_OFFSET;
    }

    void publish(int sequence) {
        INT.setVolatile(segment, sequenceOffset, sequence);
        if ((int) INT.getVolatile(segment, parkedOffset) != 0) {
            Futex.wake(segment, sequenceOffset, 1);
        }
    }

    /**
     * Returns once the sequence equals {@code expected}: spins for up to {@code spinNanos} (0: not
     * at all), then sleeps on the futex, calling {@code liveness} between sleeps.
     */
    void await(int expected, long spinNanos, Runnable liveness) {
        if (spinNanos > 0) {
            long deadline = System.nanoTime() + spinNanos;
            do {
                if ((int) INT.getVolatile(segment, sequenceOffset) == expected) {
                    return;
                }
                Thread.onSpinWait();
            } while (System.nanoTime() - deadline < 0);
        }
        INT.setVolatile(segment, parkedOffset, 1);
        while (true) {
            int seen = (int) INT.getVolatile(segment, sequenceOffset);
            if (seen == expected) {
                break;
            }
            if (Futex.await(segment, sequenceOffset, seen, PARK_SLICE_NANOS) == Futex.TIMED_OUT) {
                liveness.run();
            }
        }
        INT.setRelease(segment, parkedOffset, 0);
    }
}
