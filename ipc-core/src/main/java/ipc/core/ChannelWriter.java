package ipc.core;

import ipc.sync.Doorbell;
import ipc.sync.OutOfSpaceException;
import java.io.File;
import java.lang.foreign.MemorySegment;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Writes this side's outbound direction of a {@link Channel}: each {@link #write} encodes one
 * frame in place into a new queue excerpt (no intermediate buffer: straight into the mapped file
 * through an {@link ExcerptWindow}), commits it, then rings the direction's doorbell.
 *
 * <p>Not thread-safe: one thread at a time (Chronicle appenders are single-threaded). A writer
 * shared between threads needs the caller's lock, which also orders the hand-off. Writing a
 * message whose parameters are all primitives allocates nothing (except on the first write of a
 * roll cycle, when Chronicle opens the new cycle file).
 *
 * <p>Memory consistency effects: actions before {@link #write} happen-before the actions of a
 * reader thread after its {@link ChannelReader#poll} has delivered that frame.
 */
public final class ChannelWriter {
    private final Channel channel;
    private final ExcerptAppender appender;
    private final CycleFileSpace space;
    private final Doorbell bell;
    private final int maxFrameBytes;
    /** Encodes through Chronicle's Bytes: the rare frame that spans two mapped chunks. */
    private final BytesFrameSink sink = new BytesFrameSink();
    /** Encodes into the excerpt's mapped bytes directly ({@link ExcerptWindow}): every other frame. */
    private final SegmentFrameSink windowSink = new SegmentFrameSink();
    private final ExcerptWindow window = new ExcerptWindow();
    private final StringBytesCache strings = new StringBytesCache();
    /** {@link #write(MessageObject)}'s message as a {@link FrameSource}, reused (no allocation per write). */
    private final MessageSource messageSource = new MessageSource();
    private int cycle = Integer.MIN_VALUE;
    private long position;

    /** Frames written, published to the control segment after each ({@link ChannelDescriptor}, for the tool). */
    private final MemorySegment control;
    private final long writtenOffset;
    private long written;

    ChannelWriter(Channel channel, ExcerptAppender appender, CycleFileSpace space, Doorbell bell, int maxFrameBytes,
                  MemorySegment control, long writtenOffset) {
        this.control = control;
        this.writtenOffset = writtenOffset;
        this.written = ChannelDescriptor.counterAcquire(control, writtenOffset); // a restarted backend counts on
        this.channel = channel;
        this.appender = appender;
        this.space = space;
        this.bell = bell;
        this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * Appends {@code message} as one frame and rings the reader's doorbell.
     *
     * @throws FrameException        with {@link FrameException.Reason#OVERSIZED} when the frame
     *                               would exceed the channel's limit; nothing is written
     * @throws OutOfSpaceException   naming the queue directory, the bytes needed and the bytes
     *                               free, when the filesystem cannot back the frame (checked
     *                               before anything is stored); nothing is written, and the same
     *                               write works once space is freed
     * @throws IllegalStateException when the channel is closed
     */
    public void write(MessageObject message) {
        messageSource.message = message;
        try {
            write(messageSource);
        } finally {
            messageSource.message = null;
        }
    }

    /**
     * Appends the frame that {@code source} encodes and rings the reader's doorbell: the path of
     * frames built without a MessageObject (typed remote calls and their answers). Throws as
     * {@link #write(MessageObject)}.
     */
    void write(FrameSource source) {
        int length = source.frameLength(maxFrameBytes, strings);
        channel.checkOpen();
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
        published();
    }

    /** Appends raw bytes as one excerpt, bypassing the codec: for tests of the reader's checks. */
    void writeRaw(byte[] excerpt) {
        channel.checkOpen();
        space.beforeWrite(position, excerpt.length);
        try (DocumentContext dc = appender.writingDocument()) {
            Bytes<?> bytes = dc.wire().bytes();
            bytes.write(excerpt);
            position = bytes.writePosition();
        }
        published();
    }

    private void published() {
        ChannelDescriptor.counterRelease(control, writtenOffset, ++written); // counted before the reader is woken
        bell.ring();
        int now = appender.cycle();
        if (now != cycle) {
            cycle = now;
            File file = appender.currentFile();
            QueueDirection.makeOwnerOnly(file);
            space.cycleStarted(now, file);
        }
    }

    /**
     * The queue index of the last frame this writer appended, or 0 before its first: for the
     * frontend's f2b writer, the direction's only writer, an upper bound of every frame written
     * before (under the caller's lock that serialises writes).
     */
    long lastIndex() {
        channel.checkOpen();
        return written == 0 ? 0 : appender.lastIndexAppended();
    }

    /** The limit this writer enforces. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** The roll cycle of the last write (for tests that must tell a roll from steady state). */
    int cycle() {
        return cycle;
    }

    /** Where the last frame ended in its cycle file (for tests that must tell a new chunk from steady state). */
    long position() {
        return position;
    }

    void close() {
        window.clear();
        try {
            appender.close();
        } finally {
            space.close();
        }
    }

    /** A MessageObject as a {@link FrameSource}: the {@link FrameCodec} of the message set last. */
    private static final class MessageSource implements FrameSource {
        MessageObject message;

        @Override
        public int frameLength(int maxFrameBytes, StringBytesCache cache) {
            return FrameCodec.frameLength(message, maxFrameBytes, cache);
        }

        @Override
        public void encode(int frameLength, FrameSink sink, StringBytesCache cache) {
            FrameCodec.encode(message, frameLength, sink, cache);
        }

        @Override
        public String toString() {
            return String.valueOf(message);
        }
    }
}
