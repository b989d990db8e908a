package ipc.core.remote;

import ipc.core.frame.FrameBuilder;
import ipc.core.frame.FrameReader;
import ipc.core.RemoteException;

import java.util.function.BooleanSupplier;

/**
 * One typed remote call in flight, or a pooled one between calls: the request being built (the
 * generated proxy puts each argument into {@link #frame}), the id it was sent under, and the
 * answer once it has come. Reused call after call ({@link RemoteCalls} pools them), so a call
 * of primitives allocates nothing.
 *
 * <p>Threads: the calling thread fills, sends and waits; whichever frontend thread reads the
 * channel (this one, another caller, the pipe's reader) stores the answer under
 * {@link RemoteCalls}' lock and then sets {@link #done} (volatile), which publishes the fields.
 *
 * <p>The {@code put*} methods are what the generated proxy calls, one per argument; in a call
 * with an answer field 0 is the id, so argument j goes to field j + 1 (in a one-way call and a
 * {@code frontend__} message, which have no id, to field j).
 */
public final class RemoteCall implements BooleanSupplier {
    final RemoteCalls calls;
    final FrameBuilder frame = new FrameBuilder(8);
    RemoteApi.RemoteMethod method;
    /** Between begin and release; only the owning thread reads or writes it. */
    boolean inUse;
    /** The frame field of parameter 0: 1 in a call with an answer (field 0 is the id), 0 in a one-way call or a {@code frontend__} message. */
    int firstField = 1;
    /**
     * The id this call waits for: written before the call is registered (the registration's
     * compare-and-set publishes it), read by the thread that routes answers.
     */
    long id;
    /** WAITING, then ANSWERED (a router claimed it) or ABANDONED (the caller gave up first). */
    private volatile int state;
    private static final int WAITING = 0;
    private static final int ANSWERED = 1;
    private static final int ABANDONED = 2;
    private static final java.lang.invoke.VarHandle STATE;

    static {
        try {
            STATE = java.lang.invoke.MethodHandles.lookup().findVarHandle(RemoteCall.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    public volatile boolean done;
    /** The backend generation this call was sent to ({@link RemoteCalls#generation()}); a restart ends the call. */
    int generation;
    /** The thread that waits for the answer (a reader that stores it from another thread rings the bell). */
    Thread waiter;
    long longValue;
    double doubleValue;
    Object reference;
    RemoteException error;

    /** @param calls null for a {@code frontend__} message builder, which waits for nothing */
    RemoteCall(RemoteCalls calls) {
        this.calls = calls;
    }

    /** The wait's condition: answered, or read the channel and now answered, or the backend is gone. */
    @Override
    public boolean getAsBoolean() {
        return done || calls.pumpFor(this) || calls.goneFor(this);
    }

    /** Before registering: a new wait. */
    void waiting() {
        state = WAITING;
    }

    /** A router takes the answer for this call; false when the caller has given up. */
    boolean claim() {
        return STATE.compareAndSet(this, WAITING, ANSWERED);
    }

    /** The caller gives up; false when a router has claimed the answer first. */
    boolean abandon() {
        return STATE.compareAndSet(this, WAITING, ABANDONED);
    }

    /**
     * Stores the answer frame's value as {@link #method} returns it, then sets {@link #done}; called
     * by the router that claimed the call (or removed it from the map under its lock).
     */
    void answer(FrameReader answer, boolean failed) {
        if (failed) {
            Object className = answer.getValue(1);
            Object message = answer.getValue(2);
            error = new RemoteException(String.valueOf(className), String.valueOf(message));
        } else {
            switch (method.result()) {
                case BOOLEAN -> longValue = answer.getBoolean(1) ? 1 : 0;
                case CHAR -> longValue = answer.getChar(1);
                case BYTE, SHORT, INT, LONG -> longValue = answer.getLong(1);
                case FLOAT, DOUBLE -> doubleValue = answer.getDouble(1);
                default -> reference = answer.getValue(1);
            }
        }
           done = true;
    }

    /**
     * Lets go of what the last call held. The method and the waiting thread stay (the next call of
     * this thread sets them again, usually to the same): a reference store is a GC barrier, and a
     * stream of calls would pay two per call for nothing.
     */
    void reset() {
        frame.clearReferences();
        if (reference != null) {
            reference = null;
        }
        if (error != null) {
            error = null;
        }
    }

    Thread waiterOf() {
        return waiter;
    }

    // --- the generated proxy's argument puts ---

    void putBoolean(int parameter, boolean v) {
        frame.putBoolean(parameter + firstField, v);
    }

    void putByte(int parameter, byte v) {
        frame.putByte(parameter + firstField, v);
    }

    void putShort(int parameter, short v) {
        frame.putShort(parameter + firstField, v);
    }

    void putChar(int parameter, char v) {
        frame.putChar(parameter + firstField, v);
    }

    void putInt(int parameter, int v) {
        frame.putInt(parameter + firstField, v);
    }

    void putLong(int parameter, long v) {
        frame.putLong(parameter + firstField, v);
    }

    void putFloat(int parameter, float v) {
        frame.putFloat(parameter + firstField, v);
    }

    void putDouble(int parameter, double v) {
        frame.putDouble(parameter + firstField, v);
    }

    void putReference(int parameter, Object v) {
        frame.putReference(parameter + firstField, v);
    }
}
