package ipc.core;

import ipc.sync.CurrentCpu;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * One side's view of a channel's two wait-CPU words ({@link ChannelDescriptor}): where this side
 * begins its waits ({@link #announce}), and whether the side it waits for last waited on the
 * caller's own core ({@link #sharesCore}). {@link SpinWait} yields only then.
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
final class WaitPeer {
    /** No information (no channel, or no CPU numbers on this system): yield as if the peer shared the core. */
    static final WaitPeer UNKNOWN = new WaitPeer(null, 0, 0);

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

    /**
     * True when the peer last began a wait on the calling thread's CPU, or when either CPU is not
     * known (then a yield is the safe guess: it costs little when nothing else is runnable).
     */
    boolean sharesCore() {
        if (control == null) {
            return true;
        }
        int peer = (int) INT.getOpaque(control, peerOffset);
        if (peer == CurrentCpu.UNKNOWN) {
            return true;
        }
        int own = CurrentCpu.id();
        return own == CurrentCpu.UNKNOWN || own == peer;
    }
}
