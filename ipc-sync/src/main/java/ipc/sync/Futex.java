package ipc.sync;

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
 * Linux futex on a 4-byte word of a shared segment, through an FFM downcall to
 * {@code syscall(SYS_futex, ...)}: {@code FUTEX_WAIT} with a relative timeout and
 * {@code FUTEX_WAKE}, the shared operations (no {@code FUTEX_PRIVATE_FLAG}), so a waiter in one
 * process is woken by a waker in another that maps the same file.
 *
 * <p>{@link #isAvailable()} is false when the system property {@code ipc.sync.futex=false} is set,
 * on an OS/architecture other than Linux x86_64/aarch64, or when the downcall cannot be linked
 * or fails its probe; callers then use timed parking (see {@link Doorbell}).
 * {@link #await} and {@link #wake} throw {@link UnsupportedOperationException} in that case.
 *
 * <p>Implementation notes: the word's address is passed as a plain {@code long} and the
 * timespec is per-thread scratch memory, so neither call allocates. Neither captures errno on its
 * usual path either: capturing makes the JDK slice the capture segment on every call
 * ({@code SharedUtils.checkCaptureSegment}, a 40-byte segment object per wake and per wait on
 * JDK 25, measured; C2 does not always remove it). A wake captures errno only to report a failure
 * (after retrying, which is harmless: sleepers re-check their condition); a wait that returns -1
 * is classified from the word and the clock, and captures errno only when neither explains it.
 * {@link Thread#interrupt()} does not break a thread out of {@code FUTEX_WAIT} (the JVM sends
 * no signal), so callers wait in bounded slices and check interruption between them.
 */
public final class Futex {
    /** {@link #await} result: woken by {@link #wake} (or spuriously: the kernel allows it). */
    public static final int WOKEN = 0;
    /** {@link #await} result: the relative timeout elapsed. */
    public static final int TIMED_OUT = 1;
    /**
     * {@link #await} result: the word did not hold {@code expected} when the kernel checked
     * (EAGAIN), or no longer held it when an interrupted or timed-out wait returned.
     */
    public static final int VALUE_CHANGED = 2;
    /** {@link #await} result: a signal handler ran (EINTR). */
    public static final int INTERRUPTED = 3;

    /** System property: {@code false} forces the timed-parking fallback (for tests and odd kernels). */
    public static final String ENABLED_PROPERTY = "ipc.sync.futex";
    /** A timeout meaning "no timeout": the syscall gets a null timespec. */
    public static final long NO_TIMEOUT = Long.MAX_VALUE;

    // linux/futex.h: the shared ops; FUTEX_PRIVATE_FLAG (128) would key the wait on the mm and
    // break cross-process wake-ups.
    private static final int FUTEX_WAIT = 0;
    private static final int FUTEX_WAKE = 1;
    // asm-generic/errno*.h (the same numbers on x86_64 and aarch64).
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int ETIMEDOUT = 110;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final VarHandle WORD = ValueLayout.JAVA_INT.varHandle();
    /** struct timespec { long tv_sec; long tv_nsec; } on LP64. */
    private static final StructLayout TIMESPEC = MemoryLayout.structLayout(
        ValueLayout.JAVA_LONG.withName("tv_sec"), ValueLayout.JAVA_LONG.withName("tv_nsec"));
    private static final long TIMESPEC_OFFSET = Math.ceilDiv(CAPTURE_LAYOUT.byteSize(), 8) * 8;
    private static final long SCRATCH_BYTES = TIMESPEC_OFFSET + TIMESPEC.byteSize();

    private static final long SYS_FUTEX;
    /** FUTEX_WAIT with errno captured: only when a failed wait is neither a change nor a timeout. */
    private static final MethodHandle WAIT;
    /** FUTEX_WAKE with errno captured: only to report a failed wake. */
    private static final MethodHandle WAKE;
    /** The usual path of each call: the same downcalls without capturing errno (see the class notes). */
    private static final MethodHandle WAIT_UNCAPTURED;
    private static final MethodHandle WAKE_UNCAPTURED;
    private static final String UNAVAILABLE_REASON;

    /** Per-thread errno capture buffer followed by a timespec; GC-managed (dies with the thread). */
    private static final ThreadLocal<MemorySegment> SCRATCH =
        ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(SCRATCH_BYTES, 8));

    static {
        long sysFutex = -1;
        MethodHandle wait = null;
        MethodHandle wake = null;
        MethodHandle waitUncaptured = null;
        MethodHandle wakeUncaptured = null;
        String reason = null;
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if ("false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY))) {
            reason = "disabled by -D" + ENABLED_PROPERTY + "=false";
        } else if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            reason = "not Linux: os.name=" + System.getProperty("os.name");
        } else if (arch.equals("amd64") || arch.equals("x86_64")) {
            sysFutex = 202; // arch/x86/entry/syscalls/syscall_64.tbl
        } else if (arch.equals("aarch64")) {
            sysFutex = 98; // include/uapi/asm-generic/unistd.h
        } else {
            reason = "no futex syscall number for os.arch=" + arch;
        }
        if (reason == null) {
            try {
                Linker linker = Linker.nativeLinker();
                MemorySegment syscall = linker.defaultLookup().find("syscall")
                    .orElseThrow(() -> new IllegalStateException("libc has no syscall symbol"));
                // long syscall(long number, ...): the word address and the timespec pointer go as
                // longs (same register class as a pointer) so that no MemorySegment is built per call.
                FunctionDescriptor futexCall = FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_LONG);
                Linker.Option variadic = Linker.Option.firstVariadicArg(1);
                Linker.Option errno = Linker.Option.captureCallState("errno");
                wait = linker.downcallHandle(syscall, futexCall, variadic, errno);
                // FUTEX_WAKE never blocks, so it may skip the Java-to-native thread transition.
                wake = linker.downcallHandle(syscall, futexCall, variadic, errno, Linker.Option.critical(false));
                waitUncaptured = linker.downcallHandle(syscall, futexCall, variadic);
                wakeUncaptured = linker.downcallHandle(syscall, futexCall, variadic, Linker.Option.critical(false));
                sysFutex = probe(sysFutex, wake);
            } catch (Throwable e) { // linking is restricted or unsupported: fall back, say why
                reason = "futex downcall unavailable: " + e;
                sysFutex = -1;
                wait = null;
                wake = null;
                waitUncaptured = null;
                wakeUncaptured = null;
            }
        }
        SYS_FUTEX = sysFutex;
        WAIT = wait;
        WAKE = wake;
        WAIT_UNCAPTURED = waitUncaptured;
        WAKE_UNCAPTURED = wakeUncaptured;
        UNAVAILABLE_REASON = reason;
    }

    private Futex() {
    }

    /** A FUTEX_WAKE with count 0 on a private word must return 0; anything else disables futex. */
    private static long probe(long sysFutex, MethodHandle wake) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment word = arena.allocate(4, 4);
            MemorySegment capture = arena.allocate(CAPTURE_LAYOUT);
            long result = (long) wake.invokeExact(capture, sysFutex, word.address(), FUTEX_WAKE, 0, 0L);
            if (result != 0) {
                throw new IllegalStateException("futex probe failed: result=" + result
                    + " errno=" + (int) ERRNO.get(capture, 0L));
            }
        }
        return sysFutex;
    }

    /** Whether the futex downcall is in use; false means callers must use timed parking. */
    public static boolean isAvailable() {
        return WAIT != null;
    }

    /** Why {@link #isAvailable()} is false, or {@code "available"}; for logs and error messages. */
    public static String status() {
        return UNAVAILABLE_REASON == null ? "available" : UNAVAILABLE_REASON;
    }

    /**
     * {@code FUTEX_WAIT}: sleeps while the int at {@code segment[offset]} equals {@code expected},
     * for at most {@code timeoutNanos} ({@link #NO_TIMEOUT}: no limit; {@code <= 0}: no sleep).
     * The kernel compares and enqueues atomically with respect to {@link #wake}, which is what
     * makes "check the word, then sleep" safe against a concurrent store-then-wake.
     *
     * @return {@link #WOKEN}, {@link #TIMED_OUT}, {@link #VALUE_CHANGED} or {@link #INTERRUPTED}
     * @throws IllegalArgumentException when the word is out of bounds, not 4-byte aligned, or
     *                                  the segment is not native memory
     * @throws IllegalStateException    when the segment was unmapped, or on any other errno, naming it
     */
    public static int await(MemorySegment segment, long offset, int expected, long timeoutNanos) {
        long address = wordAddress(segment, offset);
        if (timeoutNanos <= 0) {
            return TIMED_OUT;
        }
        long start = System.nanoTime();
        MemorySegment scratch = SCRATCH.get();
        long result;
        try {
            result = (long) WAIT_UNCAPTURED.invokeExact(SYS_FUTEX, address, FUTEX_WAIT, expected,
                timespec(scratch, timeoutNanos));
        } catch (Throwable e) {
            throw new IllegalStateException("futex wait downcall failed: offset=" + offset, e);
        }
        if (result == 0) {
            return WOKEN;
        }
        // -1 without errno: a word that no longer holds expected is EAGAIN (or a change while
        // asleep, which callers treat alike: they re-check the word); a spent timeout is
        // ETIMEDOUT. Anything else (EINTR, or a real error) waits again for the time left with
        // errno captured, which reports it as before; a spurious return is allowed by the kernel
        // anyway.
        if ((int) WORD.getVolatile(segment, offset) != expected) {
            return VALUE_CHANGED;
        }
        long remaining = timeoutNanos == NO_TIMEOUT ? NO_TIMEOUT : timeoutNanos - (System.nanoTime() - start);
        if (remaining <= 0) {
            return TIMED_OUT;
        }
        return awaitCapturingErrno(scratch, address, offset, expected, remaining);
    }

    private static int awaitCapturingErrno(MemorySegment scratch, long address, long offset, int expected,
                                           long timeoutNanos) {
        long result;
        try {
            result = (long) WAIT.invokeExact(scratch, SYS_FUTEX, address, FUTEX_WAIT, expected,
                timespec(scratch, timeoutNanos));
        } catch (Throwable e) {
            throw new IllegalStateException("futex wait downcall failed: offset=" + offset, e);
        }
        if (result == 0) {
            return WOKEN;
        }
        int errno = (int) ERRNO.get(scratch, 0L);
        return switch (errno) {
            case ETIMEDOUT -> TIMED_OUT;
            case EAGAIN -> VALUE_CHANGED;
            case EINTR -> INTERRUPTED;
            default -> throw new IllegalStateException("futex wait failed: errno=" + errno + " offset=" + offset
                + " address=0x" + Long.toHexString(address));
        };
    }

    /** The timespec pointer for {@code timeoutNanos}, written into the thread's scratch; 0 (null) for no timeout. */
    private static long timespec(MemorySegment scratch, long timeoutNanos) {
        if (timeoutNanos == NO_TIMEOUT) {
            return 0L;
        }
        scratch.set(ValueLayout.JAVA_LONG, TIMESPEC_OFFSET, timeoutNanos / NANOS_PER_SECOND);
        scratch.set(ValueLayout.JAVA_LONG, TIMESPEC_OFFSET + 8, timeoutNanos % NANOS_PER_SECOND);
        return scratch.address() + TIMESPEC_OFFSET;
    }

    /**
     * {@code FUTEX_WAKE}: wakes up to {@code count} threads (any process) sleeping on the word.
     *
     * @return how many were woken
     * @throws IllegalArgumentException as {@link #await}, or when {@code count < 0}
     * @throws IllegalStateException    on an errno, naming it
     */
    public static int wake(MemorySegment segment, long offset, int count) {
        long address = wordAddress(segment, offset);
        if (count < 0) {
            throw new IllegalArgumentException("wake count must be >= 0: count=" + count);
        }
        long result;
        try {
            result = (long) WAKE_UNCAPTURED.invokeExact(SYS_FUTEX, address, FUTEX_WAKE, count, 0L);
        } catch (Throwable e) {
            throw new IllegalStateException("futex wake downcall failed: offset=" + offset, e);
        }
        if (result >= 0) {
            return (int) result;
        }
        // Failed: once more with errno captured, to say why (waking twice only costs sleepers a re-check).
        MemorySegment scratch = SCRATCH.get();
        try {
            result = (long) WAKE.invokeExact(scratch, SYS_FUTEX, address, FUTEX_WAKE, count, 0L);
        } catch (Throwable e) {
            throw new IllegalStateException("futex wake downcall failed: offset=" + offset, e);
        }
        if (result < 0) {
            int errno = (int) ERRNO.get(scratch, 0L);
            throw new IllegalStateException("futex wake failed: errno=" + errno + " offset=" + offset
                + " address=0x" + Long.toHexString(address));
        }
        return (int) result;
    }

    private static long wordAddress(MemorySegment segment, long offset) {
        if (WAIT == null) {
            throw new UnsupportedOperationException("futex unavailable: " + UNAVAILABLE_REASON);
        }
        if (!segment.isNative()) {
            throw new IllegalArgumentException("futex word must be in native memory: segment=" + segment);
        }
        if (offset < 0 || offset > segment.byteSize() - Integer.BYTES) {
            throw new IllegalArgumentException("futex word out of bounds: offset=" + offset
                + " segmentSize=" + segment.byteSize());
        }
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("futex word in an unmapped segment: offset=" + offset);
        }
        long address = segment.address() + offset;
        if ((address & (Integer.BYTES - 1)) != 0) {
            throw new IllegalArgumentException("futex word must be 4-byte aligned: offset=" + offset
                + " address=0x" + Long.toHexString(address));
        }
        return address;
    }
}
