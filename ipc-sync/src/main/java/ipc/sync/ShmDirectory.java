package ipc.sync;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The per-user directory that holds every shared-memory file of the library, and the naming
 * rule that lets a crashed run's files be found and removed.
 *
 * <p>Entries are named {@code <kind>-<pid>-<counter>} ({@link #uniqueName(String)}); the pid is
 * the creating process, so {@link #cleanStale()} deletes an entry once that process is gone. An
 * entry whose creator exits normally is deleted at that exit when the creator recorded it in
 * {@link OwnedEntries} (the library's own entries do).
 * The root is {@code /dev/shm/ipc-<user.name>} (tmpfs: pages never go to disk), or the system
 * property {@code ipc.dir}; it is created with mode 0700 and refused when another user owns it
 * or it grants group/other access, because anyone who can write our segments can forge
 * frames and events.
 *
 * <p>Every method is thread-safe. IO failures surface as {@link IllegalStateException} naming
 * the path, with the {@link IOException} as cause.
 */
public final class ShmDirectory {
    /** System property that overrides the root directory (tests, or a non-tmpfs machine). */
    public static final String DIR_PROPERTY = "ipc.dir";

    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> GROUP_OR_OTHER = EnumSet.of(
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private static final AtomicLong COUNTER = new AtomicLong();
    private static final long PID = ProcessHandle.current().pid();

    /** The last root that passed the owner/mode check; re-checked when the property changes. */
    private static volatile Path checkedRoot;

    private ShmDirectory() {
    }

    /**
     * Where {@link #root()} is ({@value #DIR_PROPERTY}, else {@code /dev/shm/ipc-<user>}), without
     * creating or checking it.
     */
    public static Path rootPath() {
        String override = System.getProperty(DIR_PROPERTY);
        return override != null && !override.isBlank()
            ? Path.of(override).toAbsolutePath()
            : Path.of("/dev/shm", "ipc-" + System.getProperty("user.name"));
    }

    /**
     * The root directory, created (0700) on first use.
     *
     * @throws IllegalStateException naming path, owner and mode when the directory exists but is
     *                               owned by another user or has group/other permission bits
     */
    public static Path root() {
        Path root = rootPath();
        Path checked = checkedRoot;
        if (root.equals(checked) && Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            return root;
        }
        synchronized (ShmDirectory.class) {
            try {
                Files.createDirectories(root.getParent());
                try {
                    Files.createDirectory(root, PosixFilePermissions.asFileAttribute(OWNER_DIR));
                    Files.setPosixFilePermissions(root, OWNER_DIR); // the umask may have cut bits, never added
                } catch (FileAlreadyExistsException alreadyThere) {
                    // checked below like any existing root
                }
                checkPrivate(root);
            } catch (IOException e) {
                throw new IllegalStateException("cannot create ipc root directory: path=" + root + " (" + why(e) + ")", e);
            }
            checkedRoot = root;
            return root;
        }
    }

    private static void checkPrivate(Path root) throws IOException {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalStateException("ipc root is not a directory (or is a symlink): path=" + root);
        }
        UserPrincipal owner = Files.getOwner(root, LinkOption.NOFOLLOW_LINKS);
        UserPrincipal me = root.getFileSystem().getUserPrincipalLookupService()
            .lookupPrincipalByName(System.getProperty("user.name"));
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(root, LinkOption.NOFOLLOW_LINKS);
        boolean leaky = mode.stream().anyMatch(GROUP_OR_OTHER::contains);
        if (!owner.equals(me) || leaky) {
            throw new IllegalStateException("refusing ipc root owned by another user or open to group/other: path="
                + root + " owner=" + owner.getName() + " mode=" + PosixFilePermissions.toString(mode)
                + " expectedOwner=" + me.getName() + " expectedMode=rwx------");
        }
    }

    /**
     * A fresh entry name {@code <kind>-<pid>-<counter>} for this process, skipping names that
     * already exist under {@link #root()} (left by an earlier process that had the same pid).
     * Only this process makes names with its pid, so the returned name stays free.
     */
    public static String uniqueName(String kind) {
        if (kind == null || kind.isEmpty() || kind.indexOf('/') >= 0) {
            throw new IllegalArgumentException("kind must be a non-empty file-name part: kind=" + kind);
        }
        Path root = root();
        while (true) {
            String name = kind + "-" + PID + "-" + COUNTER.getAndIncrement();
            if (!Files.exists(root.resolve(name), LinkOption.NOFOLLOW_LINKS)) {
                return name;
            }
        }
    }

    /** The owner pid in an entry named by {@link #uniqueName(String)}; empty for any other name. */
    public static OptionalLong ownerPid(Path entry) {
        Path fileName = entry.getFileName();
        if (fileName == null) {
            return OptionalLong.empty();
        }
        String name = fileName.toString();
        int lastDash = name.lastIndexOf('-');
        int pidDash = lastDash > 0 ? name.lastIndexOf('-', lastDash - 1) : -1;
        if (pidDash <= 0) {
            return OptionalLong.empty(); // no kind, or fewer than two dashes
        }
        if (!isDigits(name, lastDash + 1, name.length()) || !isDigits(name, pidDash + 1, lastDash)) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(name, pidDash + 1, lastDash, 10));
        } catch (NumberFormatException tooLong) {
            return OptionalLong.empty();
        }
    }

    private static boolean isDigits(String s, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * Deletes, recursively, every entry under {@link #root()} whose owner pid names no live
     * process, and returns how many entries went. One readdir plus one /proc lookup per entry,
     * so every create path calls it. A pid that the OS has reused keeps its stale entry until
     * the new process ends too (the name cannot tell the two apart).
     */
    public static int cleanStale() {
        Path root = root();
        int removed = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                OptionalLong pid = ownerPid(entry);
                if (pid.isPresent() && pid.getAsLong() != PID && !isAlive(pid.getAsLong())) {
                    deleteRecursively(entry);
                    removed++;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list ipc root: path=" + root + " (" + why(e) + ")", e);
        }
        return removed;
    }

    private static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** Creates a directory with mode 0700 (whatever the umask); fails if it exists. */
    public static Path createPrivateDirectory(Path dir) {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
            Files.setPosixFilePermissions(dir, OWNER_DIR);
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException("cannot create private directory: path=" + dir + " (" + why(e) + ")", e);
        }
    }

    /** Creates an empty file with mode 0600 (whatever the umask); fails if it exists. */
    public static Path createPrivateFile(Path file) {
        try {
            Files.newByteChannel(file, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(OWNER_FILE)).close();
            Files.setPosixFilePermissions(file, OWNER_FILE);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException("cannot create private file: path=" + file + " (" + why(e) + ")", e);
        }
    }

    /**
     * Why an IO call failed, for an error message: the OS's reason ("Read-only file system", "Not a
     * directory", "Permission denied") when the exception carries one, else the exception's kind
     * ("FileAlreadyExistsException"), so that a message says why as well as where.
     */
    static String why(IOException e) {
        String reason = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
        return reason != null ? reason : e.getClass().getSimpleName();
    }

    /** Deletes a file or a directory tree; quiet when it, or any part of it, is already gone. */
    public static void deleteRecursively(Path path) {
        try {
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException gone) {
            // already deleted: the outcome the caller wants
        } catch (IOException e) {
            throw new IllegalStateException("cannot delete: path=" + path + " (" + why(e) + ")", e);
        }
    }
}
