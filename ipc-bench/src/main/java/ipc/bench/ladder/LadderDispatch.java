package ipc.bench.ladder;

import ipc.bench.library.EchoProcess;
import ipc.bench.library.SideAllocation;
import ipc.core.MessageObject;
import ipc.core.Pipe;
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
 * Ladder rung 5: {@link ipc.bench.library.MessageProcessRoundTrip}'s backend ({@link EchoProcess}:
 * the backend's loop, dispatch by name to {@code c__echo(long seq)}, which answers with
 * {@code send_out__} of a one-long message) and its {@code getPipe().recv()}, but sending the
 * prebuilt {@link EchoFrames} messages with {@code sendMessageToBack}, and the backend answering
 * with prebuilt replies ({@link EchoProcess#withPrebuiltReplies}). The Pipe has no frame-level
 * read, so the reply is decoded into a MessageObject here as on the top rung; what the top rung
 * adds is only the two MessageObjects (and their boxed longs) a user's code builds, the request
 * and the reply.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class LadderDispatch {

    /**
     * The rung's process, and the per-side allocation of the last iteration as aux counters (named
     * as {@link MessageProcessRoundTrip}'s): with both messages prebuilt, what is left is the
     * library's own, which must be the received MessageObject on the frontend and nothing in the
     * backend's loop thread.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Dispatch {
        /** Bytes the benchmark (frontend) thread allocated per round trip in the last iteration. */
        public double frontendAllocRateNorm;
        /** Bytes the backend's loop thread allocated per echo in the last iteration. */
        public double backendAllocRateNorm;

        private EchoProcess process;
        private Pipe pipe;
        private SideAllocation allocation;
        private long sequence;

        @Setup(Level.Trial)
        public void start() {
            process = new EchoProcess("ladder-dispatch").withPrebuiltReplies();
            pipe = process.getPipe();
            allocation = new SideAllocation(process);
            process.start();
        }

        @Setup(Level.Iteration)
        public void mark() {
            allocation.mark();
        }

        @TearDown(Level.Iteration)
        public void collectAllocation() {
            allocation.collect();
            frontendAllocRateNorm = allocation.frontendPerRoundTrip();
            backendAllocRateNorm = allocation.backendPerEcho();
        }

        @TearDown(Level.Trial)
        public void stop() {
            process.close();
        }
    }

    @Benchmark
    public long roundTrip(Dispatch state) {
        state.allocation.count();
        long sent = ++state.sequence & EchoFrames.MASK;
        state.process.sendMessageToBack(EchoFrames.message(sent));
        MessageObject reply = state.pipe.recv();
        if (reply == null) {
            throw new IllegalStateException("backend ended: exitCode=" + state.process.exitCode());
        }
        long echoed = reply.getLong(EchoProcess.SEQ);
        if (echoed != sent) {
            throw new IllegalStateException("echo out of order: sent=" + sent + " echoed=" + echoed + " reply=" + reply);
        }
        return echoed;
    }
}
