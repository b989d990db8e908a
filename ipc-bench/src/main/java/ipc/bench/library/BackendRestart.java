package ipc.bench.library;

import ipc.bench.harness.ScratchDirectory;
import ipc.core.MessageObject;
import ipc.core.Pipe;
import ipc.core.RestartPolicy;
import java.time.Duration;
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
 * A supervised backend's death to the restarted backend's first answer: one operation SIGKILLs
 * the backend of an {@link EchoProcess} under {@code RestartPolicy.backoff(.., 0, 0)} (no delay),
 * waits until the kill has taken it (the frontend must not hand the next message to the dying
 * one), sends {@code echo(seq)} and reads the pipe until its answer, skipping the "restarted"
 * message that comes first (and the previous echo's answer again when the kill came after
 * that answer was written but before its handler returned: the message is delivered again, by
 * design). What it times: the exit seen by the frontend, the dead backend's
 * output drained, the new backend JVM's start with the backend AOT cache (trained in a scratch
 * directory by the trial's set-up, as in {@link BackendStart}), its channel open, the rebuild and
 * the resume, and the echo's round trip.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 2)
@Measurement(iterations = 11)
public class BackendRestart {
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

    private ScratchDirectory cacheDirectory;
    private EchoProcess process;
    private long seq;

    @Setup(Level.Trial)
    public void startSupervised() throws InterruptedException {
        System.setProperty("ipc.aot", "true");
        cacheDirectory = ScratchDirectory.create("aot");
        System.setProperty("ipc.aot.dir", cacheDirectory.path().toString());
        try (EchoProcess first = new EchoProcess("restart-first")) { // trains the cache of this command
            first.start();
        }
        BackendStart.awaitTraining(cacheDirectory.path());
        process = new EchoProcess("restarted");
        process.setRestart(RestartPolicy.backoff(Integer.MAX_VALUE, Duration.ZERO, Duration.ZERO));
        process.start();
        roundTrip();
    }

    @Setup(Level.Iteration)
    public void answering() {
        roundTrip(); // the backend (restarted by the last operation) is up and serving
    }

    @Benchmark
    public long deathToAnswer() {
        ProcessHandle backend = ProcessHandle.of(process.pid().orElseThrow()).orElseThrow();
        backend.destroyForcibly();
        while (backend.isAlive()) {
            Thread.onSpinWait();
        }
        return roundTrip();
    }

    private long roundTrip() {
        long expected = seq++;
        process.echo(expected);
        Pipe pipe = process.getPipe();
        while (true) {
            MessageObject m = pipe.recv(ANSWER_TIMEOUT);
            if (m == null) {
                throw new IllegalStateException("no answer within " + ANSWER_TIMEOUT + ": restarts=" + process.restarts());
            }
            if (EchoProcess.ECHO.equals(m.command())) {
                long seq = m.getLong(EchoProcess.SEQ);
                if (seq < expected) {
                    continue; // the kill came after the last echo's answer but before its handler returned: run again
                }
                if (seq != expected) {
                    throw new IllegalStateException("answer out of order: expected " + expected + ", got " + m);
                }
                return expected;
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        process.close();
        System.clearProperty("ipc.aot.dir");
        cacheDirectory.close();
    }
}
