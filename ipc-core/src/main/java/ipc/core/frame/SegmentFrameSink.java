package ipc.core.frame;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** {@link FrameSink} over an FFM segment, writing from a position that advances. */
public final class SegmentFrameSink implements FrameSink {
    private MemorySegment segment = MemorySegment.NULL;
    private long position;

    public SegmentFrameSink wrap(MemorySegment segment, long position) {
        this.segment = segment;
        this.position = position;
        return this;
    }

    public long position() {
        return position;
    }

    @Override
    public void putByte(byte value) {
        segment.set(ValueLayout.JAVA_BYTE, position, value);
        position += Byte.BYTES;
    }

    @Override
    public void putShort(short value) {
        segment.set(SegmentFrameMemory.SHORT, position, value);
        position += Short.BYTES;
    }

    @Override
    public void putInt(int value) {
        segment.set(SegmentFrameMemory.INT, position, value);
        position += Integer.BYTES;
    }

    @Override
    public void putLong(long value) {
        segment.set(SegmentFrameMemory.LONG, position, value);
        position += Long.BYTES;
    }

    @Override
    public void putBytes(byte[] bytes) {
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, position, bytes.length);
        position += bytes.length;
    }
}
