package ipc.core.channel.chronicle;

import ipc.core.frame.FrameException;
import ipc.core.frame.FrameInbound;
import ipc.core.frame.FrameReader;
import ipc.core.frame.SegmentFrameMemory;

import java.lang.foreign.MemorySegment;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * {@link FrameInbound} on a Chronicle Queue tailer: the frame is read in place (the excerpt's
 * mapped bytes through an {@link ExcerptWindow}, or Chronicle's Bytes when it spans two chunks);
 * the excerpt's document stays open from {@link #next} to {@link #consumed}, whose close moves the
 * tailer on. Roll-cycle files behind the tailer go to the {@link CycleFileReaper}.
 */
public final class ChronicleInbound implements FrameInbound {
    private final ExcerptTailer tailer;
    private final CycleFileReaper reaper;
    /** Reads through Chronicle's Bytes: the rare excerpt that spans two mapped chunks. */
    private final BytesFrameMemory memory = new BytesFrameMemory();
    /** Reads the excerpt's mapped bytes directly ({@link ExcerptWindow}): every other frame. */
    private final SegmentFrameMemory windowMemory = new SegmentFrameMemory();
    private final ExcerptWindow window = new ExcerptWindow();
    private DocumentContext dc;
    private FrameException bad;
    private int cycle = Integer.MIN_VALUE;
    private long position;
    private long index;

    public ChronicleInbound(ExcerptTailer tailer, CycleFileReaper reaper) {
        this.tailer = tailer;
        this.reaper = reaper;
    }

    @Override
    public int next(FrameReader frame) {
        DocumentContext d = tailer.readingDocument();
        if (!d.isPresent()) {
            d.close();
            reached();
            return NONE;
        }
        dc = d;
        Bytes<?> bytes = d.wire().bytes();
        position = bytes.readPosition();
        index = d.index();
        try {
            long length = bytes.readRemaining();
            long at = window.locateForRead(bytes, position, length);
            if (at >= 0) {
                frame.wrap(windowMemory.wrap(window.chunk()), at, length);
            } else {
                frame.wrap(memory.wrap(bytes), position, length);
            }
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

    @Override
    public long index() {
        return index;
    }

    @Override
    public void consumed() {
        memory.clear();
        windowMemory.wrap(MemorySegment.NULL);
        bad = null;
        DocumentContext d = dc;
        dc = null;
        try {
            d.close();
        } finally {
            reached();
        }
    }

    private void reached() {
        int now = tailer.cycle();
        if (now != cycle) {
            cycle = now;
            reaper.readerReached(now);
        }
    }

    @Override
    public boolean hasNext() {
        try (DocumentContext d = tailer.readingDocument()) {
            boolean present = d.isPresent();
            if (present) {
                d.rollbackOnClose();
            }
            return present;
        }
    }

    /** Moves the tailer to the recorded index: the frame that was running, or one past the last that finished. */
    @Override
    public int resume(long running, long done) {
        if (done == 0) {
            return AT_INIT; // the tailer starts at the queue's first frame
        }
        boolean atRunning = running != done;
        long index = atRunning ? running : done;
        if (!tailer.moveToIndex(index)) {
            throw new IllegalStateException("cannot resume: the queue holds no frame at index " + Long.toHexString(index));
        }
        if (!atRunning) {
            try (DocumentContext d = tailer.readingDocument()) {
                if (!d.isPresent()) {
                    throw new IllegalStateException("cannot resume: no frame at index " + Long.toHexString(index));
                }
            }
        }
        return atRunning ? AT_RUNNING : AFTER_DONE;
    }

    @Override
    public int cycle() {
        return cycle;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public void close() {
        window.clear();
        tailer.close();
    }
}
