package ipc.core.channel.chronicle;

import ipc.core.frame.FrameOutbound;
import ipc.core.frame.FrameSource;
import ipc.core.frame.SegmentFrameSink;
import ipc.core.frame.StringBytesCache;

import java.io.File;
import java.lang.foreign.MemorySegment;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * {@link FrameOutbound} on a Chronicle Queue appender: each frame is encoded in place into a new
 * excerpt (straight into the mapped file through an {@link ExcerptWindow}, or through Chronicle's
 * Bytes when the excerpt spans two mapped chunks), after {@link CycleFileSpace} has reserved the
 * storage it may touch.
 */
public final class ChronicleOutbound implements FrameOutbound {
    private final ExcerptAppender appender;
    private final CycleFileSpace space;
    /** Encodes through Chronicle's Bytes: the rare frame that spans two mapped chunks. */
    private final BytesFrameSink sink = new BytesFrameSink();
    /** Encodes into the excerpt's mapped bytes directly ({@link ExcerptWindow}): every other frame. */
    private final SegmentFrameSink windowSink = new SegmentFrameSink();
    private final ExcerptWindow window = new ExcerptWindow();
    private int cycle = Integer.MIN_VALUE;
    private long position;
    private boolean appended;

    public ChronicleOutbound(ExcerptAppender appender, CycleFileSpace space) {
        this.appender = appender;
        this.space = space;
    }

    @Override
    public void write(FrameSource source, int length, StringBytesCache strings) {
        space.beforeWrite(position, length);
        try (DocumentContext dc = appender.writingDocument()) {
            try {
                Bytes<?> bytes = dc.wire().bytes();
                long start = bytes.writePosition();
                long at = window.locateForWrite(bytes, start, length);
                if (at >= 0) {
                    source.encode(length, windowSink.wrap(window.chunk(), at), strings);
                    if (windowSink.position() != at + length) {
                        throw new IllegalStateException("frame encoded to a different length than computed: length="
                            + length + ", written=" + (windowSink.position() - at) + ", frame=" + source);
                    }
                    bytes.writeSkip(length);
                } else {
                    source.encode(length, sink.wrap(bytes), strings);
                }
                position = bytes.writePosition();
            } catch (RuntimeException | Error e) {
                dc.rollbackOnClose();
                throw e;
            } finally {
                sink.clear();
                windowSink.wrap(MemorySegment.NULL, 0);
            }
        }
        appended = true;
    }

    @Override
    public void writeRaw(byte[] frame) {
        space.beforeWrite(position, frame.length);
        try (DocumentContext dc = appender.writingDocument()) {
            Bytes<?> bytes = dc.wire().bytes();
            bytes.write(frame);
            position = bytes.writePosition();
        }
        appended = true;
    }

    @Override
    public void published() {
        int now = appender.cycle();
        if (now != cycle) {
            cycle = now;
            File file = appender.currentFile();
            QueueDirection.makeOwnerOnly(file);
            space.cycleStarted(now, file);
        }
    }

    @Override
    public long lastIndex() {
        return appended ? appender.lastIndexAppended() : 0;
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
        try {
            appender.close();
        } finally {
            space.close();
        }
    }
}
