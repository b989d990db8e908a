package ipc.bench.baseline;

import ipc.bench.harness.PeerProcess;
import ipc.bench.harness.Placement;
import ipc.bench.harness.ScratchDirectory;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Raw Chronicle Queue ping-pong between two JVMs: one excerpt holding a sequence number is appended
 * to "ping", {@link ChronicleEchoPeer} appends it to "pong", both sides busy-spin on their tailers.
 * The floor for the library's round trip, which adds framing, dispatch and doorbells to this.
 * {@code placement=pinned}: this thread on one CPU, the peer's echo thread on another
 * ({@link Placement}), the set-up the pinned library series is compared with.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class ChronicleQueuePingPong {

    /** Spins between checks that the peer lives: 2^20 pauses are ~10-40 ms, never on a healthy path. */
    private static final int LIVENESS_CHECK_MASK = (1 << 20) - 1;

    /** {@link Placement#UNPINNED} or {@link Placement#PINNED}. */
    @Param({Placement.UNPINNED, Placement.PINNED})
    public String placement;

    private ScratchDirectory directory;
    private SingleChronicleQueue pings;
    private SingleChronicleQueue pongs;
    private ExcerptAppender appender;
    private ExcerptTailer tailer;
    private PeerProcess peer;
    private long sequence;

    @Setup(Level.Trial)
    public void start() {
        directory = ScratchDirectory.create("cq");
        pings = PingPongQueues.open(directory.path(), PingPongQueues.PING, false);
        pongs = PingPongQueues.open(directory.path(), PingPongQueues.PONG, true);
        appender = pings.createAppender();
        tailer = pongs.createTailer();
        String peerCpu = Placement.pinned(placement) ? Integer.toString(Placement.backendCpu()) : "-1";
        peer = PeerProcess.start(ChronicleEchoPeer.class, directory.path().toString(), peerCpu);
        Placement.pinFrontend(placement); // the trial's set-up runs on the benchmark thread
    }

    @Benchmark
    public long roundTrip() {
        long sent = ++sequence;
        try (DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().writeLong(sent);
        }
        for (int spins = 1; ; spins++) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (dc.isPresent()) {
                    long echoed = dc.wire().bytes().readLong();
                    if (echoed != sent) {
                        throw new IllegalStateException("echo out of order: sent=" + sent + " echoed=" + echoed);
                    }
                    return echoed;
                }
            }
            if ((spins & LIVENESS_CHECK_MASK) == 0) {
                peer.checkAlive();
            }
            Thread.onSpinWait();
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        Placement.unpinFrontend(placement);
        CloseHelper.closeAll(peer, pongs, pings, directory);
    }
}
