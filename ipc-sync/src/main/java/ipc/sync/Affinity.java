package ipc.sync;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * CPU placement of threads: which CPUs a thread may run on (its affinity mask), read and set
 * through FFM downcalls to glibc's {@code sched_getaffinity} / {@code sched_setaffinity}.
 *
 * <pre>{@code
 * Affinity.pin(3);                        // this thread runs on CPU 3 only
 * int[] mine = Affinity.cpus();           // [3]
 * Affinity.unpin();                       // back to every CPU of the process
 * }</pre>
 *
 * <p>Semantics (Linux): a mask belongs to a thread, not to the process. {@code pin} changes the
 * calling thread only; other threads keep theirs. A thread (and a child process) starts with the
 * mask of the thread that created it, so a thread started by a pinned thread is pinned too: start
 * helper threads before pinning, or call {@link #unpin()} in them. {@link #cpus()} is the calling
 * thread's mask, which for a thread nobody pinned is the set the process was started with (by
 * {@code taskset}, a cgroup cpuset, or the whole machine). {@link #processCpus()} is the union of
 * the masks of every thread of the process, which a pin of some threads does not shrink; it is
 * what ipc-core gives a backend process whatever the spawning thread's pin.
 *
 * <p>Errors: a CPU the kernel refuses (offline, beyond the machine's CPUs, outside the cgroup's
 * cpuset: {@code EINVAL}) or a negative one is an {@link IllegalArgumentException} that names it
 * and the process's CPUs ({@code cpu=5 allowed=[0, 1]}); the calling thread's mask is then
 * unchanged. Off Linux, or without native access, every method throws
 * {@link UnsupportedOperationException}; {@link #isAvailable()} tells in advance.
 *
 * <p>Implementation notes: the two downcalls are linked once, at the first use of this class,
 * with {@code errno} captured ({@code Linker.Option.captureCallState}): an errno read after the
 * call could be the JVM's. A {@code cpu_set_t} is sized for the machine as glibc's
 * {@code CPU_ALLOC} does: the kernel refuses a read into a mask smaller than its CPU count
 * ({@code nr_cpu_ids}) with {@code EINVAL}, so a read starts at 1024 bits (glibc's fixed
 * {@code CPU_SETSIZE}) and doubles on EINVAL up to {@link #MAX_CPUS}. Each call allocates a
 * mask (confined arena, freed at return): placement is set once per thread, never on a hot path.
 * Why FFM and not OpenHFT's Java-Thread-Affinity: native-notes/affinity.md.
 */
public final class Affinity {
    /**
     * Largest CPU count handled: 32768 bits, one 4 KiB page of mask. The kernel's own cap
     * ({@code CONFIG_NR_CPUS}) is at most 8192 on x86_64 and 4096 on arm64, so 4x headroom; it
     * bounds the mask a doubling read may grow to, and a {@link #pin} past it is refused without a
     * system call (no kernel could accept it).
     */
    public static final int MAX_CPUS = 32_768;

    /** The first mask size tried: glibc's {@code CPU_SETSIZE}, enough for any machine of today. */
    private static final int FIRST_MASK_BITS = 1024;
    /** The kernel reads and writes masks in whole {@code unsigned long}s (it refuses other lengths in a read). */
    private static final int BITS_PER_WORD = Long.SIZE;

    // asm-generic/errno-base.h (the same on x86_64 and aarch64)
    private static final int ESRCH = 3;
    private static final int EINVAL = 22;

    private Affinity() {
    }

    /** Whether placement works here (Linux, native access enabled, both symbols in libc). */
    public static boolean isAvailable() {
        return Native.UNAVAILABLE_REASON == null;
    }

    /** Why {@link #isAvailable()} is false, or {@code "available"}; for logs and error messages. */
    public static String status() {
        return Native.UNAVAILABLE_REASON == null ? "available" : Native.UNAVAILABLE_REASON;
    }

    /**
     * Pins the calling thread to {@code cpu}: from return on, the kernel runs it on that CPU only.
     *
     * @throws IllegalArgumentException when the kernel refuses the CPU or {@code cpu < 0}, naming
     *                                  {@code cpu} and the process's CPUs; the thread's mask is unchanged
     */
    public static void pin(int cpu) {
        if (cpu < 0 || cpu >= MAX_CPUS) {
            throw refused(cpu);
        }
        BitSet mask = new BitSet();
        mask.set(cpu);
        if (!setMask(0, mask)) {
            throw refused(cpu);
        }
    }

    /**
     * Lets the calling thread run on exactly {@code cpus} (e.g. a pair of hyperthreads, or
     * {@link #processCpus()}). The kernel keeps those of them it can use (online, in the
     * cpuset); it refuses a set of which it can use none.
     *
     * @throws IllegalArgumentException when {@code cpus} is empty, holds a negative CPU or one of
     *                                  {@link #MAX_CPUS} or more, or the kernel can use none of them
     */
    public static void set(int[] cpus) {
        if (cpus.length == 0) {
            throw new IllegalArgumentException("cpus must not be empty: cpus=[]");
        }
        BitSet mask = new BitSet();
        for (int cpu : cpus) {
            if (cpu < 0 || cpu >= MAX_CPUS) {
                throw refused(cpus);
            }
            mask.set(cpu);
        }
        if (!setMask(0, mask)) {
            throw refused(cpus);
        }
    }

    /** Undoes a pin: lets the calling thread run on every CPU of {@link #processCpus()}. */
    public static void unpin() {
        set(processCpus());
    }

    /** The CPUs the calling thread may run on (its mask), ascending. */
    public static int[] cpus() {
        return toArray(getMask(0));
    }

    /**
     * The CPUs this process may run on: the union of the masks of all its threads
     * ({@code /proc/self/task}), ascending. Unlike {@link #cpus()} it does not shrink when the
     * calling thread, or any thread but all, is pinned: the JVM's own threads (GC, JIT) keep the
     * mask the process started with. One system call per thread; not for a hot path.
     */
    public static int[] processCpus() {
        BitSet union = new BitSet();
        Path tasks = Path.of("/proc/self/task");
        try (Stream<Path> entries = Files.list(tasks)) {
            for (Path task : (Iterable<Path>) entries::iterator) {
                int tid;
                try {
                    tid = Integer.parseInt(task.getFileName().toString());
                } catch (NumberFormatException notATask) {
                    continue;
                }
                BitSet mask = getMaskOrNull(tid);
                if (mask != null) { // null: the thread ended since the listing
                    union.or(mask);
                }
            }
        } catch (NoSuchFileException noProc) { // /proc not mounted: the best we know
            union.or(getMask(0));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list this process's threads: dir=" + tasks, e);
        }
        if (union.isEmpty()) {
            union.or(getMask(0));
        }
        return toArray(union);
    }

    // ------------------------------------------------------------------ internals

    private static IllegalArgumentException refused(int cpu) {
        return new IllegalArgumentException("cpu refused by the OS: cpu=" + cpu + " allowed=" + allowedText());
    }

    private static IllegalArgumentException refused(int[] cpus) {
        return new IllegalArgumentException("cpus refused by the OS: cpus=" + Arrays.toString(cpus)
            + " allowed=" + allowedText());
    }

    private static String allowedText() {
        try {
            return Arrays.toString(processCpus());
        } catch (RuntimeException e) { // the message must not hide the refusal
            return "unknown (" + e + ")";
        }
    }

    private static BitSet getMask(int tid) {
        BitSet mask = getMaskOrNull(tid);
        if (mask == null) {
            throw new IllegalStateException("sched_getaffinity: no such thread: tid=" + tid);
        }
        return mask;
    }

    /** The mask of thread {@code tid} (0: the calling thread); null when it has ended (ESRCH). */
    private static BitSet getMaskOrNull(int tid) {
        Native.require();
        for (int bits = FIRST_MASK_BITS; bits <= MAX_CPUS; bits *= 2) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment capture = arena.allocate(Native.CAPTURE_LAYOUT);
                MemorySegment mask = arena.allocate(bits / Byte.SIZE, Long.BYTES);
                int result = (int) Native.GET.invokeExact(capture, tid, mask.byteSize(), mask);
                if (result == 0) {
                    return BitSet.valueOf(mask.toArray(ValueLayout.JAVA_LONG));
                }
                int errno = (int) Native.ERRNO.get(capture, 0L);
                if (errno == ESRCH) {
                    return null;
                }
                if (errno != EINVAL) {
                    throw new IllegalStateException("sched_getaffinity failed: errno=" + errno + " tid=" + tid);
                }
                // EINVAL: the kernel has more CPUs than the mask has bits; grow as CPU_ALLOC would
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException("sched_getaffinity downcall failed: tid=" + tid, e);
            }
        }
        throw new IllegalStateException("sched_getaffinity: the kernel's CPU mask is larger than maxCpus="
            + MAX_CPUS + " tid=" + tid);
    }

    /** Sets the mask of {@code tid} (0: the calling thread); false when the kernel refuses it (EINVAL). */
    private static boolean setMask(int tid, BitSet cpus) {
        Native.require();
        int bits = Math.max(FIRST_MASK_BITS, Math.ceilDiv(cpus.length(), BITS_PER_WORD) * BITS_PER_WORD);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment capture = arena.allocate(Native.CAPTURE_LAYOUT);
            MemorySegment mask = arena.allocate(bits / Byte.SIZE, Long.BYTES);
            long[] words = cpus.toLongArray();
            MemorySegment.copy(words, 0, mask, ValueLayout.JAVA_LONG, 0, words.length);
            int result = (int) Native.SET.invokeExact(capture, tid, mask.byteSize(), mask);
            if (result == 0) {
                return true;
            }
            int errno = (int) Native.ERRNO.get(capture, 0L);
            if (errno == EINVAL) {
                return false;
            }
            throw new IllegalStateException("sched_setaffinity failed: errno=" + errno + " tid=" + tid
                + " cpus=" + cpus);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("sched_setaffinity downcall failed: tid=" + tid, e);
        }
    }

    private static int[] toArray(BitSet cpus) {
        return cpus.stream().toArray();
    }

    /** The downcalls, linked at the first use of placement (a holder class: once, lazily, thread-safely). */
    private static final class Native {
        static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        // int sched_getaffinity(pid_t pid, size_t cpusetsize, cpu_set_t *mask); the same shape for set
        private static final FunctionDescriptor CALL = FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS);
        static final MethodHandle GET;
        static final MethodHandle SET;
        static final String UNAVAILABLE_REASON;

        static {
            MethodHandle get = null;
            MethodHandle set = null;
            String reason = null;
            if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
                reason = "not Linux: os.name=" + System.getProperty("os.name");
            } else {
                try {
                    Linker linker = Linker.nativeLinker();
                    Linker.Option errno = Linker.Option.captureCallState("errno");
                    get = linker.downcallHandle(find(linker, "sched_getaffinity"), CALL, errno);
                    set = linker.downcallHandle(find(linker, "sched_setaffinity"), CALL, errno);
                } catch (RuntimeException e) { // restricted (no native access) or unsupported: say why
                    reason = "affinity downcalls unavailable: " + e;
                    get = null;
                    set = null;
                }
            }
            GET = get;
            SET = set;
            UNAVAILABLE_REASON = reason;
        }

        private static MemorySegment find(Linker linker, String name) {
            return linker.defaultLookup().find(name)
                .orElseThrow(() -> new IllegalStateException("libc has no symbol: name=" + name));
        }

        static void require() {
            if (UNAVAILABLE_REASON != null) {
                throw new UnsupportedOperationException("CPU affinity unsupported: " + UNAVAILABLE_REASON);
            }
        }
    }
}
