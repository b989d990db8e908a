package ipc.core.frame;


/**
 * Something that encodes itself as one frame ({@link FrameDescriptor}): a {@code MessageObject}
 * through {@link FrameCodec}, or a {@link FrameBuilder} filled with primitives. The writer asks
 * for the exact length first, so that an oversized frame is refused before a byte is written,
 * then hands a sink of exactly that many bytes.
 */
public interface FrameSource {
    /**
     * The exact frame length, checked against {@code maxFrameBytes}.
     *
     * @param cache the writer's encoded commands and keys; may be null
     * @throws FrameException with {@link FrameException.Reason#OVERSIZED} when over a limit
     */
    int frameLength(int maxFrameBytes, StringBytesCache cache);

    /** Writes the frame, {@code frameLength} bytes as computed by {@link #frameLength}. */
    void encode(int frameLength, FrameSink sink, StringBytesCache cache);
}
