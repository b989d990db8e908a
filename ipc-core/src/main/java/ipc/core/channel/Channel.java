package ipc.core.channel;

import ipc.core.channel.chronicle.ChronicleDefaults;
import ipc.core.channel.chronicle.ChronicleInbound;
import ipc.core.channel.chronicle.ChronicleOutbound;
import ipc.core.frame.FrameDescriptor;
import ipc.core.frame.FrameInbound;
import ipc.core.frame.FrameOutbound;
import ipc.core.channel.ring.FrameRing;
import ipc.core.launch.JvmFlags;
import ipc.core.channel.chronicle.QueueDirection;
import ipc.core.channel.ring.RingInbound;
import ipc.core.channel.ring.RingOutbound;
import ipc.core.Transport;

import ipc.sync.Doorbell;
import ipc.sync.OwnedEntries;
import ipc.sync.SharedMapping;
import ipc.sync.ShmDirectory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A two-way message channel between a frontend process and one backend process: one Chronicle
 * Queue per direction plus a small control segment, all in one directory.
 *
 * <pre>
 *   ShmDirectory.root()/ch-&lt;frontend pid&gt;-&lt;n&gt;/    0700
 *     control     0600   ChannelDescriptor: pids, state, doorbells
 *     f2b/        0700   frontend to backend queue (cycle files *.cq4 and metadata.cq4t, 0600)
 *     b2f/        0700   backend to frontend queue
 * </pre>
 *
 * <p>The frontend {@link #create creates} the channel (and owns the directory); the backend
 * {@link #open opens} it by path. Each side gets a {@link #writer()} for its outbound direction
 * and a {@link #reader()} for its inbound one. A writer rings its direction's doorbell after
 * each frame; the f2b bell is a word in the control segment, the b2f bell is either one too or a
 * frontend's {@link SelectBell} shared by many channels.
 *
 * <p>Threads: the writer and the reader are each used by one thread at a time; {@link #close()}
 * comes after the threads that use them have stopped (a write racing a close fails with an
 * IllegalStateException, or Chronicle's subclass of it).
 *
 * <p>Lifecycle: {@link #close()} is idempotent; the creator's close marks the control segment
 * CLOSED and deletes the directory, the opener's close only unmaps. A creator that exits normally
 * without closing has the directory deleted by {@link OwnedEntries}'s exit hook; an opener's exit
 * never deletes it. A directory whose creator died is deleted by the next
 * {@link ShmDirectory#cleanStale()}, which every create path runs (a process's start also sweeps
 * {@link ipc.core.SharedMemory} segments of dead creators, just before it creates its channel).
 * Roll-cycle files are deleted by the reading side as soon as it has read past them.
 *
 * <p>This class and its writer and reader are the adapter that keeps Chronicle Queue's types
 * inside; nothing of Chronicle appears in their public signatures.
 */
public final class Channel implements AutoCloseable, RingOutbound.Link {
    /** Directory of the frontend-to-backend queue, inside the channel directory. */
    public static final String F2B = "f2b";
    /** Directory of the backend-to-frontend queue. */
    public static final String B2F = "b2f";
    /** The control segment's file. */
    public static final String CONTROL = "control";

    /** Lifecycle of the channel, as recorded in the control segment (ordinals are the stored values). */
    public enum State {
        UNPUBLISHED, READY, ATTACHED, CLOSED;

        static State of(int stored) {
            return stored >= 0 && stored < values().length ? values()[stored] : CLOSED;
        }
    }

    private final Path directory;
    private final boolean creator;
    /** A journal: both queues are kept when the channel closes (only the control segment goes). */
    private final boolean journal;
    private final SharedMapping control;
    private final SelectBell openedBell;
    private final Transport transport;
    /** What each direction's transport holds open (Chronicle queues, ring mappings), closed after the writer and reader. */
    private final AutoCloseable outbound;
    private final AutoCloseable inbound;
    private final ChannelWriter writer;
    private final ChannelReader reader;
    private final WaitPeer waitPeer;
    /**
     * The creator of a journal channel: its pointer under the root ({@link #JOURNAL_POINTER_KIND}),
     * so that the command line's {@code list} finds a channel outside the root; else null.
     */
    private Path journalPointer;
    private volatile boolean closed;

    /**
     * Name kind of a journal channel's pointer under {@link ShmDirectory#root()}: a file
     * {@code jr-<pid>-<n>} (0600) holding the channel directory's absolute path, UTF-8, removed
     * with the channel (or by the stale sweep when its creator died).
     */
    public static final String JOURNAL_POINTER_KIND = "jr";

    private Channel(Path directory, boolean creator, SharedMapping control, SelectBell openedBell,
                    Object outbound, Object inbound, Doorbell outboundBell, Doorbell inboundBell,
                    int maxFrameBytes) {
        this.directory = directory;
        this.creator = creator;
        int flags = control.segment().get(ValueLayout.JAVA_INT, ChannelDescriptor.FLAGS_OFFSET);
        this.journal = (flags & ChannelDescriptor.FLAG_JOURNAL) != 0;
        this.transport = (flags & ChannelDescriptor.FLAG_RING) != 0 ? Transport.RING : Transport.CHRONICLE;
        this.control = control;
        this.openedBell = openedBell;
        this.outbound = (AutoCloseable) outbound;
        this.inbound = (AutoCloseable) inbound;
        this.waitPeer = WaitPeer.of(control.segment(), creator);
        FrameOutbound out = outbound instanceof QueueDirection queue
            ? new ChronicleOutbound(queue.createAppender(), queue.space())
            : new RingOutbound(this, (FrameRing) outbound);
        FrameInbound in = inbound instanceof QueueDirection queue
            ? new ChronicleInbound(queue.createTailer(), queue.reaper())
            : new RingInbound((FrameRing) inbound);
        this.writer = new ChannelWriter(this, out, outboundBell, maxFrameBytes,
            control.segment(), creator ? ChannelDescriptor.F2B_WRITTEN_OFFSET : ChannelDescriptor.B2F_WRITTEN_OFFSET);
        this.reader = new ChannelReader(this, in, inboundBell, maxFrameBytes,
            control.segment(), creator ? ChannelDescriptor.B2F_READ_OFFSET : ChannelDescriptor.F2B_READ_OFFSET);
    }

    /** The ring files of a RING channel, in its directory. */
    public static final String F2B_RING = "f2b.ring";
    public static final String B2F_RING = "b2f.ring";

    /** The frontend side of a new channel with {@link ChannelOptions#defaults()}. */
    public static Channel create() {
        return create(ChannelOptions.defaults());
    }

    /**
     * Creates a channel directory and its queues, and publishes the control segment; the caller
     * is the frontend (it writes f2b and reads b2f).
     *
     * @throws ipc.sync.OutOfSpaceException naming the directory, the bytes needed and the bytes free
     *         when the filesystem cannot back the channel's files (nothing is left behind)
     * @throws IllegalStateException naming the missing flag and {@code ipc-core/jvm.options} when
     *         the JVM was started without the flags Chronicle Queue needs, or naming the path when
     *         the directory cannot be created (exists already, parent missing or not writable)
     */
    public static Channel create(ChannelOptions options) {
        return create(options, null);
    }

    /**
     * {@link #create(ChannelOptions)} with doorbells whose longest single park is {@code parkSlice}
     * (null: {@link Doorbell}'s default): for tests that must see a lost wake-up fail.
     */
    public static Channel create(ChannelOptions options, java.time.Duration parkSlice) {
        Objects.requireNonNull(options, "options");
        boolean ring = options.transport() == Transport.RING;
        if (ring && options.journal()) {
            throw new IllegalArgumentException("a journal needs the CHRONICLE transport: the RING keeps nothing it has "
                + "delivered: journal=" + options.directory());
        }
        int ringCapacity = ring ? FrameRing.capacityFromSystemProperty() : 0;
        JvmFlags.check();
        if (!ring) {
            ChronicleDefaults.apply();
        }
        ShmDirectory.cleanStale();
        Path dir = options.directory() != null ? options.directory().toAbsolutePath()
            : ShmDirectory.root().resolve(ShmDirectory.uniqueName("ch"));
        List<AutoCloseable> opened = new ArrayList<>();
        boolean created = false;
        try {
            ShmDirectory.createPrivateDirectory(dir);
            // removed at this JVM's exit if close() never comes; of a journal, only the control segment
            OwnedEntries.add(options.journal() ? dir.resolve(CONTROL) : dir);
            created = true;
            SharedMapping control = SharedMapping.create(dir.resolve(CONTROL), ChannelDescriptor.SIZE);
            opened.add(control);
            MemorySegment c = control.segment();
            c.set(ValueLayout.JAVA_INT, ChannelDescriptor.MAGIC_OFFSET, ChannelDescriptor.MAGIC);
            c.set(ValueLayout.JAVA_INT, ChannelDescriptor.VERSION_OFFSET, ChannelDescriptor.VERSION);
            c.set(ValueLayout.JAVA_INT, ChannelDescriptor.MAX_FRAME_BYTES_OFFSET, options.maxFrameBytes());
            c.set(ValueLayout.JAVA_LONG, ChannelDescriptor.FRONTEND_PID_OFFSET, ProcessHandle.current().pid());
            WaitPeer.clear(c);
            c.set(ValueLayout.JAVA_INT, ChannelDescriptor.FLAGS_OFFSET, (options.journal() ? ChannelDescriptor.FLAG_JOURNAL : 0)
                | (ring ? ChannelDescriptor.FLAG_RING : 0));
            if (options.name() != null) {
                ChannelDescriptor.putName(c, options.name());
            }
            Doorbell b2fBell;
            if (options.b2fBell() != null) {
                byte[] path = ChannelDescriptor.checkBellPath(options.b2fBell().path().toAbsolutePath().toString());
                MemorySegment.copy(path, 0, c, ValueLayout.JAVA_BYTE, ChannelDescriptor.B2F_BELL_PATH_OFFSET, path.length);
                c.set(ValueLayout.JAVA_INT, ChannelDescriptor.B2F_BELL_PATH_LENGTH_OFFSET, path.length);
                c.set(ValueLayout.JAVA_LONG, ChannelDescriptor.B2F_BELL_OFFSET_OFFSET, SelectBell.BELL_OFFSET);
                b2fBell = options.b2fBell().doorbell();
            } else {
                c.set(ValueLayout.JAVA_LONG, ChannelDescriptor.B2F_BELL_OFFSET_OFFSET, ChannelDescriptor.B2F_BELL_OFFSET);
                b2fBell = new Doorbell(c, ChannelDescriptor.B2F_BELL_OFFSET);
            }
            b2fBell = sliced(b2fBell, parkSlice);
            AutoCloseable f2b;
            AutoCloseable b2f;
            if (ring) {
                f2b = FrameRing.create(dir.resolve(F2B_RING), ringCapacity);
                opened.add(f2b);
                b2f = FrameRing.create(dir.resolve(B2F_RING), ringCapacity);
                opened.add(b2f);
            } else {
                ShmDirectory.createPrivateDirectory(dir.resolve(F2B));
                ShmDirectory.createPrivateDirectory(dir.resolve(B2F));
                f2b = QueueDirection.forWriting(dir.resolve(F2B), true, options.maxFrameBytes());
                opened.add(f2b);
                b2f = QueueDirection.forReading(dir.resolve(B2F), true, options.maxFrameBytes(), options.journal());
                opened.add(b2f);
            }
            Channel channel = new Channel(dir, true, control, null, f2b, b2f,
                sliced(new Doorbell(c, ChannelDescriptor.F2B_BELL_OFFSET), parkSlice), b2fBell, options.maxFrameBytes());
            if (options.journal()) {
                channel.journalPointer = writeJournalPointer(dir);
            }
            ChannelDescriptor.stateRelease(c, ChannelDescriptor.STATE_READY);
            return channel;
        } catch (RuntimeException | Error e) {
            closeAll(opened, e);
            if (created) {
                deleteQuietly(dir, e);
            }
            throw e;
        }
    }

    /**
     * Opens the channel in {@code directory} as its backend (it reads f2b and writes b2f).
     *
     * @throws IllegalStateException when the flags are missing (naming them and
     *         {@code ipc-core/jvm.options}), when the directory holds no published channel, or when
     *         the channel already has a backend
     */
    public static Channel open(Path directory) {
        return open(directory, null);
    }

    /** {@link #open(Path)} with doorbells whose longest single park is {@code parkSlice} (null: the default). */
    public static Channel open(Path directory, java.time.Duration parkSlice) {
        Objects.requireNonNull(directory, "directory");
        JvmFlags.check();
        Path dir = directory.toAbsolutePath();
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            SharedMapping control = SharedMapping.open(dir.resolve(CONTROL));
            opened.add(control);
            MemorySegment c = control.segment();
            ChannelDescriptor.checkSize(control.size());
            int state = ChannelDescriptor.stateAcquire(c);
            if (state != ChannelDescriptor.STATE_READY) {
                throw new IllegalStateException("channel is not open for a backend: directory=" + dir + ", state="
                    + State.of(state));
            }
            ChannelDescriptor.checkHeader(c);
            int maxFrameBytes = FrameDescriptor.checkMaxFrameBytes(
                c.get(ValueLayout.JAVA_INT, ChannelDescriptor.MAX_FRAME_BYTES_OFFSET));
            SelectBell bell = null;
            Doorbell b2fBell;
            int pathLength = c.get(ValueLayout.JAVA_INT, ChannelDescriptor.B2F_BELL_PATH_LENGTH_OFFSET);
            if (pathLength > 0) {
                if (pathLength > ChannelDescriptor.BELL_PATH_CAPACITY) {
                    throw new IllegalStateException("bad bell path length in control segment: length=" + pathLength);
                }
                byte[] path = new byte[pathLength];
                MemorySegment.copy(c, ValueLayout.JAVA_BYTE, ChannelDescriptor.B2F_BELL_PATH_OFFSET, path, 0, pathLength);
                bell = SelectBell.open(Path.of(new String(path, StandardCharsets.UTF_8)));
                opened.add(bell);
                b2fBell = bell.doorbell();
            } else {
                b2fBell = new Doorbell(c, ChannelDescriptor.B2F_BELL_OFFSET);
            }
            b2fBell = sliced(b2fBell, parkSlice);
            int flags = c.get(ValueLayout.JAVA_INT, ChannelDescriptor.FLAGS_OFFSET);
            AutoCloseable b2f;
            AutoCloseable f2b;
            if ((flags & ChannelDescriptor.FLAG_RING) != 0) {
                b2f = FrameRing.open(dir.resolve(B2F_RING));
                opened.add(b2f);
                f2b = FrameRing.open(dir.resolve(F2B_RING));
                opened.add(f2b);
            } else {
                ChronicleDefaults.apply();
                boolean journal = (flags & ChannelDescriptor.FLAG_JOURNAL) != 0;
                b2f = QueueDirection.forWriting(dir.resolve(B2F), false, maxFrameBytes);
                opened.add(b2f);
                f2b = QueueDirection.forReading(dir.resolve(F2B), false, maxFrameBytes, journal);
                opened.add(f2b);
            }
            Channel channel = new Channel(dir, false, control, bell, b2f, f2b, b2fBell,
                sliced(new Doorbell(c, ChannelDescriptor.F2B_BELL_OFFSET), parkSlice), maxFrameBytes);
            c.set(ValueLayout.JAVA_LONG, ChannelDescriptor.BACKEND_PID_OFFSET, ProcessHandle.current().pid());
            if (!ChannelDescriptor.stateCompareAndSet(c, ChannelDescriptor.STATE_READY, ChannelDescriptor.STATE_ATTACHED)) {
                channel.close();
                throw new IllegalStateException("channel was taken or closed while opening: directory=" + dir
                    + ", state=" + ChannelDescriptor.stateAcquire(c));
            }
            return channel;
        } catch (RuntimeException | Error e) {
            closeAll(opened, e);
            throw e;
        }
    }

    /** This side's outbound writer (frontend: f2b, backend: b2f). */
    public ChannelWriter writer() {
        return writer;
    }

    /** This side's inbound reader (frontend: b2f, backend: f2b). */
    public ChannelReader reader() {
        return reader;
    }

    /** This side's wait-CPU hints (which core each side waits on), for {@link SpinWait}. */
    public WaitPeer waitPeer() {
        return waitPeer;
    }

    /** The channel directory. */
    @Override
    public Path directory() {
        return directory;
    }

    /** True on the frontend side (the one that created the directory). */
    public boolean isCreator() {
        return creator;
    }

    /** The frontend's pid, from the control segment. */
    public long frontendPid() {
        return control.segment().get(ValueLayout.JAVA_LONG, ChannelDescriptor.FRONTEND_PID_OFFSET);
    }

    /** The backend's pid once a backend has opened the channel, else 0. */
    public long backendPidAcquire() {
        return stateAcquire() == State.ATTACHED
            ? control.segment().get(ValueLayout.JAVA_LONG, ChannelDescriptor.BACKEND_PID_OFFSET) : 0;
    }

    /**
     * Frontend, after its backend died: offers the channel to the next backend that opens it
     * (ATTACHED back to READY; a backend that died before it attached left READY). The queues
     * keep everything: the next backend reads on from where it is told to resume.
     *
     * @throws IllegalStateException on the backend's side, or when the channel is closed
     */
    public void offerToNewBackend() {
           checkOpen();
        if (!creator) {
            throw new IllegalStateException("only the frontend offers its channel to a new backend: " + this);
        }
        MemorySegment c = control.segment();
        c.set(ValueLayout.JAVA_LONG, ChannelDescriptor.BACKEND_PID_OFFSET, 0);
        if (!ChannelDescriptor.stateCompareAndSet(c, ChannelDescriptor.STATE_ATTACHED, ChannelDescriptor.STATE_READY)
            && ChannelDescriptor.stateAcquire(c) != ChannelDescriptor.STATE_READY) {
            throw new IllegalStateException("channel cannot take a new backend: state="
                + State.of(ChannelDescriptor.stateAcquire(c)) + ": " + this);
        }
    }

    /** A word of the control segment (acquire): the backend's progress and counters. */
    public long controlWord(long offset) {
           checkOpen();
        return ChannelDescriptor.counterAcquire(control.segment(), offset);
    }

    /** The state word (an acquire read): a backend sees CLOSED once the frontend has closed. */
    public State stateAcquire() {
           checkOpen();
        return State.of(ChannelDescriptor.stateAcquire(control.segment()));
    }

    /** True after {@link #close()}. */
    public boolean isClosed() {
        return closed;
    }

    @Override
    public void checkOpen() {
        if (closed) {
            throw new IllegalStateException("channel is closed: directory=" + directory);
        }
    }

    /**
     * Closes both directions and unmaps the control segment; the creator first marks the channel
     * CLOSED, then deletes the directory. Idempotent; failures are thrown after everything has
     * been tried (later ones suppressed).
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (creator) {
                ChannelDescriptor.stateRelease(control.segment(), ChannelDescriptor.STATE_CLOSED);
            }
            closed = true;
        }
        RuntimeException failure = null;
        failure = run(writer::close, failure);
        failure = run(reader::close, failure);
        failure = run(() -> closeQuietly(outbound), failure);
        failure = run(() -> closeQuietly(inbound), failure);
        failure = run(control::close, failure);
        if (openedBell != null) {
            failure = run(openedBell::close, failure);
        }
        if (creator) {
            failure = run(() -> OwnedEntries.remove(journal ? directory.resolve(CONTROL) : directory), failure);
            if (journalPointer != null) {
                failure = run(() -> OwnedEntries.remove(journalPointer), failure);
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static Path writeJournalPointer(Path dir) {
        Path pointer = ShmDirectory.root().resolve(ShmDirectory.uniqueName(JOURNAL_POINTER_KIND));
        ShmDirectory.createPrivateFile(pointer);
        OwnedEntries.add(pointer);
        try {
            java.nio.file.Files.writeString(pointer, dir.toString(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            OwnedEntries.remove(pointer);
            throw new java.io.UncheckedIOException("cannot write the journal pointer: " + pointer, e);
        }
        return pointer;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("cannot close " + c + ": " + e, e);
        }
    }

    /** The transport of both directions. */
    public Transport transport() {
        return transport;
    }

    /**
     * Set by the frontend when its backend has exited for good ({@link #markPeerGone}); read by a
     * writer that waits for a full ring.
     */
    private volatile boolean peerGone;

    /** The frontend: its backend has exited and no restart follows. */
    public void markPeerGone() {
        peerGone = true;
    }

    /**
     * True when the other side can no longer read: on the frontend, its backend has exited for
     * good; on the backend, the frontend process is gone.
     */
    @Override
    public boolean peerGone() {
        if (creator) {
            return peerGone;
        }
        return !ProcessHandle.of(frontendPid()).map(ProcessHandle::isAlive).orElse(false);
    }

    private static Doorbell sliced(Doorbell bell, java.time.Duration parkSlice) {
        return parkSlice == null ? bell : bell.withParkSlice(parkSlice);
    }

    private static RuntimeException run(Runnable step, RuntimeException failure) {
        try {
            step.run();
        } catch (RuntimeException e) {
            if (failure == null) {
                return e;
            }
            failure.addSuppressed(e);
        }
        return failure;
    }

    private static void closeAll(List<AutoCloseable> opened, Throwable failure) {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
    }

    private static void deleteQuietly(Path dir, Throwable failure) {
        try {
            OwnedEntries.remove(dir);
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    @Override
    public String toString() {
        return "<Channel: directory=" + directory + ", side=" + (creator ? "frontend" : "backend")
            + (closed ? ", closed" : "") + ">";
    }
}
