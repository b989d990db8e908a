package ipc.bench.library;

import ipc.core.SharedMemory;
import ipc.core.Transport;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.agrona.CloseHelper;
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
 * {@link MessageStream#send}'s sustained one-way stream (prebuilt 3-parameter messages,
 * sendMessageToBack, at most 64 Ki in flight) on the RING transport. A full ring makes the sender
 * wait, so the score is the rate of the slower side.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class RingStream {
    private static final Duration STATS_TIMEOUT = Duration.ofSeconds(60);

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class OnRing {
        /** Bytes the backend's loop thread allocated per message it handled in the last iteration. */
        public double backendAllocRateNorm;

        private SharedMemory progress;
        private MessageStream.StreamSender sender;

        @Setup(Level.Trial)
        public void start() {
            progress = SharedMemory.create(MessageStream.uniqueName("ring-stream"), CountingProcess.PROGRESS_BYTES);
            CountingProcess process = new CountingProcess("ring-stream", progress);
            process.setTransport(Transport.RING);
            sender = new MessageStream.StreamSender(process);
        }

        @TearDown(Level.Iteration)
        public void collectBackendStats() {
            backendAllocRateNorm = sender.stats(STATS_TIMEOUT).allocatedPerMessage();
        }

        @TearDown(Level.Trial)
        public void stop() {
            CloseHelper.closeAll(sender, progress);
        }
    }

    @Benchmark
    public void send(OnRing stream) {
        stream.sender.sendOne();
    }
}
