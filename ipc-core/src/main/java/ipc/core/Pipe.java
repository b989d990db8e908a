package ipc.core;

import ipc.core.frame.ErrorMessage;
import ipc.core.dispatch.DispatchException;
import ipc.core.dispatch.Dispatcher;
import ipc.core.frame.FrameCodec;
import ipc.core.frame.FrameDescriptor;
import ipc.core.frame.FrameException;
import ipc.core.frame.FrameHandler;
import ipc.core.frame.FrameReader;
import ipc.core.dispatch.Handler;
import ipc.core.dispatch.HandlerTable;
import ipc.core.remote.RemoteAnswers;
import ipc.core.remote.RemoteCall;
import ipc.core.remote.RemoteCalls;
import ipc.core.channel.SelectBell;
import ipc.core.channel.WaitPeer;

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
    /** {@link #dispatch}'s copy of the next frame, taken off the channel under the lock and dispatched outside it. */
    private final FrameCopy copy = new FrameCopy();
    private final FrameReader copyReader = new FrameReader(FrameDescriptor.MAX_MAX_FRAME_BYTES);
    private final BooleanSupplier dispatchCheck = this::copyIntoHand;
    /** The last handler given to {@link #dispatch} and its dispatcher (reused while the handler is the same object). */
    private Object lastHandler;
    private Dispatcher lastDispatcher;
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
            if (s.hasNext()) {
                // the next frame may be an answer to a remote call, which is not for recv(): take the
                // next message into hand, so that true means recv() returns at once
                inHand = readOneLocked(s);
                if (inHand != null) {
                    return true;
                }
            }
            return s.producerExited() && !s.hasNext();
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to {@code timeout} ({@code null}: forever) for {@link #poll()} to be true. */
    public boolean poll(Duration timeout) {
        return SelectBell.frontend().await(readyCheck, deadline(timeout), waitPeer);
    }

    /**
     * Waits up to {@code timeout} ({@code null}: forever) for one message and calls the method of
     * {@code handler} that its command names (any access modifier; its parameters bind by name,
     * with the rules of {@code c__} dispatch: missing ones get null / 0 / false, a value fits by
     * Java's widening, or one MessageObject parameter takes the whole message). Methods of Object
     * and of this library's classes are never called. A handler whose parameters are primitives
     * allocates nothing per message: the frame is read in place, never made a MessageObject.
     *
     * @return true when a method ran; false on timeout, at end of stream, or when interrupted
     *         (interrupt status kept)
     * @throws IllegalStateException    when the handler has no method of that name (or one that
     *                                  cannot be called by name, e.g. overloaded); the message is
     *                                  not lost: the next {@link #recv()} returns it
     * @throws IllegalArgumentException when the message's parameters do not fit the method's (the
     *                                  message is consumed)
     * @throws RuntimeException         what the method threw (the message is consumed); a checked
     *                                  exception comes wrapped in an IllegalStateException
     */
    public boolean dispatch(Object handler, Duration timeout) {
        java.util.Objects.requireNonNull(handler, "handler");
        long deadline = deadline(timeout);
        while (true) {
            lock.lock();
            MessageObject decoded;
            try {
                int taken = takeCopyLocked();
                if (taken == COPY_ENDED) {
                    return false;
                }
                if (taken == COPY_NONE) {
                    decoded = null;
                } else {
                    decoded = copy.decoded;
                    copy.decoded = null;
                    copy.full = false;
                    copyReader.wrap(copy.segment, 0, copy.length);
                }
            } finally {
                lock.unlock();
            }
            if (copyReader.isValid()) {
                try {
                    return run(handler, copyReader, decoded);
                } finally {
                    copyReader.clear();
                }
            }
            if (!SelectBell.frontend().await(dispatchCheck, deadline, waitPeer)) {
                return false;
            }
        }
    }

    private boolean run(Object handler, FrameReader frame, MessageObject decoded) {
        Dispatcher d = lastDispatcher;
        if (lastHandler != handler) {
            d = new Dispatcher(handler, HandlerTable.plain(handler.getClass()));
            lastHandler = handler;
            lastDispatcher = d;
        }
        Handler method = d.table().find(frame);
        if (method == null) {
            MessageObject kept = decoded != null ? decoded : frame.toMessageObject();
            lock.lock();
            try {
                if (inHand != null) {
                    backlog.addFirst(inHand);
                }
                inHand = kept; // the oldest message there is: the next recv() returns it
            } finally {
                lock.unlock();
            }
            String command = kept.command();
            String why = d.table().unusable(command);
            throw new IllegalStateException("no method for the message's command: command=" + command
                + (why != null ? " reason=" + why : "") + " handler=" + handler.getClass().getName()
                + " methods=" + d.table().commands() + " (the message stays for the next recv())");
        }
        try {
            d.dispatch(method, frame);
            return true;
        } catch (DispatchException e) {
            Throwable cause = e.getCause();
            if (cause == null) {
                throw new IllegalArgumentException(e.getMessage());
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException("handler " + method.signature() + " threw " + cause, cause);
        }
    }

    private static final int COPY_NONE = 0;
    private static final int COPY_TAKEN = 1;
    private static final int COPY_ENDED = 2;

    /**
     * Under the lock: the next message into {@link #copy} (the held or queued message encoded
     * again, else the next frame copied off the channel); NONE when there is none yet.
     */
    private int takeCopyLocked() {
        if (copy.full) {
            return COPY_TAKEN;
        }
        MessageObject held = inHand != null ? inHand : backlog.poll();
        if (held == null) {
            Source s = source;
            if (s != null) {
                copyOneLocked(s);
                if (copy.full) {
                    return COPY_TAKEN;
                }
                held = inHand; // a bad frame, decoded to an "error" message
            }
        }
        if (held != null) {
            if (held == inHand) {
                inHand = null;
            }
            copy.put(held);
            return COPY_TAKEN;
        }
        return endedLocked() ? COPY_ENDED : COPY_NONE;
    }

    /** dispatch's wait condition: a message copied, or held, or the end of stream. */
    private boolean copyIntoHand() {
        lock.lock();
        try {
            if (copy.full || inHand != null || !backlog.isEmpty()) {
                return true;
            }
            Source s = source;
            if (s != null) {
                copyOneLocked(s);
            }
            return copy.full || inHand != null || endedLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Copies the next frame off the channel (routing answers on the way); a bad one becomes inHand's "error". */
    private void copyOneLocked(Source s) {
        while (!copy.full && inHand == null) {
            copy.bad = null;
            if (!s.poll(copy)) {
                return;
            }
            if (copy.bad != null) {
                inHand = copy.bad;
                copy.bad = null;
            }
        }
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

    /** Sends the answers to typed remote calls that this pipe's channel carries to {@code calls}. */
    void routeAnswersTo(RemoteCalls calls) {
        lock.lock();
        try {
            // the two frame handlers (read under the lock) route answers there from now on; null
            // until the process's first remote call
            decoder.remote = calls;
            copy.remote = calls;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A remote call's read of the channel: reads frames until {@code call} (null: none in
     * particular) is answered or no frame is left, routing answers to their calls and queueing
     * messages for {@link #recv()} in order. {@code block}: wait for the lock; else return at once
     * when another thread holds it (that thread is reading, and routes the answer).
     */
    void pump(RemoteCall call, boolean block) {
        if (block) {
            lock.lock();
        } else if (!lock.tryLock()) {
            return;
        }
        boolean queued = false;
        try {
            Source s = source;
            while (s != null && (call == null || !call.done)) {
                MessageObject next = readOneLocked(s);
                if (next == null) {
                    break;
                }
                backlog.add(next);
                queued = true;
            }
        } finally {
            lock.unlock();
        }
        if (queued) {
            SelectBell.frontend().ring(); // a recv() parked on the bell takes it
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

    /**
     * The next message off the channel, or null when there is none; answers to remote calls on
     * the way are routed to their calls, never returned.
     */
    private MessageObject readOneLocked(Source s) {
        while (true) {
            decoder.message = null;
            boolean consumed = s.poll(decoder);
            MessageObject next = decoder.message;
            decoder.message = null;
            if (next != null || !consumed) {
                return next;
            }
        }
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

    /**
     * {@link #dispatch}'s frame handler: copies a message's frame into a reused buffer (so that the
     * handler runs outside the lock, with the channel free), routes answers, turns a bad frame into
     * an "error" message.
     */
    private static final class FrameCopy implements FrameHandler {
        byte[] bytes = new byte[512];
        java.lang.foreign.MemorySegment segment = java.lang.foreign.MemorySegment.ofArray(bytes);
        int length;
        boolean full;
        /** The message copied from a held MessageObject (kept, so that "no such method" returns that object). */
        MessageObject decoded;
        MessageObject bad;
        RemoteCalls remote;

        @Override
        public void onFrame(FrameReader frame) {
            if (frame.commandEquals(Decoder.RETURN) || frame.commandEquals(Decoder.ERROR)) {
                if (remote != null) {
                    remote.onAnswer(frame, frame.commandEquals(Decoder.ERROR));
                }
                return;
            }
            int n = frame.frameLength();
            ensure(n);
            frame.copyTo(bytes);
            length = n;
            full = true;
        }

        @Override
        public void onBadFrame(FrameException error) {
            bad = Decoder.badFrameMessage(error);
        }

        void put(MessageObject message) {
            byte[] encoded = FrameCodec.encode(message);
            ensure(encoded.length);
            System.arraycopy(encoded, 0, bytes, 0, encoded.length);
            length = encoded.length;
            decoded = message;
            full = true;
        }

        private void ensure(int n) {
            if (bytes.length < n) {
                bytes = new byte[Math.max(n, 2 * bytes.length)];
                segment = java.lang.foreign.MemorySegment.ofArray(bytes);
            }
        }
    }

    /** Turns each frame into a MessageObject; a bad frame into an "error" message, never lost silently. */
    private static final class Decoder implements FrameHandler {
        private static final byte[] RETURN = FrameCodec.stringBytes(RemoteAnswers.RETURN_COMMAND);
        private static final byte[] ERROR = FrameCodec.stringBytes(RemoteAnswers.ERROR_COMMAND);

        MessageObject message;
        RemoteCalls remote;

        @Override
        public void onFrame(FrameReader frame) {
            if (frame.commandEquals(RETURN)) {
                answered(frame, false);
            } else if (frame.commandEquals(ERROR)) {
                answered(frame, true);
            } else {
                message = frame.toMessageObject();
            }
        }

        private void answered(FrameReader frame, boolean failed) {
            if (remote != null) {
                remote.onAnswer(frame, failed);
            } // else: no call was ever made from this frontend, so no call waits for it
        }

        @Override
        public void onBadFrame(FrameException error) {
            message = badFrameMessage(error);
        }

        static MessageObject badFrameMessage(FrameException error) {
            return ErrorMessage.of(null, "bad frame from backend skipped: " + error.getMessage());
        }
    }
}
