package ipc.core.channel;

import ipc.core.frame.FrameCodec;
import ipc.core.frame.FrameException;
import ipc.core.frame.FrameOutbound;
import ipc.core.frame.FrameSink;
import ipc.core.frame.FrameSource;
import ipc.core.MessageObject;
import ipc.core.frame.StringBytesCache;

import ipc.sync.Doorbell;
import ipc.sync.OutOfSpaceException;
import java.lang.foreign.MemorySegment;

/**
 * Writes this side's outbound direction of a {@link Channel}: each {@link #write} encodes one
 * frame in place into the transport (no intermediate buffer: straight into the mapped file, a
 * Chronicle excerpt or a ring record), commits it, counts it, then rings the direction's doorbell.
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
    private final FrameOutbound out;
    private final Doorbell bell;
    private final int maxFrameBytes;
    private final StringBytesCache strings = new StringBytesCache();
    /** {@link #write(MessageObject)}'s message as a {@link FrameSource}, reused (no allocation per write). */
    private final MessageSource messageSource = new MessageSource();

    /** Frames written, published to the control segment after each ({@link ChannelDescriptor}, for the tool). */
    private final MemorySegment control;
    private final long writtenOffset;
    private long written;

    ChannelWriter(Channel channel, FrameOutbound out, Doorbell bell, int maxFrameBytes, MemorySegment control,
                  long writtenOffset) {
        this.control = control;
        this.writtenOffset = writtenOffset;
        this.written = ChannelDescriptor.counterAcquire(control, writtenOffset); // a restarted backend counts on
        this.channel = channel;
        this.out = out;
        this.bell = bell;
        this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * Appends {@code message} as one frame and rings the reader's doorbell.
     *
     * @throws FrameException        with {@link FrameException.Reason#OVERSIZED} when the frame
     *                               would exceed the channel's limit; nothing is written
     * @throws IllegalArgumentException on the RING transport, when the frame can never fit the
     *                               ring (naming both sizes); nothing is written
     * @throws OutOfSpaceException   naming the queue directory, the bytes needed and the bytes
     *                               free, when the filesystem cannot back the frame (checked
     *                               before anything is stored); nothing is written, and the same
     *                               write works once space is freed
     * @throws ipc.sync.PeerGoneException on the RING transport, when the ring is full and its
     *                               reader's process is gone
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
    public void write(FrameSource source) {
        int length = source.frameLength(maxFrameBytes, strings);
        channel.checkOpen();
        out.write(source, length, strings);
        published();
    }

    /** Appends raw bytes as one excerpt, bypassing the codec: for tests of the reader's checks. */
    void writeRaw(byte[] excerpt) {
        channel.checkOpen();
        out.writeRaw(excerpt);
        published();
    }

    private void published() {
        ChannelDescriptor.counterRelease(control, writtenOffset, ++written); // counted before the reader is woken
        bell.ring();
        out.published();
    }

    /**
     * The transport index of the last frame this writer appended, or 0 before its first: for the
     * frontend's f2b writer, the direction's only writer, an upper bound of every frame written
     * before (under the caller's lock that serialises writes).
     */
    public long lastIndex() {
        channel.checkOpen();
        return out.lastIndex();
    }

    /** The limit this writer enforces. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** The roll cycle of the last write (for tests that must tell a roll from steady state). */
    public int cycle() {
        return out.cycle();
    }

    /** Where the last frame ended in its file (for tests that must tell a new chunk from steady state). */
    long position() {
        return out.position();
    }

    void close() {
        out.close();
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
