package ipc.core.frame;

/**
 * The bytes a {@link FrameReader} reads a frame from, by absolute offset, little-endian.
 * Implemented over an FFM segment ({@link SegmentFrameMemory}) and over a Chronicle excerpt
 * (inside the channel adapter); none of the methods allocates.
 */
public interface FrameMemory {
    byte getByte(long offset);

    short getShort(long offset);

    int getInt(long offset);

    long getLong(long offset);

    /** Copies {@code length} bytes at {@code offset} into {@code dst} from {@code dstOffset}. */
    void getBytes(long offset, byte[] dst, int dstOffset, int length);
}
