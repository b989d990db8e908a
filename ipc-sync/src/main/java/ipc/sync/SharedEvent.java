package ipc.sync;

import java.time.Duration;

/**
 * One reservation of an {@link EventGroup} slot: the handle {@link EventGroup#reserve()} returns
 * (or {@link EventGroup#fromIndex(int)} rebuilds from an index). Like a
 * {@code multiprocessing.Event}: it stays set until cleared or released.
 *
 * <p>The handle is immutable and thread-safe; the state lives in shared memory. Waits are not
 * interruptible: {@link Thread#interrupt()} leaves the interrupt status set and the wait goes on
 * (as {@code CompletableFuture.join}); bound it with {@link #await(Duration)}, or end it with
 * {@link EventGroup#abortWaiters(String)}. Waits on a handle obtained before an abortWaiters
 * call throw {@link PeerGoneException}.
 *
 * <p>A parked wait is a blocking native call: on a virtual thread it pins the carrier for up to
 * one 50 ms park slice at a time. Wait on platform threads when many waits may park at once.
 */
public final class SharedEvent {
    private final EventGroup group;
    private final int index;
    private final long epoch;

    SharedEvent(EventGroup group, int index, long epoch) {
        this.group = group;
        this.index = index;
        this.epoch = epoch;
    }

    /** The index to send to the process that will set this event. */
    public int index() {
        return index;
    }

    /**
     * Sets the event and wakes its waiters; see {@link EventGroup#set(int)}.
     *
     * @return true when this call set it; false when already set or released
     */
    public boolean set() {
        return group.set(index);
    }

    /** Clears the event; false when it was not set or has been released. */
    public boolean clear() {
        return group.clear(index);
    }

    /** Whether this reservation is live and set. */
    public boolean isSet() {
        return group.isSet(index);
    }

    /**
     * Waits until the event is set (at once if it is): spins, yields, then parks (how long it
     * spins and yields: {@link EventGroup#setAwaitBudget}).
     *
     * @throws PeerGoneException     when {@link EventGroup#abortWaiters} ran after this handle was obtained
     * @throws IllegalStateException when the reservation is released (before or during the wait),
     *                               or the group is closed
     */
    public void await() {
        group.await(this, Futex.NO_TIMEOUT);
    }

    /**
     * Waits at most {@code timeout} for the event to be set.
     *
     * @return true when set, false on timeout ({@code timeout <= 0}: checks once)
     * @throws PeerGoneException     as {@link #await()}
     * @throws IllegalStateException as {@link #await()}
     */
    public boolean await(Duration timeout) {
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException tooLong) {
            nanos = Futex.NO_TIMEOUT;
        }
        if (nanos == Futex.NO_TIMEOUT) {
            nanos--; // still "bounded", just very long: NO_TIMEOUT is reserved for await()
        }
        return group.await(this, Math.max(nanos, 0));
    }

    EventGroup group() {
        return group;
    }

    long epoch() {
        return epoch;
    }

    @Override
    public String toString() {
        return "<SharedEvent: index=" + index + " slot=" + EventGroupDescriptor.slot(index)
            + " generation=" + EventGroupDescriptor.generation(index) + " group=" + group.name() + ">";
    }
}
