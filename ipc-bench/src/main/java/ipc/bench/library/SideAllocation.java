package ipc.bench.library;

import ipc.core.MessageObject;
import ipc.core.Pipe;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * The per-side allocation of an echo round trip with an {@link EchoProcess} backend, for a
 * benchmark's {@code @AuxCounters} state: {@link #mark} when an iteration begins (on the
 * benchmark thread), {@link #count} per round trip, {@link #collect} after the iteration's last
 * round trip. The frontend's bytes are this thread's (ThreadMXBean); the backend's are its loop
 * thread's, which it reports on {@code stats} and whose window ends before it answers, so the
 * stats exchange counts in no iteration.
 */
public final class SideAllocation {
    /** A stats answer waits behind no message (each round trip has ended): 60 s only catches a hang. */
    private static final Duration STATS_TIMEOUT = Duration.ofSeconds(60);
    private static final MessageObject STATS_REQUEST = new MessageObject(EchoProcess.STATS);

    private final com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private final EchoProcess process;
    private final Pipe pipe;
    private long roundTrips;
    private long allocatedMark;
    private double frontendPerRoundTrip;
    private double backendPerEcho;

    public SideAllocation(EchoProcess process) {
        this.process = process;
        this.pipe = process.getPipe();
    }

    public void mark() {
        roundTrips = 0;
        allocatedMark = threads.getCurrentThreadAllocatedBytes();
    }

    public void count() {
        roundTrips++;
    }

    public void collect() {
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedMark;
        process.sendMessageToBack(STATS_REQUEST);
        MessageObject stats = pipe.recv(STATS_TIMEOUT);
        if (stats == null || !EchoProcess.STATS.equals(stats.command())) {
            throw new IllegalStateException("no stats from the echo backend: reply=" + stats
                    + " exitCode=" + process.exitCode());
        }
        frontendPerRoundTrip = roundTrips == 0 ? 0 : (double) allocated / roundTrips;
        long echoes = stats.getLong(EchoProcess.MESSAGES);
        backendPerEcho = echoes == 0 ? 0 : (double) stats.getLong(EchoProcess.ALLOCATED) / echoes;
    }

    /** Bytes the frontend thread allocated per round trip in the last collected iteration. */
    public double frontendPerRoundTrip() {
        return frontendPerRoundTrip;
    }

    /** Bytes the backend's loop thread allocated per echo in the last collected iteration. */
    public double backendPerEcho() {
        return backendPerEcho;
    }
}
