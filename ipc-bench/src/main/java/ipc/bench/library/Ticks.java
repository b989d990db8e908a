package ipc.bench.library;

/** The typed form of the stream's message ({@link MessageStream#sendTyped}): a one-way call. */
public interface Ticks {
    void tick(long seq, int qty, double price);
}
