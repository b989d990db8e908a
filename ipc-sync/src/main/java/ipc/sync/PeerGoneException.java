package ipc.sync;

/**
 * The wait for an event ended because the process expected to set it is gone:
 * {@link EventGroup#abortWaiters(String)} was called (by ipc-core when a backend exits or
 * crashes, or by the group's {@link EventGroup#close()}) after the event was obtained. The
 * message carries the reason given to {@code abortWaiters}. The caller should release the event;
 * its slot is then safe to reuse.
 */
public class PeerGoneException extends RuntimeException {
    public PeerGoneException(String message) {
        super(message);
    }
}
