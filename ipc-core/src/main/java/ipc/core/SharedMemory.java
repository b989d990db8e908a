package ipc.core;

import ipc.sync.SharedMapping;
import ipc.sync.ShmDirectory;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
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
 * an opener's close only unmaps. A name whose creator process is gone may be created again (the
 * stale file is replaced), so a crashed run does not block the next one.
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

    private final String name;
    private final SharedMapping mapping;
    private final MemorySegment user;
    private final boolean creator;
    private volatile boolean closed;

    private SharedMemory(String name, SharedMapping mapping, boolean creator) {
        this.name = name;
        this.mapping = mapping;
        this.creator = creator;
        long size = SharedMemoryDescriptor.size(mapping.segment());
        this.user = mapping.segment().asSlice(SharedMemoryDescriptor.HEADER_BYTES, size);
    }

    /**
     * Creates a new segment of {@code size} zeroed bytes.
     *
     * @throws IllegalArgumentException for a bad name or a size that is not positive
     * @throws IllegalStateException    when a segment of that name exists and its creator lives,
     *                                  or the directory cannot hold it (e.g. a full /dev/shm)
     */
    public static SharedMemory create(String name, long size) {
        checkName(name);
        SharedMemoryDescriptor.checkSize(name, size);
        Path file = fileOf(name);
        removeIfStale(name, file);
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalStateException("shared memory already exists: name=" + name + " path=" + file);
        }
        SharedMapping mapping = SharedMapping.create(file, SharedMemoryDescriptor.HEADER_BYTES + size);
        SharedMemoryDescriptor.writeHeader(mapping.segment(), size, ProcessHandle.current().pid());
        return new SharedMemory(name, mapping, true);
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
        SharedMapping mapping = SharedMapping.open(file);
        try {
            SharedMemoryDescriptor.checkHeader(mapping.segment(), name);
        } catch (RuntimeException e) {
            mapping.close();
            throw e;
        }
        return new SharedMemory(name, mapping, false);
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

    /** Removes the name; mappings that exist stay valid until closed. Idempotent. */
    public void unlink() {
        mapping.unlink();
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
                mapping.unlink();
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
        return ShmDirectory.root().resolve("shm." + name + ".seg");
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("shared memory name must match " + NAME.pattern() + ": name=" + name);
        }
    }

    /** A file whose creator pid names no live process is left by a crash: remove it. */
    private static void removeIfStale(String name, Path file) {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        long pid;
        try (SharedMapping old = SharedMapping.open(file)) {
            MemorySegment header = old.segment();
            if (header.byteSize() < SharedMemoryDescriptor.HEADER_BYTES
                || SharedMemoryDescriptor.magicAcquire(header) != SharedMemoryDescriptor.MAGIC) {
                return; // not ours, or being created right now: leave it, create() reports it exists
            }
            pid = SharedMemoryDescriptor.creatorPid(header);
        } catch (IllegalStateException vanished) {
            return;
        }
        boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        if (!alive) {
            ShmDirectory.deleteRecursively(file);
        }
    }
}
