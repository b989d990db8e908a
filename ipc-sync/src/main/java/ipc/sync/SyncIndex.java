package ipc.sync;

import java.time.Duration;

/**
 * Reserve an event, hand its index to a peer, wait for the peer to set it, release it (the
 * seed's {@code SyncIndex} context manager):
 * <pre>{@code
 *   try (SyncIndex sync = new SyncIndex(eg)) {          // reserves
 *       sendMessageToBack(new MessageObject("ping", "event_index", sync.index()));
 *   }                                                     // close(): waits for set, releases
 * }</pre>
 * {@link #close()} always releases the event, whatever ends the wait, so a set that arrives
 * after a timeout is ignored and never reaches a later holder of the slot. One thread uses an
 * instance; close is idempotent.
 */
public final class SyncIndex implements AutoCloseable {
    private final EventGroup group;
    private final SharedEvent event;
    private final Duration timeout;
    private boolean closed;

    /**
     * Reserves an event; {@link #close()} waits for it without a time limit.
     *
     * @throws NotEnoughEvents when every event of the group is reserved
     */
    public SyncIndex(EventGroup group) {
        this(group, null, true);
    }

    /**
     * Reserves an event; {@link #close()} waits at most {@code timeout} for it.
     *
     * @throws IllegalArgumentException when {@code timeout} is null or negative
     * @throws NotEnoughEvents          when every event of the group is reserved
     */
    public SyncIndex(EventGroup group, Duration timeout) {
        this(group, checkTimeout(timeout), false);
    }

    private SyncIndex(EventGroup group, Duration timeout, boolean unbounded) {
        if (group == null) {
            throw new IllegalArgumentException("group must not be null");
        }
        this.group = group;
        this.timeout = unbounded ? null : timeout;
        this.event = group.reserve();
    }

    private static Duration checkTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be >= 0: timeout=" + timeout);
        }
        return timeout;
    }

    /** The index to send to the peer that will set the event. */
    public int index() {
        return event.index();
    }

    /** The reserved event. */
    public SharedEvent event() {
        return event;
    }

    /**
     * Waits until the event is set, then releases it. Idempotent: later calls do nothing.
     *
     * @throws SyncTimeoutException when a timeout was given and the event was not set within it
     *                              (the event is released all the same)
     * @throws PeerGoneException    when the group's waiters were aborted (released, rethrown)
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        try {
            if (timeout == null) {
                event.await();
            } else if (!event.await(timeout)) {
                failure = new SyncTimeoutException("event not set within timeout: index=" + event.index()
                    + " timeout=" + timeout + " group=" + group.name());
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        try {
            group.release(event);
        } catch (RuntimeException e) {
            if (failure == null) {
                throw e;
            }
            failure.addSuppressed(e);
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "<SyncIndex: index=" + event.index() + " timeout=" + timeout + (closed ? " closed" : "") + ">";
    }
}
