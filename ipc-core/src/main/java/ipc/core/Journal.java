package ipc.core;

import ipc.core.channel.Channel;
import ipc.core.channel.chronicle.QueueFrames;
import ipc.core.launch.JvmFlags;
import ipc.core.remote.RemoteApi;
import ipc.core.remote.RemoteDispatcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A process's recorded traffic ({@link MessageProcess#setJournal}), read back: the frontend's
 * messages to the backend and the backend's to the frontend, each direction in the order sent.
 *
 * <p>What a journal is: the process's channel directory, kept. Its {@code f2b} and {@code b2f}
 * subdirectories are the two Chronicle queues the frames travelled on (one roll-cycle file per
 * second of traffic, {@code yyyyMMdd-HHmmss'T'.cq4}, and the queue's {@code metadata.cq4t});
 * each excerpt is one frame ({@link ipc.core.frame.FrameDescriptor}). The library's own frames are left out:
 * the start state ({@code __init__}), the handshake ({@code __ready__}), the stop request
 * ({@code __stop__}) and the answers to typed calls ({@code __ret__}, {@code __err__}). A typed
 * remote call stays in {@link #toBackend()} as the frame it was: command
 * {@code "__c:<method>"} (with its descriptor where the class overloads the name), field
 * {@code id} (absent in a one-way call), then the
 * arguments by parameter name.
 *
 * <p>Reading opens both queues read-only; a journal may be read while its process still runs
 * (what has been committed so far). Not thread-safe.
 */
public final class Journal implements AutoCloseable {
    private final Path directory;
    private final QueueFrames toBackend;
    private final QueueFrames toFrontend;

    private Journal(Path directory, QueueFrames toBackend, QueueFrames toFrontend) {
        this.directory = directory;
        this.toBackend = toBackend;
        this.toFrontend = toFrontend;
    }

    /**
     * Opens the journal in {@code dir}.
     *
     * @throws IllegalArgumentException naming the directory when it holds no journal (no
     *         {@code f2b} and {@code b2f} queues)
     */
    public static Journal open(Path dir) {
        Objects.requireNonNull(dir, "dir");
        Path d = dir.toAbsolutePath();
        if (!QueueFrames.isQueue(d.resolve(Channel.F2B)) || !QueueFrames.isQueue(d.resolve(Channel.B2F))) {
            throw new IllegalArgumentException("no journal in directory (a journal holds the queues " + Channel.F2B
                + "/ and " + Channel.B2F + "/ of MessageProcess.setJournal): dir=" + d);
        }
        JvmFlags.check();
        QueueFrames f2b = QueueFrames.openReadOnly(d.resolve(Channel.F2B));
        try {
            return new Journal(d, f2b, QueueFrames.openReadOnly(d.resolve(Channel.B2F)));
        } catch (RuntimeException | Error e) {
            f2b.close();
            throw e;
        }
    }

    /** The frontend's messages to the backend, in order (a new pass from the start on each iteration). */
    public Iterable<MessageObject> toBackend() {
        return () -> new Frames(toBackend, true);
    }

    /** The backend's messages to the frontend, in order. */
    public Iterable<MessageObject> toFrontend() {
        return () -> new Frames(toFrontend, false);
    }

    /**
     * Sends every recorded frontend-to-backend message, in order, to {@code started} (a started
     * process, usually a new one of the same class): the messages through the same path as
     * {@code sendMessageToBack}, a typed call as the call it was, without an id (one-way: its
     * answer, if the method has one, is dropped on arrival). Returns how many were sent.
     *
     * @throws IllegalStateException as {@code sendMessageToBack} (not started, stopping, exited)
     */
    public long replayInto(MessageProcess started) {
        Objects.requireNonNull(started, "started");
        Frontend frontend = started.frontendFor("replayInto");
        long sent = 0;
        RemoteDispatcher calls = RemoteDispatcher.of(started.getClass());
        for (MessageObject m : toBackend()) {
            frontend.send(m.command().startsWith(RemoteApi.CALL_PREFIX) ? withoutId(m, calls) : m);
            sent++;
        }
        return sent;
    }

    /** The journal's directory. */
    public Path directory() {
        return directory;
    }

    @Override
    public void close() {
        try {
            toBackend.close();
        } finally {
            toFrontend.close();
        }
    }

    @Override
    public String toString() {
        return "<Journal: " + directory + ">";
    }

    /**
     * Makes {@code dir} ready to be a process's journal: creates its parent directories when
     * missing, and removes it when it is an empty directory (the channel creates it owner-only).
     *
     * @throws IllegalStateException when it exists and is not an empty directory
     */
    static Path prepareDirectory(Path dir) {
        try {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> entries = Files.list(dir)) {
                    if (entries.findAny().isPresent()) {
                        throw new IllegalStateException("journal directory is not empty (a journal is kept, never"
                            + " overwritten: choose a new directory): dir=" + dir);
                    }
                }
                Files.delete(dir);
            } else if (Files.exists(dir)) {
                throw new IllegalStateException("journal path exists and is not a directory: dir=" + dir);
            }
            Path parent = dir.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare the journal directory: dir=" + dir + " cause=" + e, e);
        }
    }

    /**
     * A recorded call with an answer, its id made 0 (no call of the new process waits for 0, so
     * the answer is dropped); a one-way call (no id field: its first field is a parameter, which
     * may be named "id") as it is.
     */
    private static MessageObject withoutId(MessageObject call, RemoteDispatcher calls) {
        RemoteDispatcher.Entry method = calls.find(call.command());
        if (method == null || method.method().oneWay() || !call.has(RemoteApi.ID_KEY)) {
            return call; // unknown to this class: the backend answers it with an error, as it would have
        }
        Map<String, Object> ordered = new LinkedHashMap<>();
        ordered.put(RemoteApi.ID_KEY, 0L);
        call.kwargs().forEach((k, v) -> {
            if (!k.equals(RemoteApi.ID_KEY)) {
                ordered.put(k, v);
            }
        });
        return new MessageObject(call.command(), ordered);
    }

    /** One pass over one direction: a tailer of its own, closed at the end of the pass. */
    private static final class Frames implements Iterator<MessageObject> {
        private final QueueFrames.Cursor tailer;
        private final boolean toBackend;
        private MessageObject next;
        private boolean done;

        Frames(QueueFrames queue, boolean toBackend) {
            this.tailer = queue.fromStart();
            this.toBackend = toBackend;
        }

        @Override
        public boolean hasNext() {
            if (next == null && !done) {
                next = tailer.nextUserMessage(toBackend);
                if (next == null) {
                    done = true;
                    tailer.close();
                }
            }
            return next != null;
        }

        @Override
        public MessageObject next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            MessageObject m = next;
            next = null;
            return m;
        }
    }

}
