package ipc.bench.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * An owner-only (0700) directory for one benchmark trial: {@code /dev/shm/ipc-bench-<user>/<kind>-<pid>-<n>}.
 *
 * <p>On tmpfs because that is where the library keeps its channels: the baselines see the same
 * medium. {@link #close()} deletes it; a trial whose JVM was killed leaves one behind, and the next
 * {@link #create} removes every entry whose owner pid is no longer alive.
 */
public final class ScratchDirectory implements AutoCloseable {

    private static final Path ROOT = Path.of("/dev/shm", "ipc-bench-" + System.getProperty("user.name"));
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private final Path path;
    private boolean closed;

    private ScratchDirectory(Path path) {
        this.path = path;
    }

    /** A new directory named after {@code kind} (letters and digits, e.g. "cq", "uds"). */
    public static ScratchDirectory create(String kind) {
        try {
            createPrivate(ROOT);
            removeStale();
            long pid = ProcessHandle.current().pid();
            Path dir = ROOT.resolve(kind + "-" + pid + "-" + COUNTER.incrementAndGet());
            createPrivate(dir);
            return new ScratchDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a scratch directory under " + ROOT, e);
        }
    }

    public Path path() {
        return path;
    }

    public Path resolve(String name) {
        return path.resolve(name);
    }

    /** Deletes the directory and everything in it; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            deleteRecursively(path);
        }
    }

    private static void createPrivate(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException e) {
            String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                    || !owner.equals(System.getProperty("user.name")) || !mode.equals(OWNER_ONLY)) {
                throw new IllegalStateException("refusing a scratch directory that is not ours alone: path=" + dir
                        + " owner=" + owner + " mode=" + PosixFilePermissions.toString(mode));
            }
        }
    }

    private static void removeStale() throws IOException {
        try (Stream<Path> entries = Files.list(ROOT)) {
            entries.filter(entry -> ownerPid(entry).stream()
                            .noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)))
                    .forEach(ScratchDirectory::deleteRecursively);
        }
    }

    /** The pid in {@code <kind>-<pid>-<n>}, empty for a name of another shape (left alone). */
    static OptionalLong ownerPid(Path entry) {
        String[] parts = entry.getFileName().toString().split("-");
        if (parts.length != 3) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(parts[1]));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            if (Files.exists(root)) {
                throw new UncheckedIOException("cannot delete " + root, e);
            }
        }
    }
}
