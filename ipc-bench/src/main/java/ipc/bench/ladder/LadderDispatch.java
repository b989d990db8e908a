package ipc.bench.ladder;

import ipc.bench.library.EchoProcess;
import ipc.core.MessageObject;
import ipc.core.Pipe;
import java.util.concurrent.TimeUnit;
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
 * prebuilt {@link EchoFrames} messages with {@code sendMessageToBack}. The Pipe has no frame-level
 * read, so the reply is decoded into a MessageObject here as on the top rung; what the top rung
 * adds is only the new MessageObject (and its boxed long) per request.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class LadderDispatch {

    private EchoProcess process;
    private Pipe pipe;
    private long sequence;

    @Setup(Level.Trial)
    public void start() {
        process = new EchoProcess("ladder-dispatch");
        pipe = process.getPipe();
        process.start();
    }

    @Benchmark
    public long roundTrip() {
        long sent = ++sequence & EchoFrames.MASK;
        process.sendMessageToBack(EchoFrames.message(sent));
        MessageObject reply = pipe.recv();
        if (reply == null) {
            throw new IllegalStateException("backend ended: exitCode=" + process.exitCode());
        }
        long echoed = reply.getLong(EchoProcess.SEQ);
        if (echoed != sent) {
            throw new IllegalStateException("echo out of order: sent=" + sent + " echoed=" + echoed + " reply=" + reply);
        }
        return echoed;
    }

    @TearDown(Level.Trial)
    public void stop() {
        process.close();
    }
}
