package ipc.bench.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * CPU time a process has used, from {@code /proc/<pid>/stat}: user plus system time of all its
 * threads, dead ones included (the kernel folds them into the process). For "an idle backend
 * uses under 1 % of a core", read before and after a quiet window and divide by its length.
 */
public final class ProcessCpu {

    /**
     * /proc reports times in USER_HZ ticks, which the kernel fixes at 100 for user space on every
     * architecture (sysconf(_SC_CLK_TCK)): 10 ms resolution, so a 5 s window resolves 0.2 % of a core.
     */
    static final long TICKS_PER_SECOND = 100;
    /** utime and stime are fields 14 and 15 (1-based) of /proc/<pid>/stat, counted after the ")" of the name. */
    private static final int UTIME_AFTER_NAME = 11;
    private static final int STIME_AFTER_NAME = 12;

    private ProcessCpu() {
    }

    /** User plus system CPU time of {@code pid} so far; IllegalStateException naming the pid when it is gone. */
    public static Duration cpuTime(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc stat of pid=" + pid, e);
        }
        // The name (field 2) is in parentheses and may hold spaces or ')': split after the last ')'.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[UTIME_AFTER_NAME]) + Long.parseLong(fields[STIME_AFTER_NAME]);
        return Duration.ofMillis(ticks * 1_000 / TICKS_PER_SECOND);
    }
}
