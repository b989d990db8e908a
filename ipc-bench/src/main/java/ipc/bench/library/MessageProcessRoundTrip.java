package ipc.bench.library;

import ipc.bench.harness.Placement;
import ipc.core.Transport;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The library's round trip through its public API: the frontend sends {@code echo(seq)} with
 * {@code sendMessageToBack}, the backend's {@code c__echo} answers with {@code send_out__}, the
 * frontend takes the answer with {@code getPipe().recv()}. Everything a user's request/reply pays:
 * building and encoding the MessageObject, the Chronicle excerpt each way, the doorbells, dispatch
 * by name in the backend, and decoding the reply into a MessageObject. Compared with
 * {@link ipc.bench.baseline.ChronicleQueuePingPong} (the same queues with raw 8-byte excerpts).
 *
 * <p>Allocation per side, as the secondary metrics {@value #FRONTEND_ALLOCATION} and
 * {@value #BACKEND_ALLOCATION} (B/op): the benchmark thread's allocated bytes over the iteration
 * (ThreadMXBean), and the backend loop thread's, which the backend reports on {@code stats} at
 * the end of each iteration, each divided by the round trips. JMH's gc profiler counts every
 * thread of this JVM, JMH's own included; these count the two threads of the round trip only.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class MessageProcessRoundTrip {

    /** Secondary metric: bytes the benchmark thread allocated per round trip (the aux counter's field name). */
    public static final String FRONTEND_ALLOCATION = "frontendAllocRateNorm";
    /** Secondary metric: bytes the backend's loop thread allocated per echo it handled. */
    public static final String BACKEND_ALLOCATION = "backendAllocRateNorm";

    /**
     * The round trip's process, in an {@code @AuxCounters} state so that its two public fields,
     * the per-side allocation of the last iteration, are reported beside the latency (an EVENTS
     * counter is reported as set). One benchmark thread: Scope.Thread is the trial's one process.
     */
    @State(Scope.Thread)
    public static class Where {
        /**
         * {@link Placement#UNPINNED}, or {@link Placement#PINNED}: this thread pinned with
         * {@code Affinity.pin}, the backend's loop thread with {@code setBackendCpu}, on two CPUs.
         * (Here, not in RoundTrip: an aux-counter state may hold no public field but its counters.)
         */
        @Param({Placement.UNPINNED, Placement.PINNED})
        public String placement;
    }

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class RoundTrip {
        /** Bytes the benchmark (frontend) thread allocated per round trip in the last iteration. */
        public double frontendAllocRateNorm;
        /** Bytes the backend's loop thread allocated per echo in the last iteration. */
        public double backendAllocRateNorm;

        private EchoRoundTrip trip;
        private String placement;

        @Setup(Level.Trial)
        public void start(Where where) {
            placement = where.placement;
            trip = new EchoRoundTrip("round-trip", Transport.CHRONICLE,
                Placement.pinned(placement) ? Placement.backendCpu() : -1);
            Placement.pinFrontend(placement); // on the benchmark thread, which runs a Thread-scoped set-up
        }

        @Setup(Level.Iteration)
        public void mark() {
            trip.allocation.mark();
        }

        /** After each iteration, on the benchmark thread, after its last round trip ({@link SideAllocation}). */
        @TearDown(Level.Iteration)
        public void collectAllocation() {
            trip.allocation.collect();
            frontendAllocRateNorm = trip.allocation.frontendPerRoundTrip();
            backendAllocRateNorm = trip.allocation.backendPerEcho();
        }

        @TearDown(Level.Trial)
        public void stop() {
            Placement.unpinFrontend(placement);
            trip.close();
        }
    }

    @Benchmark
    public long roundTrip(RoundTrip state) {
        return state.trip.roundTrip();
    }
}
