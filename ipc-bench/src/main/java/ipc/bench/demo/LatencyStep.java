package ipc.bench.demo;

import ipc.core.MessageObject;
import ipc.core.Pipe;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The demo's latency step, shared with {@link PlainProgram} so that the two summaries are made
 * the same way: echo round trips to one worker, timed one by one, after a warm-up that lasts
 * until the JIT of every JVM involved has gone quiet.
 *
 * <p>Why the warm-up waits for the JIT: on 2 cores the C2 threads of four JVMs are still busy
 * seconds after the path is hot. They take a core from the round trip, the frontend and the
 * backend then share the other one, and every hop becomes a context switch: p50 20-30 us where
 * the same code reads 1.5-2.5 us with the cores free (native-notes/latency.md, "The demo").
 */
final class LatencyStep {

    /** Round trips before the measured ones, at least, so that both JVMs have compiled the path (C2 needs ~10 k calls)... */
    static final int WARM_UP_ROUND_TRIPS = 20_000;
    /** ...and then until the JVMs' compile time grew by at most {@link #JIT_QUIET_MILLIS} in this window... */
    static final Duration JIT_QUIET = Duration.ofMillis(300);
    /** ...all JVMs together, about 1 % of a core: idle workers keep making small compilations, 2-10 ms a second. */
    static final long JIT_QUIET_MILLIS = 5;
    /**
     * Round trips after the last compile-time question and before the measured ones: the question
     * woke the idle workers, whose threads the kernel puts beside the waker, until they park again.
     */
    static final Duration SETTLE = Duration.ofMillis(200);

    private LatencyStep() {
    }

    /**
     * Warms up, then times {@code roundTrips} echoes to {@code target}, and prints two lines: the
     * warm-up and the summary (p50 .. max in us). {@code all} are every worker of the program,
     * {@code target} among them: the warm-up asks each for its JIT's compile time.
     *
     * @return the measured round trips, in ns
     */
    static Histogram run(DemoWorker target, List<DemoWorker> all, int roundTrips, Duration warmUpAtMost) {
        System.out.printf("[4/4] latency: %d round trips frontend -> %s c__echo -> send_out__ -> frontend, after a warm-up%n",
                roundTrips, target.getName());
        Pipe pipe = target.getPipe();
        long t0 = System.nanoTime();
        long warmUpEnd = t0 + warmUpAtMost.toNanos();
        long warmUps = 0;
        boolean quiet = false;
        while (!quiet && System.nanoTime() < warmUpEnd) {
            long compiled = compiledMillis(all);
            long windowEnd = System.nanoTime() + JIT_QUIET.toNanos();
            while (System.nanoTime() < windowEnd) {
                roundTrip(target, pipe, warmUps++);
            }
            quiet = warmUps >= WARM_UP_ROUND_TRIPS && compiledMillis(all) - compiled <= JIT_QUIET_MILLIS;
        }
        long settleEnd = System.nanoTime() + SETTLE.toNanos();
        while (System.nanoTime() < settleEnd) {
            roundTrip(target, pipe, warmUps++);
        }
        System.out.printf("      warmed up: %d round trips in %.2f s, %s%n", warmUps, (System.nanoTime() - t0) / 1e9,
                quiet ? "until the JVMs compiled under " + JIT_QUIET_MILLIS + " ms in " + JIT_QUIET.toMillis() + " ms"
                      : "stopped at " + warmUpAtMost.toMillis() / 1e3 + " s with the JIT still compiling");
        Histogram nanos = new Histogram(3);
        long m0 = System.nanoTime();
        for (int i = 0; i < roundTrips; i++) {
            nanos.recordValue(roundTrip(target, pipe, warmUps + i));
        }
        System.out.printf("      %d round trips in %.2f s; us: p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f%n",
                roundTrips, (System.nanoTime() - m0) / 1e9,
                nanos.getValueAtPercentile(50) / 1e3, nanos.getValueAtPercentile(90) / 1e3,
                nanos.getValueAtPercentile(99) / 1e3, nanos.getValueAtPercentile(99.9) / 1e3, nanos.getMaxValue() / 1e3);
        return nanos;
    }

    /** The JIT compile time of this JVM and of every worker's so far, in ms, summed: it stops growing when all are compiled. */
    private static long compiledMillis(List<DemoWorker> workers) {
        long total = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
        for (DemoWorker w : workers) {
            w.compiled();
        }
        for (DemoWorker w : workers) {
            MessageObject answer = w.getPipe().recv(Demo.STEP_TIMEOUT);
            if (answer == null || !"compiled".equals(answer.command())) {
                throw new IllegalStateException("no compile time from " + w.getName() + ": answer=" + answer
                        + " exitCode=" + w.exitCode());
            }
            total += answer.getLong("ms");
        }
        return total;
    }

    /** One echo, timed: nanoseconds from before the send to after the reply is decoded. */
    private static long roundTrip(DemoWorker w, Pipe pipe, long seq) {
        long start = System.nanoTime();
        w.echo(seq);
        MessageObject reply = pipe.recv(Demo.STEP_TIMEOUT);
        long took = System.nanoTime() - start;
        if (reply == null || reply.getLong("seq") != seq) {
            throw new IllegalStateException("bad echo: sent=" + seq + " reply=" + reply + " exitCode=" + w.exitCode());
        }
        return took;
    }
}
