package ipc.bench.library;

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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link MessageProcessRoundTrip}'s round trip (echo(seq) with sendMessageToBack, c__echo,
 * send_out__, getPipe().recv()) on the RING transport ({@code setTransport(Transport.RING)}):
 * the same API and dispatch, a shared-memory ring per direction instead of Chronicle's queues.
 * Compared with {@link ipc.bench.baseline.AgronaRingPingPong} (Agrona's ring with raw 8-byte
 * messages) and with raw Chronicle; unpinned. Per-side allocation as in MessageProcessRoundTrip.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class RingRoundTrip {

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class OnRing {
        /** Bytes the benchmark (frontend) thread allocated per round trip in the last iteration. */
        public double frontendAllocRateNorm;
        /** Bytes the backend's loop thread allocated per echo in the last iteration. */
        public double backendAllocRateNorm;

        private EchoRoundTrip trip;

        @Setup(Level.Trial)
        public void start() {
            trip = new EchoRoundTrip("ring-round-trip", Transport.RING, -1);
        }

        @Setup(Level.Iteration)
        public void mark() {
            trip.allocation.mark();
        }

        @TearDown(Level.Iteration)
        public void collectAllocation() {
            trip.allocation.collect();
            frontendAllocRateNorm = trip.allocation.frontendPerRoundTrip();
            backendAllocRateNorm = trip.allocation.backendPerEcho();
        }

        @TearDown(Level.Trial)
        public void stop() {
            trip.close();
        }
    }

    @Benchmark
    public long roundTrip(OnRing state) {
        return state.trip.roundTrip();
    }
}
