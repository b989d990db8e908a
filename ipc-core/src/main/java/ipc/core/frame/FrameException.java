package ipc.core.frame;


import java.util.Objects;

/**
 * A frame that cannot be encoded (at the sender: {@link Reason#OVERSIZED}) or decoded (at the
 * reader: every reason). A reader that meets a bad frame reports it, skips that one excerpt and
 * carries on with the next, so nothing after a bad frame is lost.
 */
public class FrameException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What is wrong with the frame. */
    public enum Reason {
        /** The excerpt is shorter than a header, or a field runs past the frame's end. */
        TRUNCATED,
        /** The first two bytes are not {@link FrameDescriptor#MAGIC}. */
        BAD_MAGIC,
        /** The version byte is not {@link FrameDescriptor#VERSION}. */
        BAD_VERSION,
        /** The header's frame length is larger than the excerpt that holds the frame. */
        LENGTH_PAST_EXCERPT,
        /** A length is impossible: frame length below the header, a negative value length, or bytes left over. */
        BAD_LENGTH,
        /** A type tag that {@link FrameDescriptor} does not define. */
        UNKNOWN_TYPE,
        /** A value byte that its type does not allow (a boolean other than 0 or 1). */
        BAD_VALUE,
        /** Lists and maps nested deeper than {@code MessageObject#MAX_NESTING_DEPTH}. */
        TOO_DEEP,
        /** The frame (or its command, a key, or its field count) is over its limit. */
        OVERSIZED
    }

    private final Reason reason;

    public FrameException(Reason reason, String message) {
        super(Objects.requireNonNull(reason, "reason") + ": " + message);
        this.reason = reason;
    }

    /** What is wrong with the frame. */
    public Reason reason() {
        return reason;
    }
}
