package ipc.core.launch;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Locale;

/**
 * A blocking wait for another process's exit that costs nothing while it waits: a pidfd
 * ({@code pidfd_open(2)}, Linux 5.3) polled together with an eventfd that {@link #cancel} writes,
 * in one {@code poll(2)} with no timeout. The kernel makes a pidfd readable when the process's
 * last thread has exited, zombie or reaped, so a parent that died but is not yet reaped counts as
 * gone; a pid recycled later is not confused with it (the pidfd holds the process, not the number).
 *
 * <p>Why: {@link FrontendWatchdog} is a backend's one library thread that would otherwise wake
 * periodically while messages flow (every 200 ms, on whatever CPU the scheduler picks, the hot
 * path's included); with this it wakes once, at the frontend's death. Where the calls are missing
 * (not Linux, an older kernel, no native access) {@link #open} returns null and the watchdog polls
 * as before.
 *
 * <p>One waiter thread: {@link #await} from one thread, {@link #cancel} from any; the waiter closes
 * both descriptors when it returns.
 */
public final class ProcessExitWait {

    /** {@link #await} result: the process has exited. */
    static final int EXITED = 0;
    /** {@link #await} result: {@link #cancel} was called. */
    static final int CANCELLED = 1;

    private static final int POLLIN = 0x1;
    private static final int EINTR = 4;
    private static final int ESRCH = 3;
    private static final int EFD_CLOEXEC = 0x80000;
    /** struct pollfd { int fd; short events; short revents; }: two of them, pidfd then eventfd. */
    private static final long POLLFD_BYTES = 8;
    private static final long REVENTS_OFFSET = 6;

    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final long SYS_PIDFD_OPEN;
    private static final MethodHandle PIDFD_OPEN; // long syscall(long, ...) with (int pid, int flags)
    private static final MethodHandle EVENTFD;    // int eventfd(unsigned initval, int flags)
    private static final MethodHandle POLL;       // int poll(struct pollfd *fds, nfds_t nfds, int timeout)
    private static final MethodHandle WRITE;      // ssize_t write(int fd, const void *buf, size_t count)
    private static final MethodHandle CLOSE;      // int close(int fd)
    private static final String UNAVAILABLE_REASON;

    static {
        long number = -1;
        MethodHandle pidfdOpen = null;
        MethodHandle eventfd = null;
        MethodHandle poll = null;
        MethodHandle write = null;
        MethodHandle close = null;
        String reason = null;
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            reason = "not Linux: os.name=" + System.getProperty("os.name");
        } else if (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64")) {
            number = 434; // one number on every architecture since 5.3 (the unified syscall table)
        } else {
            reason = "no pidfd_open syscall number for os.arch=" + arch;
        }
        if (reason == null) {
            try {
                Linker linker = Linker.nativeLinker();
                Linker.Option errno = Linker.Option.captureCallState("errno");
                pidfdOpen = linker.downcallHandle(find(linker, "syscall"),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT),
                    Linker.Option.firstVariadicArg(1), errno);
                eventfd = linker.downcallHandle(find(linker, "eventfd"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), errno);
                poll = linker.downcallHandle(find(linker, "poll"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_INT), errno);
                write = linker.downcallHandle(find(linker, "write"),
                    FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                        ValueLayout.JAVA_LONG));
                close = linker.downcallHandle(find(linker, "close"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            } catch (RuntimeException e) { // restricted (no native access) or unsupported: say why
                reason = "process-exit downcalls unavailable: " + e;
                number = -1;
            }
        }
        SYS_PIDFD_OPEN = number;
        PIDFD_OPEN = pidfdOpen;
        EVENTFD = eventfd;
        POLL = poll;
        WRITE = write;
        CLOSE = close;
        UNAVAILABLE_REASON = reason;
    }

    private final long pid;
    private final int pidfd;
    private final int cancelFd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment fds;
    private final MemorySegment capture;
    private final MemorySegment one;
    /** Guarded by this: the descriptors are closed (a cancel after that must not write to a reused fd number). */
    private boolean released;

    /** Returned by {@link #open} for a process that does not exist: {@link #await} returns {@link #EXITED} at once. */
    static final ProcessExitWait GONE = new ProcessExitWait();

    private ProcessExitWait(long pid, int pidfd, int cancelFd) {
        this.pid = pid;
        this.pidfd = pidfd;
        this.cancelFd = cancelFd;
        this.fds = arena.allocate(2 * POLLFD_BYTES, 8);
        this.capture = arena.allocate(CAPTURE_LAYOUT);
        this.one = arena.allocate(ValueLayout.JAVA_LONG);
        one.set(ValueLayout.JAVA_LONG, 0, 1L);
        fds.set(ValueLayout.JAVA_INT, 0, pidfd);
        fds.set(ValueLayout.JAVA_SHORT, 4, (short) POLLIN);
        fds.set(ValueLayout.JAVA_INT, POLLFD_BYTES, cancelFd);
        fds.set(ValueLayout.JAVA_SHORT, POLLFD_BYTES + 4, (short) POLLIN);
    }

    /** Why {@link #open} cannot work here, or null when it can. */
    public static String unavailableReason() {
        return UNAVAILABLE_REASON;
    }

    /**
     * A wait for {@code pid}'s exit; {@link #GONE} when there is no such process already; null when
     * pidfds are not available here (the caller falls back to polling).
     */
    static ProcessExitWait open(long pid) {
        if (UNAVAILABLE_REASON != null || pid <= 0 || pid > Integer.MAX_VALUE) {
            return null;
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(CAPTURE_LAYOUT);
            long pidfd = (long) PIDFD_OPEN.invokeExact(state, SYS_PIDFD_OPEN, (int) pid, 0);
            if (pidfd < 0) {
                int errno = (int) ERRNO.get(state, 0L);
                return errno == ESRCH ? GONE : null; // ENOSYS (pre-5.3), EPERM (seccomp): poll instead
            }
            int cancel = (int) EVENTFD.invokeExact(state, 0, EFD_CLOEXEC);
            if (cancel < 0) {
                int ignored = (int) CLOSE.invokeExact((int) pidfd);
                return null;
            }
            return new ProcessExitWait(pid, (int) pidfd, cancel);
        } catch (Throwable e) {
            return null;
        }
    }

    private ProcessExitWait() {
        this.pid = -1;
        this.pidfd = -1;
        this.cancelFd = -1;
        this.fds = null;
        this.capture = null;
        this.one = null;
        arena.close();
    }

    /**
     * Blocks until the process exits ({@link #EXITED}) or {@link #cancel} is called ({@link #CANCELLED}),
     * then releases the descriptors. Once only.
     */
    int await() {
        if (this == GONE) {
            return EXITED;
        }
        try {
            while (true) {
                int ready = (int) POLL.invokeExact(capture, fds, 2L, -1);
                if (ready < 0) {
                    int errno = (int) ERRNO.get(capture, 0L);
                    if (errno == EINTR) {
                        continue;
                    }
                    throw new IllegalStateException("poll on a pidfd failed: pid=" + pid + " errno=" + errno);
                }
                if ((fds.get(ValueLayout.JAVA_SHORT, POLLFD_BYTES + REVENTS_OFFSET) & POLLIN) != 0) {
                    return CANCELLED;
                }
                if (fds.get(ValueLayout.JAVA_SHORT, REVENTS_OFFSET) != 0) {
                    return EXITED; // POLLIN at exit; POLLHUP/POLLERR also mean no process behind it
                }
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("poll downcall failed: pid=" + pid, e);
        } finally {
            release();
        }
    }

    /** Makes {@link #await} return {@link #CANCELLED}; harmless after it has returned or twice. */
    void cancel() {
        if (this == GONE) {
            return;
        }
        synchronized (this) {
            if (released) {
                return;
            }
            try {
                long ignored = (long) WRITE.invokeExact(cancelFd, one, 8L);
            } catch (Throwable e) {
                throw new IllegalStateException("eventfd write failed: pid=" + pid, e);
            }
        }
    }

    private synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        try {
            int a = (int) CLOSE.invokeExact(pidfd);
            int b = (int) CLOSE.invokeExact(cancelFd);
        } catch (Throwable e) {
            // nothing left to do: the descriptors die with the JVM
        }
        arena.close();
    }

    private static MemorySegment find(Linker linker, String name) {
        return linker.defaultLookup().find(name)
            .orElseThrow(() -> new IllegalStateException("libc has no symbol: name=" + name));
    }
}
