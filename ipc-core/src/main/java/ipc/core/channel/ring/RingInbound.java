package ipc.core.channel.ring;

import ipc.core.frame.FrameException;
import ipc.core.frame.FrameInbound;
import ipc.core.frame.FrameReader;
import ipc.core.frame.SegmentFrameMemory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The consumer of a {@link FrameRing}: reads the frame at the head in place, and when it is
 * consumed zeroes its record and publishes the new head (release), in that order, so that the
 * producer reuses only zeroed space. The head moves only after the handler has returned: a
 * restarted backend's first unfinished frame is always at the head.
 */
public final class RingInbound implements FrameInbound {
    /** Zeroes copied over consumed records (a copy from a segment allocates nothing, a slice's fill would). */
    private static final MemorySegment ZEROES = Arena.global().allocate(64 * 1024, FrameRing.ALIGNMENT);

    private final FrameRing ring;
    private final MemorySegment segment;
    private final long capacity;
    private final long mask;
    private final SegmentFrameMemory memory = new SegmentFrameMemory();
    /** Bytes released, ever: this reader's copy of the ring's head. */
    private long head;
    /** Offset and aligned length of the record {@link #next} found. */
    private long at;
    private long recordLength;
    private FrameException bad;

    public RingInbound(FrameRing ring) {
        this.ring = ring;
        this.segment = ring.segment();
        this.capacity = ring.capacity();
        this.mask = capacity - 1;
        this.head = ring.headAcquire(); // a restarted backend reads on where the dead one stopped
    }

    @Override
    public int next(FrameReader frame) {
        long offset = head & mask;
        int length = (int) FrameRing.INT.getAcquire(segment, offset);
        if (length == 0) {
            return NONE;
        }
        if (segment.get(ValueLayout.JAVA_INT, offset + Integer.BYTES) == FrameRing.TYPE_PADDING) {
            release(offset, length);
            return next(frame);
        }
        if (length < FrameRing.HEADER_BYTES || length > capacity - offset) {
            throw new IllegalStateException("corrupt ring record: length=" + length + " at " + offset + " of "
                + ring.path());
        }
        at = offset;
        recordLength = FrameRing.align(length);
        try {
            frame.wrap(memory.wrap(segment), offset + FrameRing.HEADER_BYTES, length - FrameRing.HEADER_BYTES);
            return FRAME;
        } catch (FrameException e) {
            bad = e;
            return BAD;
        }
    }

    @Override
    public FrameException bad() {
        return bad;
    }

    /** The ring position of the record {@link #next} found, plus one (0 means none). */
    @Override
    public long index() {
        return head + 1;
    }

    /**
     * Nothing to move: the head advances only after a handler returned, so it is at the first
     * unfinished frame already; says which one that is.
     */
    @Override
    public int resume(long running, long done) {
        long atHead = head + 1;
        if (done == 0 && atHead == 1) {
            return AT_INIT;
        }
        // running != done but the head past it: its handler returned just before the death
        return atHead == running && running != done ? AT_RUNNING : AFTER_DONE;
    }

    @Override
    public void consumed() {
        bad = null;
        memory.wrap(MemorySegment.NULL);
        release(at, recordLength);
    }

    private void release(long offset, long length) {
        long aligned = FrameRing.align(length);
        for (long done = 0; done < aligned; ) {
            long n = Math.min(aligned - done, ZEROES.byteSize());
            MemorySegment.copy(ZEROES, 0, segment, offset + done, n);
            done += n;
        }
        head += aligned;
        ring.headRelease(head);
    }

    @Override
    public boolean hasNext() {
        long offset = head & mask;
        int length = (int) FrameRing.INT.getAcquire(segment, offset);
        if (length != 0 && segment.get(ValueLayout.JAVA_INT, offset + Integer.BYTES) == FrameRing.TYPE_PADDING) {
            return (int) FrameRing.INT.getAcquire(segment, 0) != 0;
        }
        return length != 0;
    }

    @Override
    public long position() {
        return head;
    }

    @Override
    public void close() {
        ring.close();
    }
}
