package ipc.bench.ladder;

import ipc.bench.baseline.PingPongQueues;
import ipc.bench.harness.PeerProcess;
import ipc.bench.harness.ScratchDirectory;
import ipc.core.frame.FrameReader;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Ladder rung 2: {@link ipc.bench.baseline.ChronicleQueuePingPong}'s queues and busy spin, each
 * excerpt holding the library's frame of {@code echo(seq)} (30 bytes: header, command, key, tag,
 * long) encoded and checked in place by ipc.core's codec ({@link ExcerptFrames}) instead of 8 raw
 * bytes; {@link FrameEchoPeer} decodes it and answers with the same frame.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class LadderFrameCodec {

    /** Spins between checks that the peer lives: 2^20 pauses are ~10-40 ms, never on a healthy path. */
    private static final int LIVENESS_CHECK_MASK = (1 << 20) - 1;

    private final ExcerptFrames frames = new ExcerptFrames();
    private ScratchDirectory directory;
    private SingleChronicleQueue pings;
    private SingleChronicleQueue pongs;
    private ExcerptAppender appender;
    private ExcerptTailer tailer;
    private PeerProcess peer;
    private long sequence;

    @Setup(Level.Trial)
    public void start() {
        directory = ScratchDirectory.create("ladder-codec");
        pings = PingPongQueues.open(directory.path(), PingPongQueues.PING, false);
        pongs = PingPongQueues.open(directory.path(), PingPongQueues.PONG, true);
        appender = pings.createAppender();
        tailer = pongs.createTailer();
        peer = PeerProcess.start(FrameEchoPeer.class, directory.path().toString());
    }

    @Benchmark
    public long roundTrip() {
        long sent = ++sequence & EchoFrames.MASK;
        try (DocumentContext dc = appender.writingDocument()) {
            frames.write(dc.wire().bytes(), EchoFrames.message(sent));
        }
        for (int spins = 1; ; spins++) {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (dc.isPresent()) {
                    FrameReader frame = frames.read(dc.wire().bytes());
                    long echoed = frame.getLong(EchoFrames.SEQ_FIELD);
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
        CloseHelper.closeAll(peer, pongs, pings, directory);
    }
}
