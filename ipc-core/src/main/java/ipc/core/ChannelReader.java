package ipc.core;

import ipc.sync.Doorbell;
import ipc.sync.ParkingIdleStrategy;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.IdleStrategy;

/**
 * Reads this side's inbound direction of a {@link Channel}, one excerpt per {@link #poll}: the
 * frame is checked and handed to a {@link FrameHandler} as a {@link FrameReader} positioned on
 * the queue's memory, or, when it is bad, reported to {@link FrameHandler#onBadFrame} and
 * skipped, so that nothing after it is lost.
 *
 * <p>Not thread-safe: one thread at a time (a Chronicle tailer is single-threaded); the caller
 * serialises hand-offs between threads. Polling a frame of primitive parameters and reading it
 * through the FrameReader's primitive accessors allocates nothing (except when the reader
 * crosses into a new roll cycle, where Chronicle opens the next file).
 *
 * <p>Waiting: {@link #poll(FrameHandler, Duration)} spins, yields, then parks on the direction's
 * doorbell; {@link #idleStrategy()} gives the same back-off for a caller's own duty cycle.
 */
public final class ChannelReader {
    private final Channel channel;
    private final ExcerptTailer tailer;
    private final Doorbell bell;
    private final CycleFileReaper reaper;
    private final FrameReader frame;
    /** Reads through Chronicle's Bytes: the rare excerpt that spans two mapped chunks. */
    private final BytesFrameMemory memory = new BytesFrameMemory();
    /** Reads the excerpt's mapped bytes directly ({@link ExcerptWindow}): every other frame. */
    private final SegmentFrameMemory windowMemory = new SegmentFrameMemory();
    private final ExcerptWindow window = new ExcerptWindow();
    private int cycle = Integer.MIN_VALUE;
    private long position;
    private long badFrames;

    /** Frames consumed, published to the control segment after each ({@link ChannelDescriptor}, for the tool). */
    private final MemorySegment control;
    private final long readOffset;
    private long read;
    /**
     * The backend's reader records its progress ({@link ChannelDescriptor#F2B_RUNNING_OFFSET},
     * {@link ChannelDescriptor#F2B_DONE_OFFSET}) around each handler, so that a restarted backend
     * resumes at the first frame whose handler did not return; the frontend's reader does not.
     */
    private final boolean recordsProgress;
    /** The queue index of the last excerpt consumed (0 before the first). */
    private long index;

    ChannelReader(Channel channel, ExcerptTailer tailer, Doorbell bell, CycleFileReaper reaper, int maxFrameBytes,
                  MemorySegment control, long readOffset) {
        this.control = control;
        this.readOffset = readOffset;
        this.recordsProgress = readOffset == ChannelDescriptor.F2B_READ_OFFSET;
        this.read = ChannelDescriptor.counterAcquire(control, readOffset); // a restarted backend counts on
        this.channel = channel;
        this.tailer = tailer;
        this.bell = bell;
        this.reaper = reaper;
        this.frame = new FrameReader(maxFrameBytes, new MessageShapes());
    }

    /**
     * Consumes at most one excerpt: a good frame goes to {@code handler.onFrame}, a bad one to
     * {@code handler.onBadFrame}. The excerpt is consumed even when the handler throws (the
     * exception propagates).
     *
     * @return true when an excerpt was consumed (good or bad), false when there was none
     * @throws IllegalStateException when the channel is closed
     */
    public boolean poll(FrameHandler handler) {
        channel.checkOpen();
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                return false;
            }
            Bytes<?> bytes = dc.wire().bytes();
            position = bytes.readPosition();
            long at = dc.index();
            index = at;
            FrameException bad = null;
            try {
                long length = bytes.readRemaining();
                long in = window.locateForRead(bytes, position, length);
                if (in >= 0) {
                    frame.wrap(windowMemory.wrap(window.chunk()), in, length);
                } else {
                    frame.wrap(memory.wrap(bytes), position, length);
                }
            } catch (FrameException e) {
                bad = e;
                badFrames++;
            }
            ChannelDescriptor.counterRelease(control, readOffset, ++read); // before the handler: what it sends comes after
            if (recordsProgress) {
                ChannelDescriptor.counterRelease(control, ChannelDescriptor.F2B_RUNNING_OFFSET, at);
            }
            try {
                if (bad == null) {
                    handler.onFrame(frame);
                } else {
                    handler.onBadFrame(bad);
                }
                if (recordsProgress) { // not when the handler threw: its frame did not finish
                    ChannelDescriptor.counterRelease(control, ChannelDescriptor.F2B_DONE_OFFSET, at);
                }
            } finally {
                frame.clear();
                memory.clear();
                windowMemory.wrap(MemorySegment.NULL);
            }
        } finally {
            int now = tailer.cycle();
            if (now != cycle) {
                cycle = now;
                reaper.readerReached(now);
            }
        }
        return true;
    }

    /**
     * Polls until an excerpt is consumed or {@code timeout} passes: spins ({@link SpinWait}), then yields, then parks
     * on the doorbell for exactly the time left. Returns false at once, keeping the interrupt
     * status, when the thread is interrupted.
     *
     * @return true when an excerpt was consumed, false on timeout or interrupt
     */
    public boolean poll(FrameHandler handler, Duration timeout) {
        long timeoutNanos = timeout.toNanos();
        long start = System.nanoTime();
        WaitPeer peer = channel.waitPeer();
        for (int i = 0; i < ParkingIdleStrategy.DEFAULT_SPINS + ParkingIdleStrategy.DEFAULT_YIELDS; i++) {
            if (poll(handler)) {
                return true;
            }
            if (SpinWait.checksClock(i)
                && (System.nanoTime() - start >= timeoutNanos || Thread.currentThread().isInterrupted())) {
                return false;
            }
            if (i == 0) {
                peer.announce();
            }
            if (i < ParkingIdleStrategy.DEFAULT_SPINS) {
                if (SpinWait.spin(i, peer)) {
                    break; // park now: the peer shares this core and yields alone keep it so
                }
            } else {
                Thread.yield();
            }
        }
        while (true) {
            // Read the sequence before polling: a frame published after the poll found nothing
            // has rung a later sequence, so the park returns at once.
            int observed = bell.sequenceAcquire();
            if (poll(handler)) {
                return true;
            }
            long remaining = timeoutNanos - (System.nanoTime() - start);
            if (remaining <= 0 || Thread.currentThread().isInterrupted()) {
                return false;
            }
            bell.awaitChange(observed, remaining);
        }
    }

    /** The queue index of the last excerpt consumed: ordered across roll cycles; 0 before the first. */
    long index() {
        return index;
    }

    /**
     * A restarted backend's first move: positions this reader so that the next {@link #poll}
     * reads the frame at queue index {@code index} (that frame itself when {@code skipIt} is
     * false, the one after it when true).
     *
     * @throws IllegalStateException when the queue no longer holds that index
     */
    void resumeAt(long index, boolean skipIt) {
        channel.checkOpen();
        if (!tailer.moveToIndex(index)) {
            throw new IllegalStateException("cannot resume: the queue holds no frame at index " + Long.toHexString(index)
                + ": channel=" + channel.directory());
        }
        if (skipIt) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    throw new IllegalStateException("cannot resume: no frame at index " + Long.toHexString(index)
                        + ": channel=" + channel.directory());
                }
            }
        }
    }

    /** True when an excerpt is ready; consumes nothing. */
    public boolean hasNext() {
        channel.checkOpen();
        try (DocumentContext dc = tailer.readingDocument()) {
            boolean present = dc.isPresent();
            if (present) {
                dc.rollbackOnClose();
            }
            return present;
        }
    }

    /** A new spin-yield-park strategy on this direction's doorbell, for the caller's own loop (one per thread). */
    public IdleStrategy idleStrategy() {
        return new ParkingIdleStrategy(bell);
    }

    /** The doorbell this direction's writer rings (shared with other channels when it is a {@link SelectBell}). */
    public Doorbell doorbell() {
        return bell;
    }

    /** Bad frames skipped so far. */
    public long badFrames() {
        return badFrames;
    }

    /** The roll cycle of the last excerpt read (for tests that must tell a roll from steady state). */
    int cycle() {
        return cycle;
    }

    /** Where the last excerpt read starts in its cycle file (for tests that must tell a new chunk from steady state). */
    long position() {
        return position;
    }

    void close() {
        window.clear();
        tailer.close();
    }
}
