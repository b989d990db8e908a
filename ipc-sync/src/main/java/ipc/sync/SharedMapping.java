package ipc.sync;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A file mapped read-write and shared ({@code MAP_SHARED}) into this process as a
 * {@link MemorySegment}; every process that maps the same file sees the same bytes.
 *
 * <p>The segment belongs to a shared {@link Arena}, so any thread may use it; {@link #close()}
 * unmaps it (idempotent), after which any access through {@link #segment()} throws
 * {@link IllegalStateException}. Unmapping never deletes: the creator calls {@link #unlink()}.
 * Mapping is page-aligned, so every naturally aligned offset is naturally aligned in memory.
 */
public final class SharedMapping implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean unlinked = new AtomicBoolean();

    private SharedMapping(Path path, Arena arena, MemorySegment segment) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
    }

    /**
     * Creates {@code file} (mode 0600, must not exist) with {@code size} bytes, all of them backed by
     * storage ({@link FileSpace#createAllocated}), and maps it. Backing the pages before the mapping
     * is what makes a full /dev/shm an exception here instead of a SIGBUS at the first store into
     * an unbacked page.
     *
     * @throws IllegalArgumentException when {@code size <= 0}
     * @throws OutOfSpaceException      naming the directory, {@code size} and the free bytes when the
     *                                  filesystem cannot back the file (nothing is left behind)
     * @throws IllegalStateException    naming the path when the file exists or cannot be created or mapped
     */
    public static SharedMapping create(Path file, long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("mapping size must be positive: size=" + size + " path=" + file);
        }
        FileSpace.of(file).createAllocated(size);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return map(file, channel, size);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IllegalStateException("cannot create shared mapping: path=" + file + " size=" + size, e);
        }
    }

    /**
     * Maps the whole of an existing file.
     *
     * @throws IllegalStateException naming the path, with a {@link NoSuchFileException} cause
     *                               when the file is missing, or when it is empty or unreadable
     */
    public static SharedMapping open(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            if (size <= 0) {
                throw new IllegalStateException("cannot map an empty file: path=" + file + " size=" + size);
            }
            return map(file, channel, size);
        } catch (IOException e) {
            throw new IllegalStateException("cannot open shared mapping: path=" + file, e);
        }
    }

    private static SharedMapping map(Path file, FileChannel channel, long size) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            return new SharedMapping(file, arena, segment); // the mapping outlives the channel
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** The mapped bytes; unusable after {@link #close()}. */
    public MemorySegment segment() {
        return segment;
    }

    /** The file behind the mapping. */
    public Path path() {
        return path;
    }

    /** The mapped size in bytes (the whole file). */
    public long size() {
        return segment.byteSize();
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return closed.get();
    }

    /** Deletes the file (idempotent, quiet when already gone); mappings stay valid until closed. */
    public void unlink() {
        if (unlinked.compareAndSet(false, true)) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                throw new IllegalStateException("cannot unlink shared mapping: path=" + path, e);
            }
        }
    }

    /** Unmaps the segment; idempotent. Does not delete the file. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "<SharedMapping: path=" + path + " size=" + segment.byteSize() + (closed.get() ? " closed" : "") + ">";
    }
}
