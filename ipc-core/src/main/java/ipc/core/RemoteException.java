package ipc.core;

/**
 * The backend's method of a typed remote call ({@link MessageProcess#remote}) threw: this is
 * its exception in the caller, by class name and message (exceptions are not serialized). The
 * backend keeps serving.
 */
public class RemoteException extends RuntimeException {
    private final String remoteClass;

    public RemoteException(String remoteClass, String message) {
        super(remoteClass + ": " + message);
        this.remoteClass = remoteClass;
    }

    /** The class name of the exception that the backend's method threw, e.g. {@code java.lang.ArithmeticException}. */
    public String remoteClass() {
        return remoteClass;
    }
}
