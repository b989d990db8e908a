package ipc.bench.library;

import ipc.bench.harness.ScratchDirectory;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The journal's cost on the round trip: {@link MessageProcessRoundTrip}'s echo with
 * {@code setJournal} on (both queues kept in a scratch directory on the same tmpfs, no cycle file
 * ever deleted) and off (the usual channel), in one run. Unpinned.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class JournalRoundTrip {

    @State(Scope.Thread)
    public static class RoundTrip {
        /** {@code on}: the process keeps a journal; {@code off}: the same process without. */
        @Param({"off", "on"})
        public String journal;

        private ScratchDirectory scratch;
        private EchoProcess process;
        private Pipe pipe;
        private long sequence;

        @Setup(Level.Trial)
        public void start() {
            process = new EchoProcess("journal-" + journal);
            if (journal.equals("on")) {
                scratch = ScratchDirectory.create("journal");
                process.setJournal(scratch.path().resolve("journal"));
            }
            pipe = process.getPipe();
            process.start();
        }

        @TearDown(Level.Trial)
        public void stop() {
            process.close();
            if (scratch != null) {
                scratch.close(); // the journal is the user's to remove: here, the benchmark's
            }
        }
    }

    @Benchmark
    public long roundTrip(RoundTrip state) {
        long sent = ++state.sequence;
        state.process.echo(sent);
        MessageObject reply = state.pipe.recv();
        if (reply == null) {
            throw new IllegalStateException("backend ended: exitCode=" + state.process.exitCode());
        }
        return reply.getLong(EchoProcess.SEQ);
    }
}
