package ipc.sync;

import java.nio.file.Path;

/**
 * The filesystem that holds the library's shared files (by default the tmpfs {@code /dev/shm})
 * cannot back the bytes a file needs. Thrown before anything is mapped or written there, instead
 * of the SIGBUS that a store into an unbacked page of a mapped tmpfs file raises. Nothing was
 * written for the operation that failed; once space is freed the same call can be retried.
 *
 * <p>A subclass of IllegalStateException, which the create paths documented for "cannot create"
 * before this class existed.
 */
public final class OutOfSpaceException extends IllegalStateException {
    private final Path directory;
    private final Path file;
    private final long bytesNeeded;
    private final long bytesFree;

    public OutOfSpaceException(Path file, long bytesNeeded, long bytesFree) {
        super("no space for shared memory: directory=" + directoryOf(file) + " needed=" + bytesNeeded
            + " free=" + bytesFree + " file=" + file.getFileName()
            + " - free space there, or give the filesystem more (tmpfs: mount -o remount,size=...)");
        this.directory = directoryOf(file);
        this.file = file;
        this.bytesNeeded = bytesNeeded;
        this.bytesFree = bytesFree;
    }

    private static Path directoryOf(Path file) {
        Path parent = file.toAbsolutePath().getParent();
        return parent != null ? parent : file;
    }

    /** The directory whose filesystem is full. */
    public Path directory() {
        return directory;
    }

    /** The file that could not be backed. */
    public Path file() {
        return file;
    }

    /**
     * Bytes the failed allocation asked for (an upper bound: part of the range may already have been
     * backed); 0 when the filesystem had no inode left for a new file.
     */
    public long bytesNeeded() {
        return bytesNeeded;
    }

    /** Bytes free for this user on that filesystem when the allocation failed. */
    public long bytesFree() {
        return bytesFree;
    }
}
