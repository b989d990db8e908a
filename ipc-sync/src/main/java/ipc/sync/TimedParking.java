package ipc.sync;

import java.util.concurrent.locks.LockSupport;

/**
 * The wait used when {@link Futex#isAvailable()} is false: timed {@link LockSupport#parkNanos}
 * polling with a doubling interval. Nobody can wake such a waiter from another process, so the
 * interval is a trade between hand-off latency and the CPU an idle waiter burns.
 */
final class TimedParking {
    /**
     * First park: 50 us, the Linux default timer slack, below which parkNanos sleeps no shorter
     * anyway; a prompt hand-off in the fallback therefore costs about one slack period.
     */
    static final long MIN_PARK_NANOS = 50_000L;
    /**
     * Longest park: 1 ms. An idle fallback waiter wakes 1000 times a second at a few
     * microseconds each: well under 1 % of a core, and the worst extra latency is 1 ms.
     */
    static final long MAX_PARK_NANOS = 1_000_000L;

    private TimedParking() {
    }

    /** Parks for {@code min(interval, remainingNanos)} and returns the next interval. */
    static long park(long interval, long remainingNanos) {
        LockSupport.parkNanos(Math.min(interval, remainingNanos));
        return Math.min(interval * 2, MAX_PARK_NANOS);
    }
}
