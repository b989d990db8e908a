package ipc.sync;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backs a file's bytes with storage before anything maps them, so that a full filesystem is an
 * {@link OutOfSpaceException} at a known call instead of a SIGBUS at the first store into a page
 * that the filesystem cannot back.
 *
 * <p>Why: a mapped tmpfs file gets a page only when a process first stores into it; when the
 * tmpfs is full at that moment the kernel sends SIGBUS to the storing thread. The JVM turns a
 * SIGBUS inside an Unsafe or FFM memory access into an asynchronous
 * {@code InternalError("a fault occurred in an unsafe memory access operation")}, but not
 * everywhere: measured on JDK 25, Chronicle's header CAS on a new cycle file faulted inside the
 * VM's own {@code Unsafe_CompareAndSetInt} and the JVM died (hs_err, exit 134). {@code fallocate(2)}
 * asks for the blocks up front: it fails with ENOSPC, an ordinary error, and a page it allocated
 * cannot be missing at store time.
 *
 * <p>Through FFM downcalls to libc's {@code open}, {@code fallocate} and {@code close} (no JNI, no
 * Unsafe). {@link #allocate} allocates nothing on the Java heap when it succeeds, so a writer may
 * call it on its hot path. Where {@code fallocate} is missing (not Linux) or the filesystem does
 * not support it (EOPNOTSUPP), {@link #createAllocated} writes zeros instead, which backs the pages
 * just as well, and {@link #createReserved}/{@link #allocate} can only check the free space (a
 * warning is logged once): a later store may then still fault.
 */
public final class FileSpace {
    private static final Logger LOG = LoggerFactory.getLogger(FileSpace.class);

    // asm-generic/fcntl.h: the same on x86_64 and aarch64.
    private static final int O_RDWR = 02;
    private static final int O_CREAT = 0100;
    private static final int O_EXCL = 0200;
    private static final int O_CLOEXEC = 02000000;
    private static final int OWNER_READ_WRITE = 0600;
    // linux/falloc.h
    private static final int FALLOC_FL_KEEP_SIZE = 1;
    // asm-generic/errno*.h
    private static final int EPERM = 1;
    private static final int ENOENT = 2;
    private static final int EINTR = 4;
    private static final int EBADF = 9;
    private static final int EACCES = 13;
    private static final int EEXIST = 17;
    private static final int ENOTDIR = 20;
    private static final int EISDIR = 21;
    private static final int EFBIG = 27;
    private static final int EROFS = 30;
    private static final int ELOOP = 40;
    private static final int ENOSPC = 28;
    private static final int EOPNOTSUPP = 95;
    private static final int EDQUOT = 122;

    /** Zero-fill chunk of the fallback: large enough that the write calls cost little next to the pages they fill. */
    private static final int FILL_CHUNK_BYTES = 64 * 1024;

    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** Per-thread errno capture buffer for the calls that failed once. */
    private static final ThreadLocal<MemorySegment> CAPTURE =
        ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));

    // Pointers go as longs (one register class on LP64), so no MemorySegment is built per call.
    // int open(const char *path, int flags, ... /* mode_t mode */)
    private static final FunctionDescriptor OPEN_CALL = FunctionDescriptor.of(ValueLayout.JAVA_INT,
        ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT);
    // int fallocate(int fd, int mode, off_t offset, off_t len)
    private static final FunctionDescriptor FALLOCATE_CALL = FunctionDescriptor.of(ValueLayout.JAVA_INT,
        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG);

    // Each call twice: plain, for the path that succeeds (a call that captures errno allocates 40 bytes
    // until C2 compiles its caller, and the writer's calls are too rare to get compiled), and with
    // errno captured, to learn why a call failed (an errno read after the call may be the JVM's). The
    // errno variants are linked at the first failure (Errno): each stub is generated at run time,
    // 15-20 ms of a process's start here that no AOT cache holds, and most processes never fail one.
    private static final MethodHandle OPEN;
    private static final MethodHandle FALLOCATE;
    private static final MethodHandle CLOSE;
    private static final String UNAVAILABLE_REASON;
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    static {
        MethodHandle[] handles = new MethodHandle[3];
        String reason = null;
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            reason = "not Linux: os.name=" + System.getProperty("os.name");
        } else {
            try {
                Linker linker = Linker.nativeLinker();
                handles[0] = linker.downcallHandle(find(linker, "open"), OPEN_CALL, Linker.Option.firstVariadicArg(2));
                handles[1] = linker.downcallHandle(find(linker, "fallocate"), FALLOCATE_CALL);
                // int close(int fd)
                handles[2] = linker.downcallHandle(find(linker, "close"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            } catch (RuntimeException e) { // restricted or unsupported: fall back, say why
                reason = "fallocate downcall unavailable: " + e;
                Arrays.fill(handles, null);
            }
        }
        OPEN = handles[0];
        FALLOCATE = handles[1];
        CLOSE = handles[2];
        UNAVAILABLE_REASON = reason;
    }

    /** The errno-capturing variants, linked when a plain call first fails (only after the plain ones linked). */
    private static final class Errno {
        static final MethodHandle OPEN;
        static final MethodHandle FALLOCATE;

        static {
            Linker linker = Linker.nativeLinker();
            Linker.Option errno = Linker.Option.captureCallState("errno");
            OPEN = linker.downcallHandle(find(linker, "open"), OPEN_CALL, Linker.Option.firstVariadicArg(2), errno);
            FALLOCATE = linker.downcallHandle(find(linker, "fallocate"), FALLOCATE_CALL, errno);
        }

        private Errno() {
        }
    }

    private static MemorySegment find(Linker linker, String name) {
        return linker.defaultLookup().find(name)
            .orElseThrow(() -> new IllegalStateException("libc has no " + name + " symbol"));
    }

    private final Path path;
    /** The path as a NUL-terminated C string, built once, so that {@link #allocate} allocates nothing. */
    private final MemorySegment cPath;

    private FileSpace(Path path) {
        this.path = path;
        this.cPath = OPEN != null ? Arena.ofAuto().allocateFrom(path.toString()) : null;
    }

    /** A handle on {@code file} (which need not exist yet). */
    public static FileSpace of(Path file) {
        return new FileSpace(file.toAbsolutePath());
    }

    /** Whether {@code fallocate} can be called here; false means the fallbacks of the class comment. */
    public static boolean isAvailable() {
        return FALLOCATE != null;
    }

    /** The file. */
    public Path path() {
        return path;
    }

    /**
     * Creates the file (mode 0600, must not exist) with {@code size} bytes, every one of them backed.
     * On failure the file is removed.
     *
     * @throws OutOfSpaceException   naming the directory, {@code size} and the free bytes, when the
     *                               filesystem cannot back them
     * @throws IllegalStateException naming the path when the file exists or cannot be created
     */
    public void createAllocated(long size) {
        checkLength(size);
        if (FALLOCATE == null) {
            createByWritingZeros(size);
            return;
        }
        int fd = openOrThrow(O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC);
        boolean done = false;
        try {
            makeOwnerOnly();
            int errno = fallocate(fd, 0, 0, size);
            if (errno == EOPNOTSUPP) {
                closeQuietly(fd);
                fd = -1;
                deleteQuietly();
                createByWritingZeros(size);
            } else {
                throwIfFailed(errno, "fallocate", 0, size);
            }
            done = true;
        } finally {
            if (fd >= 0) {
                closeQuietly(fd);
            }
            if (!done) {
                deleteQuietly();
            }
        }
    }

    /**
     * Creates the file (mode 0600, must not exist) with size 0 and {@code bytes} bytes of storage
     * allocated beyond its end ({@code FALLOC_FL_KEEP_SIZE}): whoever later sets its length and maps
     * it finds those pages backed. On failure the file is removed.
     *
     * @throws OutOfSpaceException   when the filesystem cannot back {@code bytes}
     * @throws IllegalStateException naming the path when the file exists or cannot be created
     */
    public void createReserved(long bytes) {
        checkLength(bytes);
        if (FALLOCATE == null) {
            ShmDirectory.createPrivateFile(path);
            try {
                checkFreeSpace(bytes);
            } catch (OutOfSpaceException e) {
                deleteQuietly();
                throw e;
            }
            return;
        }
        int fd = openOrThrow(O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC);
        boolean done = false;
        try {
            makeOwnerOnly();
            allocateOn(fd, 0, bytes);
            done = true;
        } finally {
            closeQuietly(fd);
            if (!done) {
                deleteQuietly();
            }
        }
    }

    /**
     * Backs bytes {@code [offset, offset + length)} of the existing file without changing its size
     * ({@code FALLOC_FL_KEEP_SIZE}; bytes already backed cost nothing). Allocates nothing on the Java
     * heap when it succeeds.
     *
     * @throws OutOfSpaceException   when the filesystem cannot back them
     * @throws IllegalStateException naming the path when the file cannot be opened
     */
    public void allocate(long offset, long length) {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0: offset=" + offset + " path=" + path);
        }
        checkLength(length);
        if (FALLOCATE == null) {
            checkFreeSpace(length);
            return;
        }
        int fd = openOrThrow(O_RDWR | O_CLOEXEC);
        try {
            allocateOn(fd, offset, length);
        } finally {
            closeQuietly(fd);
        }
    }

    private void allocateOn(int fd, long offset, long length) {
        int errno = fallocate(fd, FALLOC_FL_KEEP_SIZE, offset, length);
        if (errno == EOPNOTSUPP) {
            checkFreeSpace(length);
        } else {
            throwIfFailed(errno, "fallocate", offset, length);
        }
    }

    /** Returns 0 or the errno; retries on EINTR. Allocates nothing when the first call succeeds. */
    private static int fallocate(int fd, int mode, long offset, long length) {
        try {
            if ((int) FALLOCATE.invokeExact(fd, mode, offset, length) == 0) {
                return 0;
            }
            // Again with errno captured: fallocate of a range is idempotent, so repeating it is harmless.
            MemorySegment capture = CAPTURE.get();
            while (true) {
                if ((int) Errno.FALLOCATE.invokeExact(capture, fd, mode, offset, length) == 0) {
                    return 0;
                }
                int errno = (int) ERRNO.get(capture, 0L);
                if (errno != EINTR) {
                    return errno;
                }
            }
        } catch (Throwable e) {
            throw new IllegalStateException("fallocate downcall failed", e);
        }
    }

    /** The fd; allocates nothing when the first call succeeds. */
    private int openOrThrow(int flags) {
        int errno;
        try {
            int fd = (int) OPEN.invokeExact(cPath.address(), flags, OWNER_READ_WRITE);
            if (fd >= 0) {
                return fd;
            }
            // Again with errno captured: a failed open created nothing (O_CREAT|O_EXCL is atomic).
            MemorySegment capture = CAPTURE.get();
            while (true) {
                fd = (int) Errno.OPEN.invokeExact(capture, cPath.address(), flags, OWNER_READ_WRITE);
                if (fd >= 0) {
                    return fd;
                }
                errno = (int) ERRNO.get(capture, 0L);
                if (errno != EINTR) {
                    break;
                }
            }
        } catch (Throwable e) {
            throw new IllegalStateException("open downcall failed: path=" + path, e);
        }
        if (errno == ENOSPC || errno == EDQUOT) {
            throw new OutOfSpaceException(path, 0, freeBytes());
        }
        // The cause is the exception java.nio would have thrown, so callers can tell "exists" from the rest.
        throw new IllegalStateException("cannot " + ((flags & O_CREAT) != 0 ? "create" : "open") + " file: path="
            + path + " (" + reason(errno) + ", errno=" + errno + ")", fileSystemException(errno));
    }

    private FileSystemException fileSystemException(int errno) {
        String file = path.toString();
        return switch (errno) {
            case EEXIST -> new FileAlreadyExistsException(file);
            case ENOENT -> new NoSuchFileException(file);
            case EPERM, EACCES -> new AccessDeniedException(file, null, reason(errno));
            default -> new FileSystemException(file, null, reason(errno));
        };
    }

    private static void closeQuietly(int fd) {
        try {
            int unused = (int) CLOSE.invokeExact(fd); // close(2) releases the fd even when it fails
        } catch (Throwable e) {
            throw new IllegalStateException("close downcall failed: fd=" + fd, e);
        }
    }

    private void throwIfFailed(int errno, String call, long offset, long length) {
        if (errno == 0) {
            return;
        }
        if (errno == ENOSPC || errno == EDQUOT) {
            throw new OutOfSpaceException(path, length, freeBytes());
        }
        throw new IllegalStateException(call + " failed: path=" + path + " offset=" + offset + " length=" + length
            + " (" + reason(errno) + ", errno=" + errno + ")", fileSystemException(errno));
    }

    private void checkFreeSpace(long bytes) {
        if (WARNED.compareAndSet(false, true)) {
            LOG.warn("cannot preallocate shared files ({}): a full filesystem may still raise SIGBUS on a store; path={}",
                FALLOCATE == null ? UNAVAILABLE_REASON : "the filesystem does not support fallocate", path);
        }
        long free = freeBytes();
        if (free < bytes) {
            throw new OutOfSpaceException(path, bytes, free);
        }
    }

    private void createByWritingZeros(long size) {
        ShmDirectory.createPrivateFile(path);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(size, FILL_CHUNK_BYTES));
            long position = 0;
            while (position < size) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - position));
                position += channel.write(zeros, position);
            }
        } catch (IOException e) {
            deleteQuietly();
            long free = freeBytes();
            if (free < size) {
                throw new OutOfSpaceException(path, size, free);
            }
            throw new IllegalStateException("cannot fill file: path=" + path + " size=" + size, e);
        }
    }

    private void makeOwnerOnly() {
        try {
            // open's mode passes through the umask, which may have cut an owner bit, never added one
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot make file owner-only: path=" + path, e);
        }
    }

    private void deleteQuietly() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("cannot remove file after a failed allocation: path={}", path, e);
        }
    }

    /** Free bytes for this user on the file's filesystem, or -1 when that cannot be told. */
    private long freeBytes() {
        Path dir = path.getParent();
        try {
            return Files.getFileStore(dir != null ? dir : path).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    private void checkLength(long length) {
        if (length <= 0) {
            throw new IllegalArgumentException("length must be positive: length=" + length + " path=" + path);
        }
    }

    /** strerror(3)'s text for the errors open and fallocate can give here. */
    private static String reason(int errno) {
        return switch (errno) {
            case EPERM -> "Operation not permitted";
            case ENOENT -> "No such file or directory";
            case EBADF -> "Bad file descriptor";
            case EACCES -> "Permission denied";
            case EEXIST -> "File exists";
            case ENOTDIR -> "Not a directory";
            case EISDIR -> "Is a directory";
            case EFBIG -> "File too large";
            case EROFS -> "Read-only file system";
            case ELOOP -> "Too many levels of symbolic links";
            default -> "see errno(3)";
        };
    }

    @Override
    public String toString() {
        return "<FileSpace: path=" + path + ">";
    }
}
