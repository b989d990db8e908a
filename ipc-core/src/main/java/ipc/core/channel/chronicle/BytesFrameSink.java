package ipc.core.channel.chronicle;

import ipc.core.frame.FrameSink;

import net.openhft.chronicle.bytes.Bytes;

/**
 * {@link FrameSink} over the Chronicle {@link Bytes} of an excerpt being written: the frame is
 * encoded straight into the queue's mapped file, no intermediate buffer. Part of the channel
 * adapter: no Chronicle type leaves it.
 */
public final class BytesFrameSink implements FrameSink {
    private Bytes<?> bytes;

    public BytesFrameSink wrap(Bytes<?> bytes) {
        this.bytes = bytes;
        return this;
    }

    void clear() {
        bytes = null;
    }

    @Override
    public void putByte(byte value) {
        bytes.writeByte(value);
    }

    @Override
    public void putShort(short value) {
        bytes.writeShort(value);
    }

    @Override
    public void putInt(int value) {
        bytes.writeInt(value);
    }

    @Override
    public void putLong(long value) {
        bytes.writeLong(value);
    }

    @Override
    public void putBytes(byte[] src) {
        bytes.write(src);
    }
}
