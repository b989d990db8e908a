package ipc.core.frame;


/**
 * A transport's reading half of one direction, behind {@code ChannelReader} (which counts,
 * records the backend's progress and runs the handler): {@link #next} positions the
 * {@link FrameReader} on the next frame without consuming it, {@link #consumed} then lets it go.
 * One thread at a time.
 */
public interface FrameInbound extends AutoCloseable {
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

    /** {@link #resume}: the next {@link #next} reads the frame that was running at the death. */
    int AT_RUNNING = 0;
    /** {@link #resume}: the next {@link #next} reads the frame after the last that finished. */
    int AFTER_DONE = 1;
    /** {@link #resume}: nothing had finished, not even INIT: the next {@link #next} reads INIT. */
    int AT_INIT = 2;

    /**
     * A restarted backend's reader: positions the transport at the first frame whose handler did
     * not return, from the dead backend's progress ({@code running}, {@code done}, 0 for none),
     * and says where that is.
     *
     * @throws IllegalStateException when the transport no longer holds that frame
     */
    int resume(long running, long done);

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
