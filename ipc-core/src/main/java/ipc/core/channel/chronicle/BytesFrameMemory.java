package ipc.core.channel.chronicle;

import ipc.core.frame.FrameMemory;

import net.openhft.chronicle.bytes.Bytes;

/**
 * {@link FrameMemory} over the Chronicle {@link Bytes} of an excerpt being read: absolute reads
 * through the Bytes API, which handles the file's mapped chunks (a raw address would not).
 * Chronicle's Bytes are native-endian; {@link QueueDirection} refuses a big-endian platform.
 * Part of the channel adapter: no Chronicle type leaves it.
 */
public final class BytesFrameMemory implements FrameMemory {
    private Bytes<?> bytes;

    BytesFrameMemory wrap(Bytes<?> bytes) {
        this.bytes = bytes;
        return this;
    }

    void clear() {
        bytes = null;
    }

    @Override
    public byte getByte(long offset) {
        return bytes.readByte(offset);
    }

    @Override
    public short getShort(long offset) {
        return bytes.readShort(offset);
    }

    @Override
    public int getInt(long offset) {
        return bytes.readInt(offset);
    }

    @Override
    public long getLong(long offset) {
        return bytes.readLong(offset);
    }

    @Override
    public void getBytes(long offset, byte[] dst, int dstOffset, int length) {
        long copied = bytes.read(offset, dst, dstOffset, length);
        if (copied != length) {
            throw new IllegalStateException("short read from excerpt: offset=" + offset + ", length=" + length
                + ", copied=" + copied);
        }
    }
}
