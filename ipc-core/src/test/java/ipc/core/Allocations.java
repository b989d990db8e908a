package ipc.core;

import java.lang.management.ManagementFactory;

/** Bytes this thread allocated, from {@link com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes()}. */
public final class Allocations {
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Allocations() {
    }

    public static long allocatedByThisThread() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /** Bytes the measurement itself costs (two calls), to subtract. */
    public static long overhead() {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            long a = allocatedByThisThread();
            long b = allocatedByThisThread();
            min = Math.min(min, b - a);
        }
        return min;
    }
}
