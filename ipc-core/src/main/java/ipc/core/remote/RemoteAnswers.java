package ipc.core.remote;

import ipc.core.channel.ChannelWriter;
import ipc.core.frame.FrameBuilder;
import ipc.core.frame.FrameShape;

/**
 * The backend's answers to typed remote calls, written to the frontend's channel as frames of
 * two shapes:
 * <pre>
 *   "__ret__"  id: LONG, v: the value (its own tag: INT for an int method, STRING, NULL, ...)
 *   "__err__"  id: LONG, class: STRING (the exception's class name), message: STRING or NULL
 * </pre>
 * The frontend's pipe hands them to the waiting call by id and never shows them to
 * {@code recv()}. Thread-safe: each answer is written under the writer's monitor, the same one
 * that {@code send_out__} takes, so that an asynchronous method may answer from any thread.
 * Answering a primitive allocates nothing.
 */
public final class RemoteAnswers {
    public static final String RETURN_COMMAND = "__ret__";
    public static final String ERROR_COMMAND = "__err__";
    public static final FrameShape RETURN = FrameShape.of(RETURN_COMMAND, "id", "v");
    static final FrameShape ERROR = FrameShape.of(ERROR_COMMAND, "id", "class", "message");

    /** An exception message longer than this is cut, so that the error always fits a frame. */
    static final int MAX_MESSAGE_CHARS = 4096;

    private final ChannelWriter out;
    private final FrameBuilder frame = new FrameBuilder(3);

    public RemoteAnswers(ChannelWriter out) {
        this.out = out;
    }

    void answerBoolean(long id, boolean v) {
        synchronized (out) {
            frame.reset(RETURN).putLong(0, id);
            frame.putBoolean(1, v);
            out.write(frame);
        }
    }

    void answerByte(long id, byte v) {
        synchronized (out) {
            frame.reset(RETURN).putLong(0, id);
            frame.putByte(1, v);
            out.write(frame);
        }
    }

    void answerShort(long id, short v) {
        synchronized (out) {
            frame.reset(RETURN).putLong(0, id);
            frame.putShort(1, v);
            out.write(frame);
        }
    }

    void answerChar(long id, char v) {
        synchronized (out) {
            frame.reset(RETURN).putLong(0, id);
            frame.putChar(1, v);
            out.write(frame);
        }
    }

    void answerInt(long id, int v) {
        synchronized (out) {
            frame.reset(RETURN).putLong(0, id);
            frame.putInt(1, v);
            out.write(frame);
        }
    }

    void answerLong(long id, long v) {
        synchronized (out) {
            frame.reset(RETURN).putLong(0, id);
            frame.putLong(1, v);
            out.write(frame);
        }
    }

    void answerFloat(long id, float v) {
        synchronized (out) {
            frame.reset(RETURN).putLong(0, id);
            frame.putFloat(1, v);
            out.write(frame);
        }
    }

    void answerDouble(long id, double v) {
        synchronized (out) {
            frame.reset(RETURN).putLong(0, id);
            frame.putDouble(1, v);
            out.write(frame);
        }
    }

    /** A reference result; one that cannot travel becomes the caller's RemoteException. */
    void answerObject(long id, Object v) {
        synchronized (out) {
            try {
                frame.reset(RETURN).putLong(0, id);
                frame.putReference(1, v);
                out.write(frame);
            } finally {
                frame.clearReferences();
            }
        }
    }

    /** The method threw {@code error}: the caller gets a RemoteException with its class and message. */
    public void answerError(long id, Throwable error) {
        synchronized (out) {
            try {
                frame.reset(ERROR).putLong(0, id);
                frame.putReference(1, error.getClass().getName());
                String message = error.getMessage();
                if (message != null && message.length() > MAX_MESSAGE_CHARS) {
                    message = message.substring(0, MAX_MESSAGE_CHARS) + "...";
                }
                frame.putReference(2, message);
                out.write(frame);
            } finally {
                frame.clearReferences();
            }
        }
    }
}
