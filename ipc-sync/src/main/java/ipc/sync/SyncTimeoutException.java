package ipc.sync;

/**
 * An event was not set within the timeout a {@link SyncIndex} was given; the event has been
 * released all the same, and a late set() for it is ignored.
 */
public class SyncTimeoutException extends RuntimeException {
    public SyncTimeoutException(String message) {
        super(message);
    }
}
