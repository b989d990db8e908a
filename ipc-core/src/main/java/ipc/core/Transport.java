package ipc.core;

import java.util.Locale;

/**
 * What carries a process's frames between its frontend and its backend
 * ({@link MessageProcess#setTransport}). Every feature works the same on both: pipes, dispatch,
 * typed calls, {@code safeSelect}, EventGroups, end of stream, faults, supervised restart.
 */
public enum Transport {
    /**
     * Chronicle Queue, one per direction (the default): memory-mapped files that can be kept as a
     * journal ({@link MessageProcess#setJournal}).
     */
    CHRONICLE,
    /**
     * A single-producer single-consumer ring per direction in a shared-memory file of the
     * channel: the lowest latency, no journal. A full ring makes the sender wait, never drop; a
     * frame larger than the ring can ever hold is refused at the sender (native-notes/ring.md).
     */
    RING;

    /** {@code -Dipc.transport=ring|chronicle}: the transport of processes that choose none. */
    public static final String PROPERTY = "ipc.transport";

    /**
     * The transport named by {@link #PROPERTY}, or CHRONICLE when it is not set.
     *
     * @throws IllegalArgumentException naming the property when its value is neither name
     */
    static Transport fromSystemProperty() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return CHRONICLE;
        }
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "chronicle" -> CHRONICLE;
            case "ring" -> RING;
            default -> throw new IllegalArgumentException("unknown transport: " + PROPERTY + "=" + value
                + " (expected ring or chronicle)");
        };
    }
}
