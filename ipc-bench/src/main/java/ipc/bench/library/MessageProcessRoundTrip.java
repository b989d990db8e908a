package ipc.bench.library;

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
 * The library's round trip through its public API: the frontend sends {@code echo(seq)} with
 * {@code sendMessageToBack}, the backend's {@code c__echo} answers with {@code send_out__}, the
 * frontend takes the answer with {@code getPipe().recv()}. Everything a user's request/reply pays:
 * building and encoding the MessageObject, the Chronicle excerpt each way, the doorbells, dispatch
 * by name in the backend, and decoding the reply into a MessageObject. Compared with
 * {@link ipc.bench.baseline.ChronicleQueuePingPong} (the same queues with raw 8-byte excerpts).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class MessageProcessRoundTrip {

    private EchoProcess process;
    private Pipe pipe;
    private long sequence;

    @Setup(Level.Trial)
    public void start() {
        process = new EchoProcess("round-trip");
        pipe = process.getPipe();
        process.start();
    }

    @Benchmark
    public long roundTrip() {
        long sent = ++sequence;
        process.echo(sent);
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
