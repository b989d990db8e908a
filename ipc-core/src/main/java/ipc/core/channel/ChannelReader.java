package ipc.core.channel;

import ipc.core.frame.FrameException;
import ipc.core.frame.FrameHandler;
import ipc.core.frame.FrameInbound;
import ipc.core.frame.FrameReader;
import ipc.core.frame.MessageShapes;

import ipc.sync.Doorbell;
import ipc.sync.ParkingIdleStrategy;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
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
    private final FrameInbound in;
    private final Doorbell bell;
    private final FrameReader frame;
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
    /** The transport index of the last frame consumed (0 before the first). */
    private long index;

    ChannelReader(Channel channel, FrameInbound in, Doorbell bell, int maxFrameBytes, MemorySegment control,
                  long readOffset) {
        this.control = control;
        this.readOffset = readOffset;
        this.recordsProgress = readOffset == ChannelDescriptor.F2B_READ_OFFSET;
        this.read = ChannelDescriptor.counterAcquire(control, readOffset); // a restarted backend counts on
        this.channel = channel;
        this.in = in;
        this.bell = bell;
        this.frame = new FrameReader(maxFrameBytes, new MessageShapes());
    }

    /**
     * Consumes at most one frame: a good frame goes to {@code handler.onFrame}, a bad one to
     * {@code handler.onBadFrame}. The frame is consumed even when the handler throws (the
     * exception propagates).
     *
     * @return true when a frame was consumed (good or bad), false when there was none
     * @throws IllegalStateException when the channel is closed
     */
    public boolean poll(FrameHandler handler) {
        channel.checkOpen();
        int found = in.next(frame);
        if (found == FrameInbound.NONE) {
            return false;
        }
        long at = in.index();
        index = at;
        ChannelDescriptor.counterRelease(control, readOffset, ++read); // before the handler: what it sends comes after
        if (recordsProgress) {
            ChannelDescriptor.counterRelease(control, ChannelDescriptor.F2B_RUNNING_OFFSET, at);
        }
        try {
            if (found == FrameInbound.FRAME) {
                handler.onFrame(frame);
            } else {
                badFrames++;
                handler.onBadFrame(in.bad());
            }
        } finally {
            frame.clear();
            in.consumed();
        }
        // Only when the handler returned, and after the transport moved past the frame: a death
        // between the two leaves running != done, and the frame is run again (the ring's head has
        // already moved then, and the restarted backend reads on after it).
        if (recordsProgress) {
            ChannelDescriptor.counterRelease(control, ChannelDescriptor.F2B_DONE_OFFSET, at);
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

    /** The transport index of the last frame consumed: ordered; 0 before the first. */
    public long index() {
        return index;
    }

    /**
     * A restarted backend's first move: positions this reader at the first frame whose handler
     * did not return, from the dead backend's progress ({@code running}, {@code done}: the
     * indexes of the frame whose handler ran and of the last that returned, 0 for none). A
     * {@code poison} frame (the one running, run at the death before too) is consumed unhandled.
     *
     * @return the skipped frame's command, or null when none was skipped
     * @throws IllegalStateException when the transport no longer holds the frame to resume at
     */
    public String resume(long running, long done, boolean poison) {
        channel.checkOpen();
        int at;
        try {
            at = in.resume(running, done);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + ": channel=" + channel.directory(), e);
        }
        if (at == FrameInbound.AT_INIT) { // the last backend died before INIT's read had finished
            skipOne("the INIT frame is gone");
            return null;
        }
        if (!poison || at != FrameInbound.AT_RUNNING) {
            return null;
        }
        String[] command = new String[1];
        if (!poll(new FrameHandler() {
            @Override
            public void onFrame(FrameReader frame) {
                command[0] = frame.command();
            }

            @Override
            public void onBadFrame(FrameException error) {
                command[0] = "(bad frame)";
            }
        })) {
            throw new IllegalStateException("cannot resume: no frame at the skipped index " + Long.toHexString(running));
        }
        return command[0];
    }

    private void skipOne(String otherwise) {
        if (!poll(frame -> { })) {
            throw new IllegalStateException("cannot resume: " + otherwise + ": channel=" + channel.directory());
        }
    }

    /** True when a frame is ready; consumes nothing. */
    public boolean hasNext() {
        channel.checkOpen();
        return in.hasNext();
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
        return in.cycle();
    }

    /** Where the last frame read starts in its file (for tests that must tell a new chunk from steady state). */
    long position() {
        return in.position();
    }

    void close() {
        in.close();
    }
}
