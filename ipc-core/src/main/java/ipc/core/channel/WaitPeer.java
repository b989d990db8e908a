package ipc.core.channel;

import ipc.sync.CurrentCpu;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One side's view of a channel's two wait-CPU words ({@link ChannelDescriptor}): where this side
 * begins its waits ({@link #announce}), and whether the side it waits for last waited on the
 * caller's own core ({@link #where}). {@link SpinWait} yields only then, or when it cannot tell.
 *
 * <p>Why: a yield hands the core to whatever else is runnable on it. When that is the peer (the
 * kernel often wakes a thread on its waker's core), the yield is what lets the peer answer; when
 * it is an unrelated thread, the waiter loses the core for that thread's slice and the answer,
 * ready on the other core, waits. Measured on this 2-core machine (native-notes/futex.md): yields
 * every 128 spins without this check put a quarter of quiet round trips at 30-100 us.
 * {@link SpinWait} asks every {@link SpinWait#SPINS_PER_YIELD} spins: a load of a line the peer
 * writes only when it changes CPU, and a {@code sched_getcpu} in the vDSO.
 *
 * <p>Both words are hints: plain/opaque accesses, stale values only cost a yield or one more
 * spin slice, never correctness.
 */
public final class WaitPeer {
    /** No information (no channel, or no CPU numbers on this system): yield as if the peer shared the core. */
    public static final WaitPeer UNKNOWN = new WaitPeer(null, 0, 0);

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment control;
    private final long ownOffset;
    private final long peerOffset;

    private WaitPeer(MemorySegment control, long ownOffset, long peerOffset) {
        this.control = control;
        this.ownOffset = ownOffset;
        this.peerOffset = peerOffset;
    }

    /** The frontend's (creator's) or the backend's view of the control segment {@code control}. */
    static WaitPeer of(MemorySegment control, boolean frontend) {
        return frontend
            ? new WaitPeer(control, ChannelDescriptor.FRONTEND_WAIT_CPU_OFFSET, ChannelDescriptor.BACKEND_WAIT_CPU_OFFSET)
            : new WaitPeer(control, ChannelDescriptor.BACKEND_WAIT_CPU_OFFSET, ChannelDescriptor.FRONTEND_WAIT_CPU_OFFSET);
    }

    /** Sets both words to {@link CurrentCpu#UNKNOWN} (the creator, before it publishes the channel). */
    static void clear(MemorySegment control) {
        control.set(ValueLayout.JAVA_INT, ChannelDescriptor.FRONTEND_WAIT_CPU_OFFSET, CurrentCpu.UNKNOWN);
        control.set(ValueLayout.JAVA_INT, ChannelDescriptor.BACKEND_WAIT_CPU_OFFSET, CurrentCpu.UNKNOWN);
    }

    /** Records that this side begins a wait on the calling thread's CPU; stores only on a change. */
    void announce() {
        if (control != null) {
            int cpu = CurrentCpu.id();
            if ((int) INT.get(control, ownOffset) != cpu) {
                INT.setOpaque(control, ownOffset, cpu);
            }
        }
    }

    /** {@link #where}: the peer last began a wait on another CPU. */
    static final int APART = 0;
    /** {@link #where}: the peer last began a wait on the caller's CPU. */
    static final int SHARED = 1;
    /** {@link #where}: either CPU is not known. */
    static final int UNKNOWN_CPU = 2;

    /**
     * Where the peer waits relative to the caller: {@link #APART}, {@link #SHARED} or
     * {@link #UNKNOWN_CPU} (no channel, the peer has not waited yet, or no CPU numbers here: then
     * a yield is the safe guess, it costs little when nothing else is runnable).
     */
    int where() {
        if (control == null) {
            return UNKNOWN_CPU;
        }
        int peer = (int) INT.getOpaque(control, peerOffset);
        if (peer == CurrentCpu.UNKNOWN) {
            return UNKNOWN_CPU;
        }
        int own = CurrentCpu.id();
        return own == CurrentCpu.UNKNOWN ? UNKNOWN_CPU : own == peer ? SHARED : APART;
    }

    /** First threshold of {@link #yieldedToSharer}: yields to a core-sharing peer before a park. */
    static final int FIRST_PARK_AFTER = 16;
    /** Its cap: a park every 4096 yields at most when parks do not separate the two (another task holds the other core). */
    static final int MAX_PARK_AFTER = 4096;
    // Touched by the one thread that waits on this side; plain fields, hints only.
    private int sharedYields;
    private int parkAfter = FIRST_PARK_AFTER;

    /**
     * Counts a yield to a peer on this core; true when the waiter should park now instead. A pair
     * that shares a core hands it over by yields, never sleeps, and so stays where the kernel put
     * it; a park lets the peer's wake-up place this thread, and the kernel wakes a thread on an
     * idle core when there is one. Each park that follows doubles the threshold (up to
     * {@link #MAX_PARK_AFTER}), so where the other core is busy the pair keeps sharing this one.
     *
     * <p>Measured with LadderTrace's message rung, unpinned, 4 interleaved pairs of 6 s runs on the
     * quiet machine: p90 1.8-3.1 us with the park against 2.1-3.7 us without, better in 3 of the 4
     * pairs (p50 1.3-2.1 against 1.5-2.9 us); beside a CPU hog (the other core taken, where a park
     * cannot separate the pair) p50 5.9-8.7 against 7.1-7.4 us, p99.9 60-76 against 69-102 us: the
     * doubling keeps those parks rare.
     */
    boolean yieldedToSharer() {
        if (control == null || ++sharedYields < parkAfter) {
            return false;
        }
        sharedYields = 0;
        parkAfter = Math.min(parkAfter << 1, MAX_PARK_AFTER);
        return true;
    }

    /** The peer was found on another core: the next sharing starts from the first threshold. */
    void apart() {
        sharedYields = 0;
        parkAfter = FIRST_PARK_AFTER;
    }
}
