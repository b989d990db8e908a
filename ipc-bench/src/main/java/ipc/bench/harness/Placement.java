package ipc.bench.harness;

import ipc.sync.Affinity;

/**
 * The two CPU placements the round-trip benchmarks run in ({@code @Param placement}):
 * {@value #UNPINNED}, where the scheduler places both threads as it likes, and {@value #PINNED},
 * where the benchmark thread runs on {@link #frontendCpu()} and the peer's echo thread on
 * {@link #backendCpu()}: the field-standard set-up for a latency-critical pair (the first and
 * last CPU this process may use, so on this 2-core machine one core each).
 */
public final class Placement {

    public static final String UNPINNED = "unpinned";
    public static final String PINNED = "pinned";

    private Placement() {
    }

    /** True for {@value #PINNED}; false for {@value #UNPINNED} or null (a caller outside JMH). */
    public static boolean pinned(String placement) {
        if (placement == null || UNPINNED.equals(placement)) {
            return false;
        }
        if (PINNED.equals(placement)) {
            return true;
        }
        throw new IllegalArgumentException("placement must be " + UNPINNED + " or " + PINNED + ": placement=" + placement);
    }

    /** The benchmark (frontend) thread's CPU when pinned. */
    public static int frontendCpu() {
        int[] cpus = cpus();
        return cpus[0];
    }

    /** The peer's (backend's) echo thread's CPU when pinned: another CPU than {@link #frontendCpu()}. */
    public static int backendCpu() {
        int[] cpus = cpus();
        return cpus[cpus.length - 1];
    }

    /** Pins the calling thread to {@link #frontendCpu()} when {@code placement} says so. */
    public static void pinFrontend(String placement) {
        if (pinned(placement)) {
            Affinity.pin(frontendCpu());
        }
    }

    /** Undoes {@link #pinFrontend}: the calling thread may run on every CPU of the process again. */
    public static void unpinFrontend(String placement) {
        if (pinned(placement)) {
            Affinity.unpin();
        }
    }

    private static int[] cpus() {
        int[] cpus = Affinity.processCpus();
        if (cpus.length < 2) {
            throw new IllegalStateException("a pinned round trip needs two CPUs: cpus=" + java.util.Arrays.toString(cpus));
        }
        return cpus;
    }
}
