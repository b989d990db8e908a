package ipc.core.frame;

/**
 * Receives the frames a channel reader consumes, one call per excerpt, on the polling thread.
 *
 * <p>The {@link FrameReader} passed to {@link #onFrame} is positioned on a frame already checked
 * to be well formed, and is valid only during the call (the queue excerpt is released after it).
 * Exceptions thrown from either method propagate out of the poll that called it; the excerpt
 * counts as consumed all the same.
 */
@FunctionalInterface
public interface FrameHandler {
    /** One well-formed frame. */
    void onFrame(FrameReader frame);

    /**
     * One bad frame, already skipped: the next poll reads the excerpt after it. The default
     * logs it as a warning.
     */
    default void onBadFrame(FrameException error) {
        org.slf4j.LoggerFactory.getLogger(FrameHandler.class).warn("bad frame skipped: {}", error.getMessage());
    }
}
