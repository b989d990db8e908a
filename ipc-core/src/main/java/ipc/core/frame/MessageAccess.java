package ipc.core.frame;

import ipc.core.MessageObject;

/**
 * The frame codec's view of a {@link MessageObject}'s insides: its parameters by index (so that
 * encoding allocates no iterator) and a trusted constructor (so that decoding does not copy and
 * check again what the reader has already checked). MessageObject is the user's API and keeps
 * these out of its public signature; it hands this package an implementation when it is
 * initialised, as the JDK's {@code SharedSecrets} do between {@code java.lang} and its
 * implementation packages.
 *
 * <p>{@link #messages()} is a {@code static final} once read, so C2 folds it and, with one
 * implementation loaded, calls the accessors directly.
 */
public abstract class MessageAccess {
    private static volatile MessageAccess registered;

    /** Only {@link MessageObject}'s own nested implementation. */
    protected MessageAccess() {
        if (getClass().getNestHost() != MessageObject.class) {
            throw new IllegalStateException("only MessageObject provides MessageAccess: class=" + getClass().getName());
        }
    }

    /** Called once, by MessageObject's static initialiser. */
    public static void register(MessageAccess access) {
        if (registered != null) {
            throw new IllegalStateException("MessageAccess is registered already");
        }
        registered = access;
    }

    /** The registered accessor; initialises MessageObject first if nothing has yet. */
    public static MessageAccess messages() {
        return Holder.ACCESS;
    }

    private static final class Holder {
        static final MessageAccess ACCESS;

        static {
            try {
                Class.forName(MessageObject.class.getName(), true, MessageObject.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new ExceptionInInitializerError(e);
            }
            ACCESS = registered;
            if (ACCESS == null) {
                throw new ExceptionInInitializerError("MessageObject did not register its MessageAccess");
            }
        }
    }

    /**
     * A message from values that are valid and copied already (the frame reader's). The arrays
     * are held, not copied: {@code keys} and {@code tags} may be shared by every message of one
     * shape ({@link MessageShapes}), which is safe because a MessageObject never changes them or
     * hands them out. {@code tags} must be {@link ValueType#tagsOf the tags of} {@code values}.
     */
    public abstract MessageObject create(String command, String[] keys, byte[] tags, Object[] values);

    public abstract int parameterCount(MessageObject message);

    public abstract String key(MessageObject message, int i);

    public abstract Object value(MessageObject message, int i);

    public abstract byte tag(MessageObject message, int i);
}
