package ipc.core.channel;

import ipc.core.frame.FrameDescriptor;
import ipc.core.Transport;

import java.nio.file.Path;

/**
 * How {@link Channel#create(ChannelOptions)} builds a channel (the frontend side; the backend's
 * {@link Channel#open} reads everything from the control segment).
 *
 * @param directory     the channel directory to create (must not exist; its parent must), or
 *                      null for a fresh {@code ShmDirectory.root()/ch-<pid>-<n>}. A directory outside
 *                      the root is not found by {@code ShmDirectory.cleanStale()} after a crash.
 * @param maxFrameBytes the frame size limit of both directions: a larger message is refused
 *                      by {@link ChannelWriter#write} (FrameException OVERSIZED), a larger frame
 *                      on the queue is skipped by {@link ChannelReader#poll} as bad
 * @param b2fBell       the bell the backend rings after each backend-to-frontend write, or null
 *                      for a bell word of the channel's own (in its control segment)
 * @param journal       keep both queues: no side deletes a cycle file it has read, and close
 *                      removes only the control segment ({@code MessageProcess.setJournal})
 * @param name          the process's name, recorded in the control segment for
 *                      {@code ipc.core.tool.Ipc list}; may be null
 * @param transport     what carries the frames: Chronicle queues (the only one that can be a
 *                      journal) or rings ({@link Transport})
 */
public record ChannelOptions(Path directory, int maxFrameBytes, SelectBell b2fBell, boolean journal, String name,
                             Transport transport) {
    public ChannelOptions {
        FrameDescriptor.checkMaxFrameBytes(maxFrameBytes);
        java.util.Objects.requireNonNull(transport, "transport");
    }

    /** Options on the CHRONICLE transport. */
    public ChannelOptions(Path directory, int maxFrameBytes, SelectBell b2fBell, boolean journal, String name) {
        this(directory, maxFrameBytes, b2fBell, journal, name, Transport.CHRONICLE);
    }

    /**
     * A fresh directory under the root, the limit from {@link FrameDescriptor#maxFrameBytesFromSystemProperty()},
     * the channel's own b2f bell, the CHRONICLE transport.
     */
    public static ChannelOptions defaults() {
        return new ChannelOptions(null, FrameDescriptor.maxFrameBytesFromSystemProperty(), null, false, null,
            Transport.CHRONICLE);
    }

    public ChannelOptions withDirectory(Path directory) {
        return new ChannelOptions(directory, maxFrameBytes, b2fBell, journal, name, transport);
    }

    public ChannelOptions withMaxFrameBytes(int maxFrameBytes) {
        return new ChannelOptions(directory, maxFrameBytes, b2fBell, journal, name, transport);
    }

    public ChannelOptions withB2fBell(SelectBell b2fBell) {
        return new ChannelOptions(directory, maxFrameBytes, b2fBell, journal, name, transport);
    }

    /** A journal ({@link #journal}) in {@code directory}. */
    public ChannelOptions asJournal(Path directory) {
        return new ChannelOptions(directory, maxFrameBytes, b2fBell, true, name, transport);
    }

    /** On {@code transport}. */
    public ChannelOptions withTransport(Transport transport) {
        return new ChannelOptions(directory, maxFrameBytes, b2fBell, journal, name, transport);
    }

    /** With the process's name, for {@code ipc.core.tool.Ipc list}. */
    public ChannelOptions withName(String name) {
        return new ChannelOptions(directory, maxFrameBytes, b2fBell, journal, name, transport);
    }
}
