package ipc.core;

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
final class RemoteCall implements BooleanSupplier {
    final RemoteCalls calls;
    final FrameBuilder frame = new FrameBuilder(8);
    RemoteApi.RemoteMethod method;
    /** Between begin and release; only the owning thread reads or writes it. */
    boolean inUse;
    /** The frame field of parameter 0: 1 in a call with an answer (field 0 is the id), 0 in a one-way call or a {@code frontend__} message. */
    int firstField = 1;
    /** The id this call waits for; guarded by the calls' lock. */
    long id;
    volatile boolean done;
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
        return done || calls.pumpFor(this) || calls.gone();
    }

    /** Stores the answer frame's value as {@link #method} returns it; called under the calls' lock. */
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

    void reset() {
        frame.clearReferences();
        reference = null;
        error = null;
        method = null;
        waiter = null;
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
