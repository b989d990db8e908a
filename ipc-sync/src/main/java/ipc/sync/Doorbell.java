package ipc.sync;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * A wait/notify word in a shared segment: a publisher {@link #ring() rings} after publishing
 * data; a consumer that found nothing to do {@link #awaitChange waits} for the next ring. Any
 * number of processes may ring and wait on the same word.
 *
 * <p>The word ({@link #BYTES} bytes, 4-byte aligned, zero-initialised = sequence 0, no waiter):
 * <pre>
 *   bit 31                                          1   0
 *  +-----------------------------------------------+---+
 *  |                 sequence (31 bits)            | W |
 *  +-----------------------------------------------+---+
 *   W        WAITERS: some thread has announced that it will FUTEX_WAIT on this word
 *   sequence bumped by every ring (wraps after 2^31 rings)
 * </pre>
 *
 * <p>Memory consistency effects: actions of a thread before {@link #ring()} happen-before
 * actions of a thread after its {@link #sequenceAcquire()} returns the sequence that ring made
 * (or a later one), and after an {@link #awaitChange} that returned because of that ring.
 *
 * <p>A Doorbell is a view on the word: it holds no state of its own, so any number of threads
 * may share one, and it needs no closing (the segment's owner unmaps it).
 */
public final class Doorbell {
    /*
     * Overview:
     *
     * ring():                                  awaitChange(observed, timeout):
     *   loop: w = getVolatile                    loop: w = getVolatile
     *         CAS w -> (seq(w)+1, W=0)                 if seq(w) != observed: return
     *   if W was set in w: FUTEX_WAKE(all)             if W clear: CAS w -> w|W (retry on failure)
     *                                                  FUTEX_WAIT(expect w|W, slice)
     *
     * No lost wake-up: the waiter sleeps only if the kernel finds the word still equal to w|W,
     * atomically with enqueueing it. A ring that lands before that check changed the word
     * (EAGAIN, the waiter re-checks and returns); a ring that lands after it saw W in the value it
     * replaced (W can only be cleared by a ring) and so calls FUTEX_WAKE, which finds the waiter
     * queued. Rings that see W clear skip the syscall: a publisher pays one CAS when nobody
     * sleeps. W is cleared by every ring and re-announced by each waiter that still waits, so a
     * waiter that gave up costs at most one extra FUTEX_WAKE. The full argument is in
     * native-notes/futex.md.
     *
     * Happens-before: the ring's CAS is a volatile write (release) that follows the publisher's
     * data stores in program order; sequenceAcquire is an acquire read of the same word, so a
     * reader that sees the new sequence sees the data.
     */

    /** The word's size in bytes. */
    public static final int BYTES = Integer.BYTES;

    static final int WAITERS_BIT = 0b1;
    static final int SEQUENCE_SHIFT = 1;
    static final int SEQUENCE_UNIT = 1 << SEQUENCE_SHIFT;

    /**
     * Longest single FUTEX_WAIT: 100 ms. Thread.interrupt() cannot end a native wait, so the
     * wait is cut into slices that re-check the interrupt status; 10 wake-ups a second cost a
     * parked thread nothing measurable and bound the interrupt latency.
     */
    static final long PARK_SLICE_NANOS = 100_000_000L;

    private static final VarHandle WORD = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment segment;
    private final long offset;
    private final long parkSliceNanos;

    /**
     * A view on the word at {@code segment[offset]}.
     *
     * @throws IllegalArgumentException when the segment is not native memory, or the word is out
     *                                  of bounds or not 4-byte aligned
     */
    public Doorbell(MemorySegment segment, long offset) {
        if (!segment.isNative()) {
            throw new IllegalArgumentException("doorbell must be in native (mapped) memory: segment=" + segment);
        }
        if (offset < 0 || offset > segment.byteSize() - BYTES) {
            throw new IllegalArgumentException("doorbell out of bounds: offset=" + offset
                + " segmentSize=" + segment.byteSize());
        }
        if (((segment.address() + offset) & (BYTES - 1)) != 0) {
            throw new IllegalArgumentException("doorbell word must be 4-byte aligned: offset=" + offset);
        }
        this.segment = segment;
        this.offset = offset;
        this.parkSliceNanos = PARK_SLICE_NANOS;
    }

    private Doorbell(Doorbell bell, long parkSliceNanos) {
        this.segment = bell.segment;
        this.offset = bell.offset;
        this.parkSliceNanos = parkSliceNanos;
    }

    /**
     * This doorbell's word with another longest single futex wait (default {@link #PARK_SLICE_NANOS}).
     * The slice re-checks the interrupt status and the word, which also hides a lost wake-up as a
     * delay of one slice: a test of the wake-up protocol uses a slice longer than its patience, so
     * that a lost wake-up fails it instead.
     *
     * @throws IllegalArgumentException when {@code slice} is not positive
     */
    public Doorbell withParkSlice(java.time.Duration slice) {
        if (slice.isNegative() || slice.isZero()) {
            throw new IllegalArgumentException("park slice must be positive: slice=" + slice);
        }
        long nanos = slice.compareTo(java.time.Duration.ofDays(1)) > 0 ? java.time.Duration.ofDays(1).toNanos() : slice.toNanos();
        return new Doorbell(this, nanos);
    }

    /** The current sequence (an acquire read); it changes on every {@link #ring()}. */
    public int sequenceAcquire() {
        return (int) WORD.getAcquire(segment, offset) >>> SEQUENCE_SHIFT;
    }

    /**
     * Bumps the sequence (a volatile CAS, so it orders after the caller's preceding stores) and
     * calls FUTEX_WAKE for all sleepers only when a waiter has announced itself.
     */
    public void ring() {
        int word = (int) WORD.getVolatile(segment, offset);
        while (true) {
            int next = (word & ~WAITERS_BIT) + SEQUENCE_UNIT;
            int witness = (int) WORD.compareAndExchange(segment, offset, word, next);
            if (witness == word) {
                break;
            }
            word = witness;
        }
        // A process on the fallback path cannot wake a futex sleeper of a process on the futex
        // path (mixed -Dipc.sync.futex); that sleeper then sees the ring at its next slice.
        if ((word & WAITERS_BIT) != 0 && Futex.isAvailable()) {
            Futex.wake(segment, offset, Integer.MAX_VALUE);
        }
    }

    /**
     * Waits until the sequence differs from {@code observedSequence}, the timeout elapses, or the
     * thread is interrupted (the interrupt status is kept); the caller re-checks its condition in
     * every case. Never loses a ring that happens after {@code observedSequence} was read.
     * Parks on the futex, or polls with timed parking when {@link Futex#isAvailable()} is false.
     *
     * @param timeoutNanos the longest wait; {@code <= 0} returns at once
     */
    public void awaitChange(int observedSequence, long timeoutNanos) {
        if (timeoutNanos <= 0) {
            return;
        }
        long start = System.nanoTime();
        if (!Futex.isAvailable()) {
            awaitChangeTimedParking(observedSequence, start, timeoutNanos);
            return;
        }
        while (true) {
            int word = (int) WORD.getVolatile(segment, offset);
            if (word >>> SEQUENCE_SHIFT != observedSequence || Thread.currentThread().isInterrupted()) {
                return;
            }
            if ((word & WAITERS_BIT) == 0) {
                int witness = (int) WORD.compareAndExchange(segment, offset, word, word | WAITERS_BIT);
                if (witness != word) {
                    continue; // rung, or another waiter announced itself: look again
                }
                word |= WAITERS_BIT;
            }
            long remaining = timeoutNanos - (System.nanoTime() - start);
            if (remaining <= 0) {
                return;
            }
            Futex.await(segment, offset, word, Math.min(remaining, parkSliceNanos));
        }
    }

    private void awaitChangeTimedParking(int observedSequence, long start, long timeoutNanos) {
        long interval = TimedParking.MIN_PARK_NANOS;
        while (sequenceAcquire() == observedSequence && !Thread.currentThread().isInterrupted()) {
            long remaining = timeoutNanos - (System.nanoTime() - start);
            if (remaining <= 0) {
                return;
            }
            interval = TimedParking.park(interval, remaining);
        }
    }

    @Override
    public String toString() {
        int word = (int) WORD.getVolatile(segment, offset);
        return "<Doorbell: offset=" + offset + " sequence=" + (word >>> SEQUENCE_SHIFT)
            + " waiters=" + ((word & WAITERS_BIT) != 0) + ">";
    }
}
