package ipc.bench.demo;

/** The demo's typed face of a worker: {@code worker.remote(Squarer.class).squareOf(x)} runs in the worker's backend. */
public interface Squarer {
    /** x squared; an ArithmeticException when it does not fit a long (the caller gets a RemoteException). */
    long squareOf(long x);
}
