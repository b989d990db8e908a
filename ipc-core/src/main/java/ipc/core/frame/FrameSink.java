package ipc.core.frame;

/**
 * Where {@link FrameCodec} writes a frame: sequential, little-endian. Implemented over an FFM
 * segment ({@link SegmentFrameSink}) and over a Chronicle excerpt being written (inside the
 * channel adapter); none of the methods allocates.
 */
public interface FrameSink {
    void putByte(byte value);

    void putShort(short value);

    void putInt(int value);

    void putLong(long value);

    /** Writes {@code bytes} as they are, in one block. */
    void putBytes(byte[] bytes);
}
