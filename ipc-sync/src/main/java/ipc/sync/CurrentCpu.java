package ipc.sync;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * The CPU the calling thread runs on, from glibc's {@code sched_getcpu()} through an FFM downcall
 * (no system call: glibc reads it from the thread's rseq area or the vDSO, a few nanoseconds).
 *
 * <p>Spin waits use it to decide whether to yield (native-notes/futex.md, "Yielding to a peer on
 * the same core"): a waiter yields its core only when the thread it waits for last ran on that
 * same core, since yielding to any other runnable thread only delays the waiter.
 *
 * <p>The answer may be stale by the time the caller reads it (the kernel may migrate the thread at
 * any moment): it is a hint, never a basis for correctness.
 */
public final class CurrentCpu {
    /** What {@link #id()} returns where the CPU cannot be read. */
    public static final int UNKNOWN = -1;

    private static final MethodHandle SCHED_GETCPU;

    static {
        MethodHandle handle = null;
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            try {
                Linker linker = Linker.nativeLinker();
                MemorySegment symbol = linker.defaultLookup().find("sched_getcpu").orElse(null);
                if (symbol != null) {
                    // Never blocks, never calls back into Java: no thread-state transition needed.
                    handle = linker.downcallHandle(symbol, FunctionDescriptor.of(ValueLayout.JAVA_INT),
                        Linker.Option.critical(false));
                    if ((int) handle.invokeExact() < 0) {
                        handle = null;
                    }
                }
            } catch (Throwable e) { // native access restricted or unsupported: no hint
                handle = null;
            }
        }
        SCHED_GETCPU = handle;
    }

    private CurrentCpu() {
    }

    /** The calling thread's CPU number, or {@link #UNKNOWN}. */
    public static int id() {
        MethodHandle handle = SCHED_GETCPU;
        if (handle == null) {
            return UNKNOWN;
        }
        try {
            return (int) handle.invokeExact();
        } catch (Throwable e) {
            return UNKNOWN;
        }
    }

    /** Whether {@link #id()} can answer on this system. */
    public static boolean isAvailable() {
        return SCHED_GETCPU != null;
    }
}
