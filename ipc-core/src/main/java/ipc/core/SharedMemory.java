package ipc.core;

import ipc.sync.SharedMapping;
import ipc.sync.ShmDirectory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Named shared memory, like Python's {@code multiprocessing.shared_memory.SharedMemory}: one
 * process creates a segment under a name, others open it by that name, and all see the same bytes
 * through {@link #segment()}.
 *
 * <pre>{@code
 * try (SharedMemory shm = SharedMemory.create("prices", 8 * 1024)) {   // frontend
 *     shm.segment().setAtIndex(ValueLayout.JAVA_DOUBLE, 0, 101.25);
 * }
 * SharedMemory view = SharedMemory.open("prices");                      // backend
 * }</pre>
 *
 * <p>The name maps to the file {@code ShmDirectory.root()/shm.<name>.seg} (mode 0600 in a 0700
 * directory: owner-only). Differences from Python, and why: the creator's {@link #close()} also
 * unlinks, because a JVM has no resource tracker that would otherwise remove a forgotten segment;
 * an opener's close only unmaps. A segment whose creator process is gone is removed by the next
 * {@link #create} or channel creation of any process of the user (a stale sweep), so a crashed run
 * neither blocks the name nor keeps the memory. Unlink removes the file only while the name still
 * refers to this segment: it never deletes a newer segment that another process created under the
 * same name after this one was unlinked.
 *
 * <p>The name is the user's to unlink, as in Python: unlike the library's own files (event groups,
 * channels, bells: {@link ipc.sync.OwnedEntries}), a segment is not removed when its creator's JVM
 * exits. One whose creator exits without {@link #close()} or {@link #unlink()} stays until the
 * stale sweep of a later create, once that creator's pid is dead.
 *
 * <p>As a field of a {@link MessageProcess}, a SharedMemory is re-opened by name in the backend
 * (fork semantics); the backend's copy is an opener.
 *
 * <p>Memory consistency effects: none beyond those of the accesses the user makes on
 * {@link #segment()}; publish data to another process with release/acquire accesses or a
 * message or event that orders them.
 */
public final class SharedMemory implements AutoCloseable {
    /** Names are file-name safe and bounded, so a name can never escape the directory. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,200}");

    /** A segment's file is {@code FILE_PREFIX + name + FILE_SUFFIX} under {@link ShmDirectory#root()}. */
    static final String FILE_PREFIX = "shm.";
    static final String FILE_SUFFIX = ".seg";

    private final String name;
    private final SharedMapping mapping;
    private final MemorySegment user;
    private final boolean creator;
    /** The file's identity (inode) when mapped: unlink deletes the path only while it still names this file. */
    private final Object fileKey;
    private boolean unlinked;
    private volatile boolean closed;

    private SharedMemory(String name, SharedMapping mapping, boolean creator, Object fileKey) {
        this.name = name;
        this.mapping = mapping;
        this.creator = creator;
        this.fileKey = fileKey;
        long size = SharedMemoryDescriptor.size(mapping.segment());
        this.user = mapping.segment().asSlice(SharedMemoryDescriptor.HEADER_BYTES, size);
    }

    /**
     * Creates a new segment of {@code size} zeroed bytes.
     *
     * @throws IllegalArgumentException for a bad name or a size that is not positive (or too large
     *                                  to add the header to)
     * @throws IllegalStateException    when a segment of that name exists and its creator lives,
     *                                  or the directory cannot hold it (e.g. a full /dev/shm)
     */
    public static SharedMemory create(String name, long size) {
        checkName(name);
        SharedMemoryDescriptor.checkSize(name, size);
        Path file = fileOf(name);
        cleanStale(); // removes this name's file too when its creator is gone
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw alreadyExists(name, file);
        }
        long fileBytes = SharedMemoryDescriptor.HEADER_BYTES + size;
        checkSpace(name, file, fileBytes);
        SharedMapping mapping;
        try {
            mapping = SharedMapping.create(file, fileBytes);
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof FileAlreadyExistsException) {
                throw alreadyExists(name, file); // lost a race with another creator of the name
            }
            throw e;
        }
        try {
            SharedMemoryDescriptor.writeHeader(mapping.segment(), size, ProcessHandle.current().pid());
            return new SharedMemory(name, mapping, true, fileKey(file));
        } catch (RuntimeException e) {
            mapping.unlink();
            mapping.close();
            throw e;
        }
    }

    /**
     * Opens an existing segment by name.
     *
     * @throws IllegalArgumentException for a bad name
     * @throws IllegalStateException    when no segment of that name exists, or the file is not one
     */
    public static SharedMemory open(String name) {
        checkName(name);
        Path file = fileOf(name);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalStateException("no shared memory of that name: name=" + name + " path=" + file);
        }
        Object key = fileKey(file);
        SharedMapping mapping;
        try {
            mapping = SharedMapping.open(file);
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof NoSuchFileException) { // unlinked since the check above
                throw new IllegalStateException("no shared memory of that name: name=" + name + " path=" + file, e);
            }
            throw e;
        }
        try {
            SharedMemoryDescriptor.checkHeader(mapping.segment(), name);
            return new SharedMemory(name, mapping, false, key);
        } catch (RuntimeException e) {
            mapping.close();
            throw e;
        }
    }

    public String name() {
        return name;
    }

    /** The user's size in bytes, as given to {@link #create}. */
    public long size() {
        return user.byteSize();
    }

    /** The shared bytes; any thread may use it until {@link #close()}. */
    public MemorySegment segment() {
        if (closed) {
            throw new IllegalStateException("shared memory is closed: name=" + name);
        }
        return user;
    }

    /** True for the instance that created the segment (its close also unlinks). */
    public boolean isCreator() {
        return creator;
    }

    /**
     * Removes the name; mappings that exist stay valid until closed. Idempotent; does nothing when
     * the name is already gone or now names another segment (created after this one was unlinked).
     */
    public synchronized void unlink() {
        if (unlinked) {
            return;
        }
        unlinked = true;
        Path file = mapping.path();
        Object now = fileKey(file);
        if (now != null && Objects.equals(now, fileKey)) {
            ShmDirectory.deleteRecursively(file);
        }
    }

    /** True after {@link #close()}. */
    public boolean isClosed() {
        return closed;
    }

    /** Unmaps; the creator also unlinks. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (creator) {
                unlink();
            }
        } finally {
            mapping.close();
        }
    }

    @Override
    public String toString() {
        return "<SharedMemory: " + name + " size=" + size() + (creator ? " creator" : "") + (closed ? " closed" : "") + ">";
    }

    static Path fileOf(String name) {
        return ShmDirectory.root().resolve(FILE_PREFIX + name + FILE_SUFFIX);
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("shared memory name must match " + NAME.pattern() + ": name=" + name);
        }
    }

    private static IllegalStateException alreadyExists(String name, Path file) {
        long pid = readCreatorPid(file);
        return new IllegalStateException("shared memory already exists: name=" + name + " path=" + file
            + (pid > 0 ? " creatorPid=" + pid : ""));
    }

    /**
     * Refuses a segment larger than the free space of the directory's file system before the file
     * exists. SharedMapping.create reserves the pages with fallocate and would fail too (an
     * OutOfSpaceException); this check gives the error in SharedMemory's terms (the segment's name)
     * and spares the file system a reservation that cannot succeed.
     */
    private static void checkSpace(String name, Path file, long fileBytes) {
        long usable;
        try {
            usable = Files.getFileStore(file.getParent()).getUsableSpace();
        } catch (IOException e) {
            return; // cannot tell: let the write find out
        }
        if (fileBytes > usable) {
            throw new IllegalStateException("not enough space for shared memory: name=" + name + " fileBytes="
                + fileBytes + " usableBytes=" + usable + " directory=" + file.getParent());
        }
    }

    /** The file's identity (its inode on Linux), or null when it does not exist. */
    private static Object fileKey(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (NoSuchFileException gone) {
            return null;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read shared memory file attributes: path=" + file, e);
        }
    }

    /**
     * Removes every segment file under {@link ShmDirectory#root()} whose header is complete and
     * names a creator pid that is no longer alive (left by a crash, or a creator that never closed),
     * and returns how many went. Cost: one readdir, and per segment file one 64-byte read and one
     * /proc lookup; {@link #create} and every channel creation call it. A file without a committed
     * header (being created right now) is left alone; so is a file whose creator pid was reused by
     * a live process, until that process ends.
     */
    static int cleanStale() {
        Path root = ShmDirectory.root();
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(root, FILE_PREFIX + "*" + FILE_SUFFIX)) {
            for (Path file : files) {
                if (removeIfStale(file)) {
                    removed++;
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list ipc root: path=" + root, e);
        }
        return removed;
    }

    /**
     * Deletes {@code file} when its creator is dead. The identity check just before the delete makes
     * sure the file is the one whose header was read, not a new segment another process created under
     * the name in between (left: a window of one stat and one unlink).
     */
    private static boolean removeIfStale(Path file) {
        Object key = fileKey(file);
        long pid = readCreatorPid(file);
        if (key == null || pid <= 0 || isAlive(pid)) {
            return false;
        }
        if (!key.equals(fileKey(file))) {
            return false;
        }
        ShmDirectory.deleteRecursively(file);
        return true;
    }

    /** The creator pid in a segment file's committed header; -1 when missing, short or not a segment. */
    static long readCreatorPid(Path file) {
        ByteBuffer header = ByteBuffer.allocate((int) SharedMemoryDescriptor.HEADER_BYTES).order(ByteOrder.nativeOrder());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            while (header.hasRemaining() && channel.read(header) > 0) {
                // a header is 64 bytes: one read in practice
            }
        } catch (IOException e) {
            return -1; // gone, or not readable (not ours): nothing to sweep
        }
        if (header.position() < SharedMemoryDescriptor.HEADER_BYTES
            || header.getInt((int) SharedMemoryDescriptor.MAGIC_OFFSET) != SharedMemoryDescriptor.MAGIC) {
            return -1;
        }
        return header.getLong((int) SharedMemoryDescriptor.CREATOR_PID_OFFSET);
    }

    private static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }
}
