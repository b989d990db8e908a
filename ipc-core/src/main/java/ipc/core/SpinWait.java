package ipc.core;

/**
 * One step of the spin phase of the library's message waits (the backend's
 * {@link ChannelReader#poll(FrameHandler, java.time.Duration)}, the frontend's
 * {@link SelectBell#await}): a PAUSE, and every {@link #SPINS_PER_YIELD}-th step a
 * {@code Thread.yield()} instead.
 *
 * <p>Why: a frontend and its backend that wake each other through a futex are often placed on
 * the same core by the kernel (it wakes a thread next to its waker), and on a busy machine the
 * other core has no room to pull one away. Then a pure spin phase only delays the peer that
 * shares the core: every hop costs the whole spin phase, and the MessageProcess round trip read
 * p50 220-330 us at load 4-6 on this 2-core machine. A yield every 128 PAUSEs (~5 us) hands the
 * core to that peer: p50 37-71 us in the same state, and with the two on different cores p50
 * 1.8-2.4 us and p99 72-78 us against 2.7-3.3 us and 326-348 us without (3 interleaved runs
 * each, the raw Chronicle ping-pong at 0.8-1.2 us p50 beside them). A reply that comes within a
 * few microseconds never reaches the first yield; on an idle core a yield returns in well under
 * a microsecond.
 */
final class SpinWait {
    /** A power of two: ~5 us of PAUSE (36-39 ns each here) between yields; yielding every 32 gained nothing more. */
    static final int SPINS_PER_YIELD = 128;

    private SpinWait() {
    }

    /** Step {@code round} (0, 1, 2, ...) of a spin phase. */
    static void spin(int round) {
        if ((round & (SPINS_PER_YIELD - 1)) == SPINS_PER_YIELD - 1) {
            Thread.yield();
        } else {
            Thread.onSpinWait();
        }
    }
}
