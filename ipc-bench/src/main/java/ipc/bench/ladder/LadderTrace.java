package ipc.bench.ladder;

import ipc.bench.baseline.ChronicleQueuePingPong;
import ipc.bench.harness.Placement;
import ipc.bench.library.MessageProcessRoundTrip;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.LongSupplier;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import org.HdrHistogram.Histogram;

/**
 * Not a benchmark: a diagnosis aid for the ladder's tail. Runs one rung's round trip (the JMH
 * class's own set-up, operation and tear-down, called in a plain loop) and commits every round
 * trip slower than a threshold as a JFR event {@code ipc.bench.SlowRoundTrip}, so that in a
 * recording of this JVM ({@code -XX:StartFlightRecording}) and of the peer
 * ({@code -Dipc.bench.peerJvmArgs=...}) each outlier lies on the same timeline as the GCs,
 * safepoints, parks and file operations around it. How it was used: native-notes/latency.md.
 *
 * <p>{@code args}: rung (codec, spin, doorbell, dispatch, message, chronicle), warm-up seconds,
 * measured seconds, threshold in microseconds.
 */
public final class LadderTrace {

    /** A round trip slower than the threshold, committed only when it is one (no stack: the event marks a time span). */
    @Name("ipc.bench.SlowRoundTrip")
    @Label("Slow round trip")
    @Category("ipc")
    @Description("A ladder round trip slower than the trace's threshold")
    @StackTrace(false)
    static final class SlowRoundTrip extends Event {
        @Label("Rung")
        String rung;
        @Label("Sequence")
        long sequence;
        @Label("Frontend involuntary switches")
        @Description("Involuntary context switches of the timing thread since the previous slow round trip")
        long ownInvoluntary;
        @Label("Frontend voluntary switches")
        long ownVoluntary;
        @Label("Peer involuntary switches")
        @Description("Of the peer's busiest thread (its echo loop), since the previous slow round trip")
        long peerInvoluntary;
        @Label("Peer voluntary switches")
        long peerVoluntary;
    }

    /**
     * Context-switch counts of one thread from /proc ({@code voluntary_ctxt_switches},
     * {@code nonvoluntary_ctxt_switches}), read only after a slow round trip: a fast one (under the
     * threshold) cannot have held a preemption of a time slice, so a count that moved since the
     * previous slow one most likely moved inside this one.
     */
    private static final class Switches {
        private final Path status;
        private long voluntary;
        private long involuntary;

        Switches(Path status) {
            this.status = status;
            read();
        }

        /** Re-reads the counts; answers {voluntary, involuntary} deltas since the last read. */
        long[] read() {
            long v = voluntary;
            long n = involuntary;
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("voluntary_ctxt_switches:")) {
                        voluntary = Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
                    } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                        involuntary = Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
                    }
                }
            } catch (IOException | RuntimeException e) {
                return new long[] {-1, -1}; // the peer is gone: no count, the trace goes on
            }
            return new long[] {voluntary - v, involuntary - n};
        }
    }

    /** The status file of the child JVM's thread with the most CPU time: the peer's echo loop after the warm-up. */
    private static Path busiestPeerThread() throws IOException {
        ProcessHandle child = ProcessHandle.current().children().findFirst()
                .orElseThrow(() -> new IllegalStateException("no peer process"));
        Path best = null;
        long bestTicks = -1;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(child.pid()), "task"))) {
            for (Path task : tasks.toList()) {
                String stat = Files.readString(task.resolve("stat"));
                // after the ")" that ends the thread name: state is field 3, utime 14, stime 15
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
                if (ticks > bestTicks) {
                    bestTicks = ticks;
                    best = task.resolve("status");
                }
            }
        }
        return best;
    }

    private LadderTrace() {
    }

    public static void main(String[] args) throws Exception {
        String rung = args[0];
        Duration warmup = Duration.ofSeconds(Long.parseLong(args[1]));
        Duration measure = Duration.ofSeconds(Long.parseLong(args[2]));
        long thresholdNanos = Long.parseLong(args[3]) * 1_000;
        Runnable stop;
        LongSupplier roundTrip;
        switch (rung) {
            case "chronicle" -> {
                ChronicleQueuePingPong b = new ChronicleQueuePingPong();
                b.placement = System.getProperty("ipc.bench.placement", Placement.UNPINNED);
                b.start();
                roundTrip = b::roundTrip;
                stop = b::stop;
            }
            case "codec" -> {
                LadderFrameCodec b = new LadderFrameCodec();
                b.start();
                roundTrip = b::roundTrip;
                stop = b::stop;
            }
            case LadderChannel.SPIN, LadderChannel.DOORBELL -> {
                LadderChannel b = new LadderChannel();
                b.waiting = rung;
                b.start();
                roundTrip = b::roundTrip;
                stop = b::stop;
            }
            case "dispatch" -> {
                LadderDispatch b = new LadderDispatch();
                LadderDispatch.Dispatch state = new LadderDispatch.Dispatch();
                state.start();
                roundTrip = () -> b.roundTrip(state);
                stop = state::stop;
            }
            case "message" -> {
                MessageProcessRoundTrip b = new MessageProcessRoundTrip();
                MessageProcessRoundTrip.RoundTrip state = new MessageProcessRoundTrip.RoundTrip();
                MessageProcessRoundTrip.Where where = new MessageProcessRoundTrip.Where();
                where.placement = System.getProperty("ipc.bench.placement", Placement.UNPINNED);
                state.start(where);
                roundTrip = () -> b.roundTrip(state);
                stop = state::stop;
            }
            default -> throw new IllegalArgumentException("unknown rung: rung=" + rung);
        }
        try {
            run(roundTrip, warmup.toNanos(), Long.MAX_VALUE, null, rung, null, null);
            Switches own = new Switches(Path.of("/proc/thread-self/status"));
            Switches peer = new Switches(busiestPeerThread());
            // 1 ns to 1 min at 3 digits, as JMH's own sample histogram keeps them.
            Histogram histogram = new Histogram(60_000_000_000L, 3);
            long slow = run(roundTrip, measure.toNanos(), thresholdNanos, histogram, rung, own, peer);
            System.out.printf("rung=%s samples=%d slow(>%d us)=%d p50=%.3f p90=%.3f p99=%.3f p99.9=%.3f p99.99=%.3f max=%.3f us%n",
                    rung, histogram.getTotalCount(), thresholdNanos / 1_000, slow,
                    histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(90) / 1e3,
                    histogram.getValueAtPercentile(99) / 1e3, histogram.getValueAtPercentile(99.9) / 1e3,
                    histogram.getValueAtPercentile(99.99) / 1e3, histogram.getMaxValue() / 1e3);
        } finally {
            stop.run();
        }
    }

    /** Round trips for {@code nanos}; each slower than {@code thresholdNanos} is committed as an event. */
    private static long run(LongSupplier roundTrip, long nanos, long thresholdNanos, Histogram histogram, String rung,
                            Switches own, Switches peer) {
        long end = System.nanoTime() + nanos;
        long slow = 0;
        long sequence = 0;
        SlowRoundTrip event = new SlowRoundTrip();
        while (true) {
            event.begin();
            long start = System.nanoTime();
            roundTrip.getAsLong();
            long now = System.nanoTime();
            sequence++;
            if (histogram != null) {
                histogram.recordValue(now - start);
            }
            if (now - start > thresholdNanos) {
                event.end();
                event.rung = rung;
                event.sequence = sequence;
                if (own != null) {
                    long[] o = own.read();
                    long[] p = peer.read();
                    event.ownVoluntary = o[0];
                    event.ownInvoluntary = o[1];
                    event.peerVoluntary = p[0];
                    event.peerInvoluntary = p[1];
                }
                event.commit();
                slow++;
                event = new SlowRoundTrip();
            }
            if (now >= end) {
                return slow;
            }
        }
    }
}
