package ipc.core;

/**
 * No answer to a typed remote call ({@link MessageProcess#remote}) within the proxy's timeout.
 * The call may still run in the backend; its late answer is dropped, never handed to a later call.
 */
public class RemoteTimeoutException extends RuntimeException {
    public RemoteTimeoutException(String message) {
        super(message);
    }
}
