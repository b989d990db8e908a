package ipc.core;

/**
 * A transport's reading half of one direction, behind {@link ChannelReader} (which counts,
 * records the backend's progress and runs the handler): {@link #next} positions the
 * {@link FrameReader} on the next frame without consuming it, {@link #consumed} then lets it go.
 * One thread at a time.
 */
interface FrameInbound extends AutoCloseable {
    /** {@link #next}: nothing to read. */
    int NONE = 0;
    /** {@link #next}: a good frame, wrapped in the reader. */
    int FRAME = 1;
    /** {@link #next}: a bad frame ({@link #bad()} says why); consumed like a good one. */
    int BAD = 2;

    /** Looks at the next frame: wraps {@code frame} on it (FRAME) or records why it is bad (BAD), or NONE. */
    int next(FrameReader frame);

    /** Why the frame of the last BAD was bad. */
    FrameException bad();

    /** The transport index of the frame {@link #next} found: ordered, never 0. */
    long index();

    /** Lets go of the frame {@link #next} found: the reader moves past it. */
    void consumed();

    /** True when a frame is ready; consumes nothing. */
    boolean hasNext();

    /** The roll cycle of the last read (Chronicle; tests), 0 elsewhere. */
    default int cycle() {
        return 0;
    }

    /** Where the last frame read starts in its file (tests). */
    long position();

    @Override
    void close();
}
