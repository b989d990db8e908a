package ipc.core.tool;

import ipc.core.channel.Channel;
import ipc.core.channel.ChannelDescriptor;
import ipc.core.channel.chronicle.QueueFrames;
import ipc.core.MessageObject;
import ipc.core.Transport;

import ipc.sync.SharedMapping;
import ipc.sync.ShmDirectory;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A running process of this user, as {@code ipc.core.tool.Ipc list} shows it: read from its
 * channel's control segment under {@link ShmDirectory#root()} (name, pids, and the frames each
 * side has written and read in each direction, [native-notes/journal.md]). A process whose
 * channel lives in a journal directory ({@code MessageProcess#setJournal}) is found through the
 * pointer file its frontend keeps under the root while it runs.
 *
 * @param name       the process, as its {@code toString()}: {@code <ClassName.name>}
 * @param backlog    frames written to the backend and not yet read, then the same to the frontend
 */
public record LiveProcess(String name, long frontendPid, long backendPid, String transport, long toBackend,
                          long toFrontend, long backlogToBackend, long backlogToFrontend, Path directory) {


    /** Every live process of this user (its frontend alive, its channel open), by name. */
    public static List<LiveProcess> list() {
        Path root = ShmDirectory.root();
        List<LiveProcess> live = new ArrayList<>();
        try (Stream<Path> entries = Files.list(root)) {
            for (Path entry : entries.toList()) {
                Path dir = channelOf(entry);
                if (dir == null) {
                    continue;
                }
                LiveProcess p = read(dir);
                if (p != null) {
                    live.add(p);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + root + ": " + e, e);
        }
        live.sort(Comparator.comparing(LiveProcess::name).thenComparing(LiveProcess::frontendPid));
        return live;
    }

    /**
     * The channel directory an entry of the root stands for: the entry itself when it holds a
     * control segment, the directory a journal pointer names ({@link Channel#JOURNAL_POINTER_KIND}),
     * else null.
     */
    private static Path channelOf(Path entry) {
        String name = entry.getFileName().toString();
        if (name.startsWith(Channel.JOURNAL_POINTER_KIND + "-") && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Path dir = Path.of(Files.readString(entry, java.nio.charset.StandardCharsets.UTF_8).strip());
                return dir.isAbsolute() && Files.isRegularFile(dir.resolve(Channel.CONTROL)) ? dir : null;
            } catch (IOException | RuntimeException e) {
                return null; // going away while we looked
            }
        }
        return Files.isRegularFile(entry.resolve(Channel.CONTROL)) ? entry : null;
    }

    /** The live process named {@code name} ({@code <Class.name>}, or only the part after the dot), or null. */
    public static LiveProcess find(String name) {
        for (LiveProcess p : list()) {
            String short_ = p.name.startsWith("<") && p.name.endsWith(">") && p.name.contains(".")
                ? p.name.substring(p.name.indexOf('.') + 1, p.name.length() - 1) : p.name;
            if (p.name.equals(name) || short_.equals(name)) {
                return p;
            }
        }
        return null;
    }

    private static LiveProcess read(Path dir) {
        try (SharedMapping control = SharedMapping.open(dir.resolve(Channel.CONTROL))) {
            if (control.size() < ChannelDescriptor.SIZE) {
                return null;
            }
            MemorySegment c = control.segment();
            int state = ChannelDescriptor.stateAcquire(c);
            if (state != ChannelDescriptor.STATE_READY && state != ChannelDescriptor.STATE_ATTACHED) {
                return null;
            }
            ChannelDescriptor.checkHeader(c);
            long frontend = c.get(java.lang.foreign.ValueLayout.JAVA_LONG, ChannelDescriptor.FRONTEND_PID_OFFSET);
            if (ProcessHandle.of(frontend).map(ProcessHandle::isAlive).orElse(false) == Boolean.FALSE) {
                return null; // a crashed frontend's leftover: the stale sweep removes it
            }
            long backend = c.get(java.lang.foreign.ValueLayout.JAVA_LONG, ChannelDescriptor.BACKEND_PID_OFFSET);
            long f2bWritten = ChannelDescriptor.counterAcquire(c, ChannelDescriptor.F2B_WRITTEN_OFFSET);
            long f2bRead = ChannelDescriptor.counterAcquire(c, ChannelDescriptor.F2B_READ_OFFSET);
            long b2fWritten = ChannelDescriptor.counterAcquire(c, ChannelDescriptor.B2F_WRITTEN_OFFSET);
            long b2fRead = ChannelDescriptor.counterAcquire(c, ChannelDescriptor.B2F_READ_OFFSET);
            Transport transport = (c.get(java.lang.foreign.ValueLayout.JAVA_INT, ChannelDescriptor.FLAGS_OFFSET)
                & ChannelDescriptor.FLAG_RING) != 0 ? Transport.RING : Transport.CHRONICLE;
            return new LiveProcess(ChannelDescriptor.name(c), frontend, backend,
                transport.name().toLowerCase(Locale.ROOT), f2bWritten, b2fWritten,
                Math.max(0, f2bWritten - f2bRead), Math.max(0, b2fWritten - b2fRead), dir);
        } catch (RuntimeException e) {
            return null; // not a channel, or one going away while we looked
        }
    }

    /**
     * Prints this process's messages as they pass, one a line ({@code to-backend ...} /
     * {@code to-frontend ...}, the library's own frames left out as in {@code Journal}), from now
     * until its channel closes or {@code keepGoing} turns false. Reads the two queues read-only with
     * tailers of its own; the process does not notice.
     */
    public void tail(PrintStream out, BooleanSupplier keepGoing) {
        try (QueueFrames f2b = QueueFrames.openReadOnly(directory.resolve(Channel.F2B));
             QueueFrames b2f = QueueFrames.openReadOnly(directory.resolve(Channel.B2F));
             QueueFrames.Cursor toBackend = f2b.fromEnd();
             QueueFrames.Cursor toFrontend = b2f.fromEnd()) {
            while (keepGoing.getAsBoolean() && open()) {
                boolean any = print(toBackend, "to-backend ", true, out) | print(toFrontend, "to-frontend ", false, out);
                if (!any) {
                    LockSupport.parkNanos(TAIL_POLL.toNanos());
                }
            }
            print(toBackend, "to-backend ", true, out);
            print(toFrontend, "to-frontend ", false, out);
            out.flush();
        }
    }

    /** How often an idle tail looks for new frames: a tool, not a hot path. */
    static final Duration TAIL_POLL = Duration.ofMillis(10);

    private boolean open() {
        LiveProcess now = Files.exists(directory.resolve(Channel.CONTROL)) ? read(directory) : null;
        return now != null;
    }

    private static boolean print(QueueFrames.Cursor tailer, String prefix, boolean toBackend, PrintStream out) {
        boolean any = false;
        MessageObject m;
        while ((m = tailer.nextUserMessage(toBackend)) != null) {
            out.println(prefix + m);
            any = true;
        }
        return any;
    }
}
