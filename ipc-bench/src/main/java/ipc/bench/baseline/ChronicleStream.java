package ipc.bench.baseline;

import ipc.bench.harness.PeerProcess;
import ipc.bench.harness.ScratchDirectory;
import ipc.bench.harness.StreamWindow;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.CloseHelper;
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
 * Raw Chronicle Queue one-way stream between two JVMs: each operation appends one excerpt of the
 * stream benchmark's three values (a long, an int and a double: 20 bytes, no names, no framing),
 * {@link ChronicleCountPeer} reads them. The same window as {@code MessageStream}
 * ({@link StreamWindow}), so the score is the sustained rate of the slower side. The floor for the library's stream, which adds the frame (command,
 * names, tags), dispatch and doorbells to this.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class ChronicleStream {

    static final String PROGRESS_FILE = "progress";

    private ScratchDirectory directory;
    private SingleChronicleQueue queue;
    private ExcerptAppender appender;
    private ProgressWord progress;
    private PeerProcess peer;
    private long sent;

    @Setup(Level.Trial)
    public void start() {
        directory = ScratchDirectory.create("cqs");
        progress = ProgressWord.create(directory.path().resolve(PROGRESS_FILE));
        queue = PingPongQueues.open(directory.path(), PingPongQueues.PING, false);
        appender = queue.createAppender();
        peer = PeerProcess.start(ChronicleCountPeer.class, directory.path().toString());
    }

    @Benchmark
    public void send() {
        long n = ++sent;
        try (DocumentContext dc = appender.writingDocument()) {
            Bytes<?> bytes = dc.wire().bytes();
            bytes.writeLong(n);
            bytes.writeInt((int) n * 7);
            bytes.writeDouble(100.0 + (n & 1023) / 64.0);
        }
        if (StreamWindow.checkDue(n)) {
            StreamWindow.await(n, progress::getAcquire, peer::checkAlive);
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        CloseHelper.closeAll(peer, queue, progress, directory);
    }
}
