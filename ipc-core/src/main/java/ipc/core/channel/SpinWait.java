package ipc.core.channel;

/**
 * One step of the spin phase of the library's message waits (the backend's
 * {@link ChannelReader#poll(FrameHandler, java.time.Duration)}, the frontend's
 * {@link SelectBell#await}): a PAUSE, and every {@link #SPINS_PER_YIELD}-th step, when the
 * peer may share this core, a {@code Thread.yield()} instead.
 *
 * <p>Why: a frontend and its backend that wake each other through a futex are often placed on
 * the same core by the kernel (it wakes a thread next to its waker), and on a busy machine the
 * other core has no room to pull one away. Then a pure spin phase only delays the peer that
 * shares the core: every hop costs the whole spin phase, and the MessageProcess round trip read
 * p50 220-330 us at load 4-6 on this 2-core machine. A yield every 128 PAUSEs (~5 us) handed the
 * core to that peer: p50 37-71 us in the same state, and with the two on different cores p50
 * 1.8-2.4 us and p99 72-78 us against 2.7-3.3 us and 326-348 us without (3 interleaved runs
 * each, the raw Chronicle ping-pong at 0.8-1.2 us p50 beside them). Checked every 4 PAUSEs
 * since (see {@link #SPINS_PER_YIELD}): a pair that shares a core then hands it over at once,
 * not after 5 us of spinning that only delays the peer; on an idle core a yield returns in well
 * under a microsecond.
 *
 * <p>But a yield hands the core to whatever else is runnable there, and when that is not the peer
 * the waiter loses the core for another thread's slice while the answer waits on the other core:
 * on the quiet machine a yield every 128 spins put 23-48 % of round trips at 30-100 us (p90
 * 40-50 us; 3 runs). So the yield is taken only when the peer last began a wait on this same core
 * ({@link WaitPeer}, from {@code sched_getcpu}): 5-14 % there, p90 5-35 us, p50 1.95-2.46 us in the
 * same interleaved runs; with a CPU hog on one core, 35-42 % of round trips under 5 us against
 * 11-22 %, p99 71-135 us against 129-3184 us (native-notes/futex.md).
 */
public final class SpinWait {
    /**
     * A power of two: four PAUSEs (~150 ns here) between checks of where the peer waits. Every 128
     * (~5 us) made each hop of a core-sharing pair wait 5 us before the yield; measured with
     * LadderTrace's message rung (6 s each, interleaved runs, quiet machine): p99 22-33 us at 128,
     * 12-14 us at 16, 10-15 us at 4 and 7-14 us at 1, p99.9 43-71, 33-44, 31-43 and 24-44 us;
     * with a CPU hog ({@code yes}) beside it, p50 22-26 us at 128 against 6.6-7.6 us at 4, and
     * p99.9 3.7-3.8 ms against 51-82 us.
     */
    static final int SPINS_PER_YIELD = 4;

    /**
     * A power of two: the spin phase reads the clock (for the caller's timeout) and the interrupt
     * status every this many rounds, and at round 0. {@code System.nanoTime()} is a vDSO
     * {@code clock_gettime} of ~20-40 ns on this VM, 18 % of a spinning frontend's samples under
     * perf when it ran every round: every round it ran lengthened the loop, and with it the time
     * from a frame's arrival to its detection. A timeout then ends up to 16 rounds (~2 us) late.
     */
    static final int CLOCK_EVERY = 16;

    private SpinWait() {
    }

    /** True when spin round {@code round} (0, 1, 2, ...) reads the clock and the interrupt status. */
    static boolean checksClock(int round) {
        return (round & (CLOCK_EVERY - 1)) == 0;
    }

    /**
     * Step {@code round} (0, 1, 2, ...) of a spin phase that waits for {@code peer}: a PAUSE, and
     * every {@link #SPINS_PER_YIELD}-th step a yield when the peer may share this core.
     *
     * @return true when the caller should end its spin phase and park now
     *         ({@link WaitPeer#yieldedToSharer})
     */
    static boolean spin(int round, WaitPeer peer) {
        if ((round & (SPINS_PER_YIELD - 1)) != SPINS_PER_YIELD - 1) {
            Thread.onSpinWait();
            return false;
        }
        int where = peer.where();
        if (where == WaitPeer.APART) {
            peer.apart();
            Thread.onSpinWait();
            return false;
        }
        if (where == WaitPeer.SHARED && peer.yieldedToSharer()) {
            return true;
        }
        Thread.yield();
        return false;
    }
}
