package ipc.core;

import ipc.sync.ShmDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What this test JVM holds that a leak would grow: open file descriptors ({@code /proc/self/fd}),
 * live platform threads, and its entries under {@link ShmDirectory#root()} with their bytes.
 *
 * <p>Only this JVM's shm entries count: the root is shared with every other process of the user
 * (other test runs among them), so an entry counts when its name carries this pid as
 * {@code -<pid>-} (channels {@code ch-<pid>-n}, event groups, the select bell, and the shared
 * memory the tests name with their pid). Descriptors count without the one that lists
 * {@code /proc/self/fd} itself. Threads count without two JDK pools that keep idle threads for
 * 60 s after their last task, so that their size says how many backends ended at once a minute
 * ago, not what leaked: the "process reaper" threads ({@code Process.waitFor}) and the common
 * ForkJoinPool's workers (the JDK completes {@code Process.onExit()} there, and the library's
 * exit handling runs on it). Every other thread, the library's and Chronicle's included, counts.
 *
 * @param fds     link targets of the open descriptors, by descriptor number
 * @param threads names of the live platform threads, sorted
 * @param shm     this JVM's entries under the root, with their apparent bytes (recursive)
 */
record LeakProbe(Map<Integer, String> fds, List<String> threads, Map<String, Long> shm) {

    private static final String MINE = "-" + ProcessHandle.current().pid() + "-";
    private static final String FD_LISTING = "/proc/" + ProcessHandle.current().pid() + "/fd";

    static LeakProbe now() {
        return new LeakProbe(openFds(), liveThreads(), shmEntries());
    }

    long shmBytes() {
        return shm.values().stream().mapToLong(Long::longValue).sum();
    }

    /** True when this has no more descriptors, threads, shm entries and bytes than {@code start}. */
    boolean backTo(LeakProbe start) {
        return fds.size() <= start.fds.size() && threads.size() <= start.threads.size()
            && shm.keySet().equals(start.shm.keySet()) && shmBytes() <= start.shmBytes();
    }

    /**
     * A snapshot once descriptors and threads have stopped changing for {@code still} (what a
     * finished run closes in the background, e.g. Chronicle's resource releaser, has gone), or
     * after {@code max}: the start values for a later {@link #settle}.
     */
    static LeakProbe quiet(Duration still, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        LeakProbe last = now();
        long stableSince = System.nanoTime();
        while (System.nanoTime() - deadline < 0) {
            sleep(50);
            LeakProbe next = now();
            if (next.fds.size() != last.fds.size() || next.threads.size() != last.threads.size()) {
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince >= still.toNanos()) {
                return next;
            }
            last = next;
        }
        return last;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Polls until {@link #backTo(LeakProbe)} holds or {@code settle} has passed, and returns the
     * last snapshot; the caller asserts and prints {@link #diff(LeakProbe)}.
     */
    static LeakProbe settle(LeakProbe start, Duration settle) {
        long deadline = System.nanoTime() + settle.toNanos();
        while (true) {
            LeakProbe now = now();
            if (now.backTo(start) || System.nanoTime() - deadline > 0) {
                return now;
            }
            sleep(50);
        }
    }

    /** What this has that {@code start} had not, for a failure message. */
    String diff(LeakProbe start) {
        StringBuilder s = new StringBuilder();
        s.append("fds ").append(start.fds.size()).append(" -> ").append(fds.size());
        fds.forEach((fd, target) -> {
            if (!target.equals(start.fds.get(fd))) {
                s.append("\n  fd ").append(fd).append(" -> ").append(target);
            }
        });
        s.append("\nthreads ").append(start.threads.size()).append(" -> ").append(threads.size());
        List<String> extra = new ArrayList<>(threads);
        start.threads.forEach(extra::remove);
        extra.forEach(t -> s.append("\n  thread ").append(t));
        s.append("\nshm entries ").append(start.shm.size()).append(" -> ").append(shm.size())
            .append(", bytes ").append(start.shmBytes()).append(" -> ").append(shmBytes());
        shm.forEach((name, bytes) -> {
            if (!start.shm.containsKey(name)) {
                s.append("\n  shm ").append(name).append(" ").append(bytes).append(" B");
            }
        });
        return s.toString();
    }

    @Override
    public String toString() {
        return "fds=" + fds.size() + " threads=" + threads.size() + " shmEntries=" + shm.size() + " shmBytes=" + shmBytes();
    }

    private static Map<Integer, String> openFds() {
        Map<Integer, String> fds = new TreeMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) entries::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (!target.equals(FD_LISTING)) {
                        fds.put(Integer.parseInt(fd.getFileName().toString()), target);
                    }
                } catch (NoSuchFileException closedMeanwhile) {
                    // the descriptor of the listing itself, or one closed while we looked
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return fds;
    }

    private static List<String> liveThreads() {
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName();
            if (t.isAlive() && !name.startsWith("process reaper") && !name.startsWith("ForkJoinPool.commonPool-worker-")) {
                names.add(t.getName());
            }
        }
        names.sort(null);
        return names;
    }

    /** Thread count as the JVM reports it, reapers included, for the log. */
    static int jvmThreadCount() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    private static Map<String, Long> shmEntries() {
        Map<String, Long> mine = new TreeMap<>();
        Path root = ShmDirectory.root();
        try (Stream<Path> entries = Files.list(root)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                String name = entry.getFileName().toString();
                if (name.contains(MINE)) {
                    mine.put(name, bytes(entry));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
        return mine;
    }

    private static long bytes(Path entry) {
        try (Stream<Path> files = Files.walk(entry)) {
            long sum = 0;
            for (Path f : (Iterable<Path>) files::iterator) {
                try {
                    if (Files.isRegularFile(f)) {
                        sum += Files.size(f);
                    }
                } catch (NoSuchFileException gone) {
                    // removed while we walked (a reaped roll-cycle file)
                }
            }
            return sum;
        } catch (IOException | UncheckedIOException gone) {
            return 0; // the entry went while we walked it
        }
    }
}
