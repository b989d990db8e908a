package ipc.bench.library;

import ipc.bench.harness.Placement;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The typed remote call's round trip: {@code long add(long, long)} through
 * {@code process.remote(Adder.class)}, which the backend ({@link EchoProcess}) runs and answers.
 * Everything a user's typed call pays: the generated proxy, the request frame built from the
 * primitives, the Chronicle excerpt each way, the doorbells, the lookup and invocation in the
 * backend, the answer routed by id and returned as a long. Compared with
 * {@link ipc.bench.baseline.ChronicleQueuePingPong} and {@link MessageProcessRoundTrip} in the
 * same run; per-side allocation as {@link MessageProcessRoundTrip} reports it (the target is 0).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class TypedCallRoundTrip {

    /**
     * The round trip's process, in an {@code @AuxCounters} state (its two public fields are the
     * per-side allocation of the last iteration), placed by {@link MessageProcessRoundTrip.Where}'s
     * {@code placement} parameter, the same as the MessageObject round trip's.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class RoundTrip {
        /** Bytes the benchmark (frontend) thread allocated per round trip in the last iteration. */
        public double frontendAllocRateNorm;
        /** Bytes the backend's loop thread allocated per echo in the last iteration. */
        public double backendAllocRateNorm;

        private EchoProcess process;
        private Adder adder;
        private SideAllocation allocation;
        private long sequence;
        private String placement;

        @Setup(Level.Trial)
        public void start(MessageProcessRoundTrip.Where where) {
            placement = where.placement;
            process = new EchoProcess("round-trip");
            if (Placement.pinned(placement)) {
                process.setBackendCpu(Placement.backendCpu());
            }
            allocation = new SideAllocation(process);
            process.start();
            adder = process.remote(Adder.class);
            Placement.pinFrontend(placement); // on the benchmark thread, which runs a Thread-scoped set-up
        }

        @Setup(Level.Iteration)
        public void mark() {
            allocation.mark();
        }

        /** After each iteration, on the benchmark thread, after its last round trip ({@link SideAllocation}). */
        @TearDown(Level.Iteration)
        public void collectAllocation() {
            allocation.collect();
            frontendAllocRateNorm = allocation.frontendPerRoundTrip();
            backendAllocRateNorm = allocation.backendPerEcho();
        }

        @TearDown(Level.Trial)
        public void stop() {
            Placement.unpinFrontend(placement);
            process.close();
        }
    }

    @Benchmark
    public long roundTrip(RoundTrip state) {
        state.allocation.count();
        long sent = ++state.sequence;
        long answer = state.adder.add(sent, 1);
        if (answer != sent + 1) {
            throw new IllegalStateException("wrong answer: sent=" + sent + " answer=" + answer);
        }
        return answer;
    }
}
