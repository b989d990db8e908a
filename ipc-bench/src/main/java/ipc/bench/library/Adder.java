package ipc.bench.library;

/**
 * The typed form of the echo ({@link TypedCallRoundTrip}): {@code add(seq, 1)} answers
 * {@code seq + 1} through {@code remote(Adder.class)}; {@link EchoProcess} counts it as an echo
 * for its {@code stats}.
 */
public interface Adder {
    long add(long a, long b);
}
