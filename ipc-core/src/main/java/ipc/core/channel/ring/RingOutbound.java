package ipc.core.channel.ring;

import java.nio.file.Path;
import ipc.core.frame.FrameOutbound;
import ipc.core.frame.FrameSource;
import ipc.core.frame.SegmentFrameSink;
import ipc.core.frame.StringBytesCache;

import ipc.sync.PeerGoneException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.locks.LockSupport;

/**
 * The producer of a {@link FrameRing}: encodes each frame in place into the ring's memory and
 * commits it with a release store of its length word. A full ring makes {@link #write} wait
 * (spin, yield, then park in growing slices up to {@value #MAX_PARK_NANOS} ns) until the consumer
 * has released enough; it never drops. While it waits it checks that the channel is open and the
 * reader's process alive ({@link Link#peerGone()}): PeerGoneException otherwise.
 */
public final class RingOutbound implements FrameOutbound {
    private static final int SPINS = 2_000;
    private static final int YIELDS = 200;
    private static final long MIN_PARK_NANOS = 20_000;
    private static final long MAX_PARK_NANOS = 1_000_000;

    private final Link channel;
    private final FrameRing ring;
    private final MemorySegment segment;
    private final long capacity;
    private final long mask;
    private final SegmentFrameSink sink = new SegmentFrameSink();
    /** Bytes committed, ever: this writer's copy of the ring's tail. */
    private long tail;
    /** The consumer's head as last read: space up to {@code headCache + capacity} is free. */
    private long headCache;
    private long lastIndex;

    /** What a writer that waits on a full ring needs of its channel. */
    public interface Link {
        /** The channel's directory, for messages. */
        Path directory();

        /** Throws when the channel was closed while the writer waited. */
        void checkOpen();

        /** True when the ring's reader (the peer process) is gone. */
        boolean peerGone();
    }

    public RingOutbound(Link channel, FrameRing ring) {
        this.channel = channel;
        this.ring = ring;
        this.segment = ring.segment();
        this.capacity = ring.capacity();
        this.mask = capacity - 1;
        this.tail = ring.tailAcquire(); // a restarted backend appends after what the dead one committed
        this.headCache = ring.headAcquire();
    }

    @Override
    public void write(FrameSource source, int length, StringBytesCache strings) {
        long at = claim(length);
        try {
            source.encode(length, sink.wrap(segment, at + FrameRing.HEADER_BYTES), strings);
            if (sink.position() != at + FrameRing.HEADER_BYTES + length) {
                throw new IllegalStateException("frame encoded to a different length than computed: length=" + length
                    + ", written=" + (sink.position() - at - FrameRing.HEADER_BYTES) + ", frame=" + source);
            }
        } catch (RuntimeException | Error e) {
            // nothing committed; the space must be zeroes again for the record written there next
            segment.asSlice(at, FrameRing.HEADER_BYTES + (long) length).fill((byte) 0);
            throw e;
        } finally {
            sink.wrap(MemorySegment.NULL, 0);
        }
        commit(at, length);
    }

    @Override
    public void writeRaw(byte[] frame) {
        long at = claim(frame.length);
        MemorySegment.copy(frame, 0, segment, ValueLayout.JAVA_BYTE, at + FrameRing.HEADER_BYTES, frame.length);
        commit(at, frame.length);
    }

    /**
     * Makes room for a record of a {@code length}-byte frame at the tail (a padding record first
     * when it would cross the end) and returns its offset in the ring.
     */
    private long claim(int length) {
        long recordLength = FrameRing.align(FrameRing.HEADER_BYTES + (long) length);
        if (recordLength > capacity) {
            throw new IllegalArgumentException("frame of " + length + " bytes can never fit the ring of " + capacity
                + " bytes (its record takes " + recordLength + "): channel=" + channel.directory()
                + "; raise -D" + FrameRing.CAPACITY_PROPERTY + " or send less");
        }
        long at = tail & mask;
        long toEnd = capacity - at;
        long needed = recordLength <= toEnd ? recordLength : toEnd + recordLength;
        if (tail + needed - headCache > capacity) {
            awaitSpace(needed);
        }
        if (recordLength > toEnd) {
            segment.set(ValueLayout.JAVA_INT, at + Integer.BYTES, FrameRing.TYPE_PADDING);
            FrameRing.INT.setRelease(segment, at, (int) toEnd);
            tail += toEnd;
            at = 0;
        }
        return at;
    }

    private void commit(long at, int length) {
        segment.set(ValueLayout.JAVA_INT, at + Integer.BYTES, FrameRing.TYPE_FRAME);
        FrameRing.INT.setRelease(segment, at, FrameRing.HEADER_BYTES + length);
        lastIndex = tail + 1;
        tail += FrameRing.align(FrameRing.HEADER_BYTES + (long) length);
        ring.tailRelease(tail);
    }

    private void awaitSpace(long needed) {
        long parkNanos = MIN_PARK_NANOS;
        for (int i = 0; ; i++) {
            headCache = ring.headAcquire();
            if (tail + needed - headCache <= capacity) {
                return;
            }
            if (i < SPINS) {
                Thread.onSpinWait();
            } else if (i < SPINS + YIELDS) {
                Thread.yield();
            } else {
                channel.checkOpen();
                if (channel.peerGone()) {
                    throw new PeerGoneException("the ring is full and its reader is gone: channel=" + channel.directory()
                        + " ring=" + capacity + " bytes");
                }
                LockSupport.parkNanos(parkNanos);
                parkNanos = Math.min(parkNanos * 2, MAX_PARK_NANOS);
            }
        }
    }

    @Override
    public long lastIndex() {
        return lastIndex;
    }

    @Override
    public long position() {
        return tail;
    }

    @Override
    public void close() {
        ring.close();
    }
}
