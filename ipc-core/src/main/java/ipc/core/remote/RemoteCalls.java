package ipc.core.remote;

import ipc.core.channel.WaitPeer;
import ipc.core.frame.FrameBuilder;
import ipc.core.frame.FrameReader;
import ipc.core.frame.FrameShape;
import ipc.core.RemoteException;
import ipc.core.RemoteTimeoutException;
import ipc.core.channel.SelectBell;

import ipc.sync.PeerGoneException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import org.agrona.collections.Long2ObjectHashMap;

/**
 * The frontend's typed remote calls to one backend: correlation, waiting, timeouts and the
 * backend's death.
 *
 * <p>Correlation: each call that expects an answer gets the next id of a per-process counter and
 * is registered under it before its request is written (a synchronous call in a slot of a small
 * array, by compare-and-set, so that the usual call takes no lock; the rest in a map); the backend's answer frame carries the
 * id back. Answers travel on the same backend-to-frontend queue as {@code send_out__} messages
 * (so a call and the messages the backend sent before answering it keep their order); whichever
 * frontend thread reads that queue (a waiting caller, the pipe's reader, the async pump) hands
 * each answer to its call here and queues each ordinary message for {@code recv()}, so answers
 * never reach the pipe and a caller never waits for a pipe reader.
 *
 * <p>Waiting: a caller spins, yields, then parks on the frontend's select bell (which the
 * backend rings after every write), reading the queue itself when no other thread does. A
 * caller that stores another caller's answer rings the bell, so that one wakes.
 *
 * <p>Timeout: the call is unregistered (a compare-and-set that the answering thread also races
 * for, or under the map's lock), so a late answer finds no call and is dropped (counted in {@link #dropped()}). Death: once the
 * backend has exited, every waiting call reads what the backend wrote before it died and then
 * fails with PeerGoneException; so do later calls.
 *
 * <p>Asynchronous calls (a method returning a future) are registered the same way; a daemon
 * thread started at the first one reads answers while any is pending, and completes the
 * futures outside every lock, so that a future's dependent actions never run inside the reader.
 */
public final class RemoteCalls {
    /**
     * What the calls need of the process's frontend: a way to write a request frame to the
     * backend, and the pipe's reader, which routes answers to their calls ({@link #answer}).
     */
    public interface Link {
        /**
         * Writes a call's request frame, unless {@code generation} is no longer current (its
         * backend died); {@link #ANY_GENERATION}: whichever backend runs.
         *
         * @throws ipc.sync.PeerGoneException when the backend has exited, or the generation ended
         */
        void sendFrame(FrameBuilder frame, String what, int generation);

        /**
         * Reads the channel until {@code call} (null: none in particular) is answered or no frame
         * is left; {@code block}: wait for the reader's lock, else return when another thread holds it.
         */
        void pump(RemoteCall call, boolean block);

        /** The backend's wait hints, for a caller that waits for its answer. */
        WaitPeer waitPeer();
    }

    /** {@link Link#sendFrame}'s generation of a frame that any backend may read (a one-way call). */
    public static final int ANY_GENERATION = -1;

    private final String owner;
    private final Link frontend;
    private final AtomicLong ids = new AtomicLong();
    /**
     * Synchronous calls waiting for an answer, in slot {@code id & (SLOTS - 1)}: registering,
     * answering and giving up each take one compare-and-set, no lock. A call whose slot is taken
     * (more than {@link #SLOTS} calls apart still waiting) goes to {@link #pending} instead.
     */
    private final AtomicReferenceArray<RemoteCall> slots = new AtomicReferenceArray<>(SLOTS);
    /** A power of two: far more than the threads that call one process at once. */
    static final int SLOTS = 256;

    /** Calls waiting for an answer that are not in {@link #slots}, by id: RemoteCall or AsyncCall. Guarded by itself. */
    private final Long2ObjectHashMap<Object> pending = new Long2ObjectHashMap<>();
    /**
     * Each thread's reusable call: a thread has at most one call of this process in flight (a
     * synchronous call blocks it; an asynchronous one releases its call once sent), so a
     * thread-local needs neither a lock nor an atomic. It dies with its thread.
     */
    private final ThreadLocal<RemoteCall> perThread = ThreadLocal.withInitial(() -> new RemoteCall(this));
    /** Async calls in flight, for the pump's deadlines; guarded by {@link #pending}. */
    private final List<AsyncCall> asyncCalls = new ArrayList<>();
    /** Answered async calls that the pump has yet to complete. */
    private final ConcurrentLinkedQueue<AsyncCall> answered = new ConcurrentLinkedQueue<>();
    private volatile String goneReason;
    /**
     * Which backend the calls go to: incremented at each supervised restart
     * ({@link #backendRestarting}), which ends every call sent to an earlier one with
     * PeerGoneException; a call's frame is written only while its generation is current.
     */
    private volatile int generation;
    /** Why the last generation ended (the death of its backend). */
    private volatile String restartReason;
    private volatile Thread pump;
    private long dropped;

    public RemoteCalls(String owner, Link frontend) {
        this.owner = owner;
        this.frontend = frontend;
    }

    // ------------------------------------------------------------------ calling

    /** This thread's call for {@code method}, its {@code request} frame started (id and arguments still to put). */
    RemoteCall begin(RemoteApi.RemoteMethod method, FrameShape request) {
        RemoteCall c = perThread.get();
        if (c.inUse) {
            c = new RemoteCall(this); // not expected (see perThread); correct anyway
        }
        c.inUse = true;
        if (c.method != method) {
            c.method = method;
            c.firstField = method.firstField();
        }
        c.frame.reset(request);
        return c;
    }

    void release(RemoteCall c) {
        c.reset();
        c.inUse = false;
    }

    /** A one-way call: written, no answer awaited. Releases {@code c}. */
    void send(RemoteCall c) {
        try {
            requireNotGone(c.method);
            frontend.sendFrame(c.frame, c.method.signature(), ANY_GENERATION);
        } finally {
            release(c);
        }
    }

    /**
     * Sends {@code c} and waits up to {@code timeoutNanos} for its answer, which it leaves in
     * {@code c}'s fields; the caller reads them and releases {@code c}.
     *
     * @throws RemoteException        the backend's method threw
     * @throws RemoteTimeoutException no answer in time
     * @throws PeerGoneException      the backend exited before answering
     * @throws CancellationException  the calling thread was interrupted (interrupt status kept)
     */
    void call(RemoteCall c, long timeoutNanos) {
        requireNotGone(c.method);
        long id = ids.incrementAndGet();
        c.id = id;
        c.done = false;
        c.generation = generation;
        Thread self = Thread.currentThread();
        if (c.waiter != self) {
            c.waiter = self;
        }
        c.waiting();
        c.frame.putLong(0, id);
        int slot = (int) id & (SLOTS - 1);
        boolean slotted = slots.compareAndSet(slot, null, c); // publishes the fields above to the router
        if (!slotted) {
            synchronized (pending) {
                pending.put(id, c);
            }
        }
        try {
            frontend.sendFrame(c.frame, c.method.signature(), c.generation);
        } catch (RuntimeException | Error e) {
            giveUp(c, slot, slotted);
            throw e;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        SelectBell.frontend().await(c, deadline, frontend.waitPeer());
        if (!c.done && goneFor(c)) {
            frontend.pump(c, true); // what the backend wrote before it died, even when another thread holds the pipe
        }
        if (!c.done) {
            giveUp(c, slot, slotted);
            if (!c.done) { // not answered while it was registered: any later answer is dropped
                if (goneFor(c)) {
                    throw new PeerGoneException("backend gone during remote call " + c.method.signature() + ": "
                        + (goneReason != null ? goneReason : restartReason));
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new CancellationException("interrupted while waiting for remote call "
                        + c.method.signature() + ": process=" + owner);
                }
                throw new RemoteTimeoutException("no answer within " + java.time.Duration.ofNanos(timeoutNanos)
                    + ": call=" + c.method.signature() + " process=" + owner);
            }
        }
        if (c.error != null) {
            throw c.error;
        }
    }

    /**
     * Unregisters a call that stops waiting (timeout, interrupt, death, a failed send): after
     * this, an answer to its id is dropped. When a router claimed the call first, waits the few
     * instructions until that router has stored the answer ({@code done}), which the caller then uses.
     */
    private void giveUp(RemoteCall c, int slot, boolean slotted) {
        if (slotted) {
            if (c.abandon()) {
                slots.compareAndSet(slot, c, null);
            } else {
                while (!c.done) {
                    Thread.onSpinWait();
                }
            }
        } else {
            unregister(c.id);
        }
    }

    /** Sends an asynchronous call; its future completes with the answer, or exceptionally as {@link #call}. */
    CompletableFuture<Object> callAsync(RemoteCall c, long timeoutNanos) {
        CompletableFuture<Object> future = new CompletableFuture<>();
        AsyncCall a = new AsyncCall(c.method, future, System.nanoTime() + timeoutNanos, timeoutNanos);
        try {
            requireNotGone(c.method);
            long id = ids.incrementAndGet();
            a.id = id;
            a.generation = generation;
            c.frame.putLong(0, id);
            synchronized (pending) {
                pending.put(id, a);
                asyncCalls.add(a);
            }
            startPump();
            try {
                frontend.sendFrame(c.frame, c.method.signature(), a.generation);
            } catch (RuntimeException | Error e) {
                if (unregister(id) != null) {
                    future.completeExceptionally(e);
                }
            }
        } catch (RuntimeException e) {
            future.completeExceptionally(e);
        } finally {
            release(c);
        }
        return future;
    }

    private void requireNotGone(RemoteApi.RemoteMethod method) {
        if (gone()) {
            throw new PeerGoneException("backend gone, remote call " + method.signature() + " not sent: " + goneReason);
        }
    }

    private Object unregister(long id) {
        synchronized (pending) {
            Object removed = pending.remove(id);
            if (removed instanceof AsyncCall a) {
                asyncCalls.remove(a);
            }
            return removed;
        }
    }

    // ------------------------------------------------------------------ answers

    /**
     * An answer frame ({@link RemoteAnswers}), read by whichever thread reads the pipe's channel:
     * stored in its call, or dropped when no call waits for its id (timed out).
     */
    public void onAnswer(FrameReader answer, boolean failed) {
        long id = answer.getLong(0);
        int slot = (int) id & (SLOTS - 1);
        RemoteCall slotted = slots.get(slot);
        if (slotted != null && slotted.id == id && slotted.claim()) {
            slots.set(slot, null); // free before done: the waiter may call again at once
            slotted.answer(answer, failed);
            if (slotted.waiterOf() != Thread.currentThread()) {
                SelectBell.frontend().ring(); // the caller may be parked on the bell
            }
            return;
        }
        Thread waiter = null;
        synchronized (pending) {
            Object call = pending.remove(id);
            if (call == null) {
                dropped++;
                return;
            }
            if (call instanceof RemoteCall c) {
                c.answer(answer, failed);
                waiter = c.waiterOf();
            } else {
                AsyncCall a = (AsyncCall) call;
                asyncCalls.remove(a);
                a.answer(answer, failed);
                answered.add(a);
                waiter = pump;
            }
        }
        if (waiter != Thread.currentThread()) {
            SelectBell.frontend().ring(); // the caller may be parked on the bell
        }
    }

    /** Reads the channel for {@code c} when no other thread is reading it; true when {@code c} is answered. */
    boolean pumpFor(RemoteCall c) {
        frontend.pump(c, false);
        return c.done;
    }

    /** The backend exited: every waiting call and every later one ends with PeerGoneException. */
    public void backendGone(String reason) {
        goneReason = reason;
        LockSupport.unpark(pump);
    }

    boolean gone() {
        return goneReason != null;
    }

    /** The backend {@code c} was sent to is gone: it died (restarted since, or for good). */
    boolean goneFor(RemoteCall c) {
        return goneReason != null || c.generation != generation;
    }

    /** The current backend generation. */
    public int generation() {
        return generation;
    }

    /**
     * A supervised backend died and another is being started: ends the current generation, so
     * that every synchronous call sent to the dead backend ends with PeerGoneException and later
     * calls wait for the new one. Called under the lock that serialises the frontend's writes,
     * so no frame of an ended call is written after this. Returns the generation that ended, for
     * {@link #failAsyncOf}, which the caller runs after it let go of that lock.
     */
    public int endGeneration(String reason) {
        restartReason = reason;
        int ended = generation;
        generation = ended + 1;
        return ended;
    }

    /** Completes every asynchronous call sent to generation {@code ended} with PeerGoneException. */
    public void failAsyncOf(int ended, String reason) {
        List<AsyncCall> failed = new ArrayList<>();
        synchronized (pending) {
            for (int i = asyncCalls.size() - 1; i >= 0; i--) {
                AsyncCall a = asyncCalls.get(i);
                if (a.generation == ended) {
                    asyncCalls.remove(i);
                    pending.remove(a.id);
                    failed.add(a);
                }
            }
        }
        for (AsyncCall a : failed) {
            a.future.completeExceptionally(new PeerGoneException("backend gone during remote call "
                + a.method.signature() + ": " + reason));
        }
    }

    /** Answers that came after their call had timed out; for tests. */
    public long dropped() {
        synchronized (pending) {
            return dropped;
        }
    }

    // ------------------------------------------------------------------ async pump

    private void startPump() {
        if (pump != null) {
            LockSupport.unpark(pump);
            return;
        }
        synchronized (this) {
            if (pump == null) {
                Thread t = new Thread(this::pumpLoop, "ipc-remote-" + owner);
                t.setDaemon(true);
                pump = t;
                t.start();
            }
        }
    }

    /** How long the pump waits at most between looks at the async deadlines. */
    private static final long PUMP_TICK_NANOS = 20_000_000L;

    private void pumpLoop() {
        java.util.function.BooleanSupplier ready = () -> !answered.isEmpty() || gone() || pumpAll();
        while (true) {
            completeAnswered();
            boolean waiting;
            long next;
            synchronized (pending) {
                waiting = !asyncCalls.isEmpty();
                next = Long.MAX_VALUE;
                for (AsyncCall a : asyncCalls) {
                    next = Math.min(next, a.deadline);
                }
            }
            if (gone()) {
                frontend.pump(null, true);
                completeAnswered();
                failAsync(new PeerGoneException("backend gone during remote call: " + goneReason));
                return;
            }
            if (!waiting) {
                LockSupport.park(this); // until the next async call or the backend's exit
                continue;
            }
            long now = System.nanoTime();
            SelectBell.frontend().await(ready, Math.min(next, now + PUMP_TICK_NANOS), frontend.waitPeer());
            Thread.interrupted(); // the pump is ended by the backend's exit, never by an interrupt
            expireAsync();
        }
    }

    private boolean pumpAll() {
        frontend.pump(null, false);
        return !answered.isEmpty();
    }

    private void completeAnswered() {
        AsyncCall a;
        while ((a = answered.poll()) != null) {
            a.complete();
        }
    }

    private void expireAsync() {
        long now = System.nanoTime();
        List<AsyncCall> expired = null;
        synchronized (pending) {
            for (int i = asyncCalls.size() - 1; i >= 0; i--) {
                AsyncCall a = asyncCalls.get(i);
                if (now - a.deadline >= 0) {
                    asyncCalls.remove(i);
                    pending.remove(a.id);
                    if (expired == null) {
                        expired = new ArrayList<>();
                    }
                    expired.add(a);
                }
            }
        }
        if (expired != null) {
            for (AsyncCall a : expired) {
                a.future.completeExceptionally(new RemoteTimeoutException("no answer within "
                    + java.time.Duration.ofNanos(a.timeoutNanos) + ": call=" + a.method.signature() + " process=" + owner));
            }
        }
    }

    private void failAsync(RuntimeException e) {
        List<AsyncCall> failed;
        synchronized (pending) {
            failed = new ArrayList<>(asyncCalls);
            for (AsyncCall a : failed) {
                pending.remove(a.id);
            }
            asyncCalls.clear();
        }
        for (AsyncCall a : failed) {
            a.future.completeExceptionally(e);
        }
    }

    /** An asynchronous call in flight: its future, and the answer once read (completed by the pump). */
    private static final class AsyncCall {
        final RemoteApi.RemoteMethod method;
        final CompletableFuture<Object> future;
        final long deadline;
        final long timeoutNanos;
        long id;
        int generation;
        Object value;
        RemoteException error;

        AsyncCall(RemoteApi.RemoteMethod method, CompletableFuture<Object> future, long deadline, long timeoutNanos) {
            this.method = method;
            this.future = future;
            this.deadline = deadline;
            this.timeoutNanos = timeoutNanos;
        }

        void answer(FrameReader answer, boolean failed) {
            if (failed) {
                error = new RemoteException(String.valueOf(answer.getValue(1)), String.valueOf(answer.getValue(2)));
            } else {
                value = answer.getValue(1);
            }
        }

        void complete() {
            if (error != null) {
                future.completeExceptionally(error);
            } else {
                future.complete(value);
            }
        }
    }
}
