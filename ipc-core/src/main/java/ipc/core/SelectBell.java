package ipc.core;

import ipc.sync.Doorbell;
import ipc.sync.SharedMapping;
import ipc.sync.ShmDirectory;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One {@link Doorbell} in a small file of its own ({@code ShmDirectory.root()/bell-<pid>-<n>}),
 * that the backends of many channels ring after each backend-to-frontend write, so that a
 * frontend thread can wait for "a message on any of my channels" on one futex word
 * ({@code Select.safeSelect} over N pipes, no thread per pipe).
 *
 * <p>The frontend creates it and passes it in {@link ChannelOptions#withB2fBell(SelectBell)};
 * each channel records the bell's path in its control segment ({@link ChannelDescriptor}), and
 * the backend's {@link Channel#open} maps that file and rings the word. A ring on a shared bell
 * wakes every waiter of that frontend; each re-polls its own channels, so a spurious wake-up
 * costs a poll and loses nothing.
 *
 * <p>Close: the creator unmaps and deletes the file; an opener only unmaps. Idempotent. Close it
 * after the channels that use it.
 */
public final class SelectBell implements AutoCloseable {
    /** File size: one doorbell word, alone on a 128-byte line (see {@link ChannelDescriptor#LINE_BYTES}). */
    public static final long FILE_BYTES = ChannelDescriptor.LINE_BYTES;
    /** Where the doorbell word sits in the file. */
    public static final long BELL_OFFSET = 0;

    private final SharedMapping mapping;
    private final Doorbell doorbell;
    private final boolean creator;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SelectBell(SharedMapping mapping, boolean creator) {
        this.mapping = mapping;
        this.doorbell = new Doorbell(mapping.segment(), BELL_OFFSET);
        this.creator = creator;
    }

    /** Creates a new bell file under {@link ShmDirectory#root()} (mode 0600). */
    public static SelectBell create() {
        ShmDirectory.cleanStale();
        Path file = ShmDirectory.root().resolve(ShmDirectory.uniqueName("bell"));
        return new SelectBell(SharedMapping.create(file, FILE_BYTES), true);
    }

    /** Maps an existing bell file (the backend side). */
    static SelectBell open(Path file) {
        SharedMapping mapping = SharedMapping.open(file);
        if (mapping.size() < FILE_BYTES) {
            mapping.close();
            throw new IllegalStateException("bell file too small: path=" + file + ", size=" + mapping.size()
                + ", expected=" + FILE_BYTES);
        }
        return new SelectBell(mapping, false);
    }

    /** The bell: ring it after publishing, wait on it when there is nothing to read. */
    public Doorbell doorbell() {
        return doorbell;
    }

    /** The bell's file. */
    public Path path() {
        return mapping.path();
    }

    /** Unmaps; the creator also deletes the file. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                if (creator) {
                    mapping.unlink();
                }
            } finally {
                mapping.close();
            }
        }
    }

    @Override
    public String toString() {
        return "<SelectBell: path=" + mapping.path() + (closed.get() ? ", closed" : ", " + doorbell) + ">";
    }
}
