package ipc.core.frame;


/**
 * A transport's writing half of one direction, behind {@code ChannelWriter} (which computes the
 * frame's length, counts it and rings the reader's doorbell): appends one frame, committed for
 * the reader when {@link #write} returns. One thread at a time.
 */
public interface FrameOutbound extends AutoCloseable {
    /** Encodes {@code source}, {@code length} bytes, as the direction's next frame and commits it. */
    void write(FrameSource source, int length, StringBytesCache strings);

    /** Appends raw bytes as one frame, bypassing the codec (tests of the reader's checks). */
    void writeRaw(byte[] frame);

    /** After the commit, the count and the doorbell: what the transport does then (a new file, ...). */
    default void published() {
    }

    /** The transport index of the last frame this writer appended, 0 before its first. */
    long lastIndex();

    /** The roll cycle of the last write (Chronicle; tests), 0 elsewhere. */
    default int cycle() {
        return 0;
    }

    /** Where the last frame ended in its file (tests that must tell a new chunk from steady state). */
    long position();

    @Override
    void close();
}
