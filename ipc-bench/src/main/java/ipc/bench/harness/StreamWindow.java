package ipc.bench.harness;

import java.util.function.LongSupplier;

/**
 * The flow control of the one-way stream benchmarks (the library's and raw Chronicle's): the
 * sender keeps at most {@link #WINDOW} messages in flight, reading the reader's published count
 * every {@link #CHECK_EVERY} messages, so a score is the sustained rate of the slower side, not
 * the rate at which a queue fills.
 */
public final class StreamWindow {
    /**
     * Messages in flight at most: 64 Ki frames of ~50 B are ~3 MB of queue, far more than a reader
     * drains between two checks, so a reader that keeps up never makes the sender wait, and one
     * that does not costs a bounded, small amount of /dev/shm.
     */
    public static final long WINDOW = 1 << 16;
    /** How often the sender reads the count: a shared-line read every 1024 messages costs well under 1 ns per message. */
    public static final int CHECK_EVERY = 1 << 10;
    /** Spins before a waiting sender yields its core: on two cores the reader it waits for may need it. */
    private static final int SPINS_BEFORE_YIELD = 100;
    /** Yields between two liveness checks of the reader. */
    private static final int LIVENESS_CHECK_MASK = 0xFFFF;

    private StreamWindow() {
    }

    /** True when message number {@code sent} is one after which the sender must check the window. */
    public static boolean checkDue(long sent) {
        return (sent & (CHECK_EVERY - 1)) == 0;
    }

    /**
     * Waits until the reader's count ({@code handled}) is at most {@link #WINDOW} behind {@code sent};
     * runs {@code checkAlive} (which throws when the reader is gone) now and then while waiting.
     */
    public static void await(long sent, LongSupplier handled, Runnable checkAlive) {
        long floor = sent - WINDOW;
        for (int spins = 1; handled.getAsLong() < floor; spins++) {
            if (spins < SPINS_BEFORE_YIELD) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
                if ((spins & LIVENESS_CHECK_MASK) == 0) {
                    checkAlive.run();
                }
            }
        }
    }
}
