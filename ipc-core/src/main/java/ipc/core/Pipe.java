package ipc.core;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The frontend's end of the messages a backend sends with {@code send_out__}: the seed's
 * {@code multiprocessing.Pipe} as returned by {@code getPipe()}.
 *
 * <p>End of stream: once the backend has exited and every message it sent has been read,
 * {@link #poll()} is true and every {@link #recv()} returns {@code null} at once, like a closed
 * pipe under select. {@link MessageProcess#exitCode()} then tells a clean stop from a crash.
 *
 * <p>Waiting spins briefly, then parks on the frontend's {@link SelectBell}, so an idle reader
 * uses no CPU. Thread-safe for one reader at a time; {@link Select#safeSelect} may poll it from
 * another thread.
 */
public final class Pipe {
    /**
     * Where the frames come from while the backend's channel is open: the channel's reading end,
     * plus whether the backend process has exited.
     */
    interface Source {
        /** Reads at most one frame into {@code handler}; true when one (good or bad) was consumed. */
        boolean poll(FrameHandler handler);

        boolean hasNext();

        boolean producerExited();

        /** The channel's wait-CPU hints, seen from the frontend. */
        default WaitPeer waitPeer() {
            return WaitPeer.UNKNOWN;
        }
    }

    private final String owner;
    private final ReentrantLock lock = new ReentrantLock();
    /** Messages read off the channel before it was closed at stop, in order; guarded by lock. */
    private final ArrayDeque<MessageObject> backlog = new ArrayDeque<>();
    private final Decoder decoder = new Decoder();
    private final BooleanSupplier readyCheck = this::poll;
    private final BooleanSupplier takeCheck = this::takeIntoHand;
    /**
     * A message that {@link #takeIntoHand} (recv's wait condition) has taken off the channel and
     * the waiting recv has not claimed yet: the oldest message there is, so it goes before the
     * backlog and the channel. Guarded by lock.
     */
    private MessageObject inHand;
    /** Guarded by lock; null before start and after the channel is drained and closed. */
    private Source source;
    /** Guarded by lock; true once a source has been attached (so null source means ended). */
    private boolean attached;
    /** The attached source's wait hints, read without the lock by waits; UNKNOWN when there is no channel. */
    private volatile WaitPeer waitPeer = WaitPeer.UNKNOWN;

    Pipe(String owner) {
        this.owner = owner;
    }

    /** The next message; blocks. Null at end of stream, or when interrupted (status kept). */
    public MessageObject recv() {
        return recv(null);
    }

    /**
     * The next message, waiting up to {@code timeout} ({@code null}: forever). Null on timeout, at
     * end of stream, or when interrupted (interrupt status kept).
     */
    public MessageObject recv(Duration timeout) {
        long deadline = deadline(timeout);
        while (true) {
            // Take first, wait only when there is nothing: a message that is already there costs
            // one excerpt read, not a readiness check followed by a read.
            lock.lock();
            try {
                MessageObject next = inHand;
                if (next != null) {
                    inHand = null;
                    return next;
                }
                next = takeLocked();
                if (next != null || endedLocked()) {
                    return next;
                }
            } finally {
                lock.unlock();
            }
            if (!SelectBell.frontend().await(takeCheck, deadline, waitPeer)) {
                return null;
            }
        }
    }

    /** True when a message is ready or the stream has ended; never blocks. */
    public boolean poll() {
        lock.lock();
        try {
            if (inHand != null || !backlog.isEmpty()) {
                return true;
            }
            Source s = source;
            if (s == null) {
                return attached;
            }
            return s.hasNext() || s.producerExited() && !s.hasNext();
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code timeout} ({@code null}: forever) for {@link #poll()} to be true. */
    public boolean poll(Duration timeout) {
        return SelectBell.frontend().await(readyCheck, deadline(timeout), waitPeer);
    }

    /** The backend's wait hints while its channel is attached, else {@link WaitPeer#UNKNOWN}. */
    WaitPeer waitPeer() {
        return waitPeer;
    }

    @Override
    public String toString() {
        return "<Pipe: " + owner + ">";
    }

    void attach(Source source) {
        lock.lock();
        try {
            this.source = source;
            this.waitPeer = source.waitPeer();
            this.attached = true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves every frame still in the channel into memory and lets go of the channel, so that its
     * files can be removed while nothing sent is lost. Called after the backend has exited.
     */
    void drainAndDetach() {
        lock.lock();
        try {
            Source s = source;
            if (s == null) {
                return;
            }
            while (true) {
                MessageObject next = readOneLocked(s);
                if (next == null && !s.hasNext()) {
                    break;
                }
                if (next != null) {
                    backlog.add(next);
                }
            }
            source = null;
            waitPeer = WaitPeer.UNKNOWN;
        } finally {
            lock.unlock();
        }
    }

    /** Reads the first internal frame the backend sends at start (ready or error); no backlog. */
    MessageObject takeDirect() {
        lock.lock();
        try {
            return source == null ? null : readOneLocked(source);
        } finally {
            lock.unlock();
        }
    }

    /** The next message from the backlog, else from the channel; null when there is none yet. */
    private MessageObject takeLocked() {
        MessageObject queued = backlog.poll();
        if (queued != null) {
            return queued;
        }
        Source s = source;
        return s == null ? null : readOneLocked(s); // null only when no excerpt was there: a bad one decodes to "error"
    }

    /**
     * recv's wait condition: takes the next message into {@link #inHand}, so that the poll that
     * finds a message also reads it. True when a message is in hand or the stream has ended.
     */
    private boolean takeIntoHand() {
        lock.lock();
        try {
            if (inHand == null) {
                inHand = takeLocked();
            }
            return inHand != null || endedLocked();
        } finally {
            lock.unlock();
        }
    }

    private boolean endedLocked() {
        if (inHand != null || !backlog.isEmpty()) {
            return false;
        }
        Source s = source;
        if (s == null) {
            return attached;
        }
        return s.producerExited() && !s.hasNext(); // exited first, then empty: nothing can follow
    }

    private MessageObject readOneLocked(Source s) {
        decoder.message = null;
        s.poll(decoder);
        MessageObject next = decoder.message;
        decoder.message = null;
        return next;
    }

    private static long deadline(Duration timeout) {
        if (timeout == null) {
            return System.nanoTime() + Long.MAX_VALUE / 2;
        }
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: timeout=" + timeout);
        }
        return System.nanoTime() + Select.saturatedNanos(timeout);
    }

    /** Turns each frame into a MessageObject; a bad frame into an "error" message, never lost silently. */
    private static final class Decoder implements FrameHandler {
        MessageObject message;

        @Override
        public void onFrame(FrameReader frame) {
            message = frame.toMessageObject();
        }

        @Override
        public void onBadFrame(FrameException error) {
            message = new MessageObject(MessageProcess.ERROR_COMMAND,
                "command", null, "reason", "bad frame from backend skipped: " + error.getMessage());
        }
    }
}
