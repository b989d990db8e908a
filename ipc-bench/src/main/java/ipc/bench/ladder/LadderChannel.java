package ipc.bench.ladder;

import ipc.bench.harness.PeerProcess;
import ipc.bench.harness.ScratchDirectory;
import ipc.core.channel.Channel;
import ipc.core.channel.ChannelOptions;
import ipc.core.channel.ChannelReader;
import ipc.core.channel.ChannelWriter;
import ipc.core.frame.FrameHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
 * Ladder rungs 3 and 4: the same frame through ipc.core's {@link Channel}, the frontend's
 * {@link ChannelWriter#write} and {@link ChannelReader#poll(FrameHandler)}, {@link ChannelEchoPeer}
 * opening the channel as its backend. {@code waiting=spin}: both sides busy-spin on
 * {@code poll(handler)}, so the rung adds the channel alone (the codec with its string cache, the
 * doorbell ring per frame, owner-only cycle files, the reaper, the closed checks).
 * {@code waiting=doorbell}: both sides wait in {@code poll(handler, timeout)}, the library's spin
 * (SpinWait, with the peer's wait CPU from WaitPeer), yield, then park on the Doorbell.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class LadderChannel {

    /** Busy spin: {@code poll(handler)} and {@code Thread.onSpinWait()}, nothing else. */
    public static final String SPIN = "spin";
    /** {@code poll(handler, timeout)}: spin, yield, park on the doorbell. */
    public static final String DOORBELL = "doorbell";

    /** Spins between checks that the peer lives: 2^20 pauses are ~10-40 ms, never on a healthy path. */
    private static final int LIVENESS_CHECK_MASK = (1 << 20) - 1;
    /** An echo takes microseconds; a wait of a second ends only when the peer is gone, which is checked then. */
    static final Duration WAIT = Duration.ofSeconds(1);

    @Param({SPIN, DOORBELL})
    public String waiting;

    private ScratchDirectory directory;
    private Channel channel;
    private ChannelWriter writer;
    private ChannelReader reader;
    private PeerProcess peer;
    private boolean doorbell;
    private long sequence;
    private long echoed;
    private final FrameHandler onEcho = frame -> echoed = frame.getLong(EchoFrames.SEQ_FIELD);

    @Setup(Level.Trial)
    public void start() {
        doorbell = switch (waiting) {
            case SPIN -> false;
            case DOORBELL -> true;
            default -> throw new IllegalArgumentException("unknown waiting: waiting=" + waiting);
        };
        directory = ScratchDirectory.create("ladder-channel");
        channel = Channel.create(ChannelOptions.defaults().withDirectory(directory.resolve("channel")));
        writer = channel.writer();
        reader = channel.reader();
        peer = PeerProcess.start(ChannelEchoPeer.class, channel.directory().toString(), waiting);
    }

    @Benchmark
    public long roundTrip() {
        long sent = ++sequence & EchoFrames.MASK;
        writer.write(EchoFrames.message(sent));
        if (doorbell) {
            while (!reader.poll(onEcho, WAIT)) {
                peer.checkAlive();
            }
        } else {
            for (int spins = 1; !reader.poll(onEcho); spins++) {
                if ((spins & LIVENESS_CHECK_MASK) == 0) {
                    peer.checkAlive();
                }
                Thread.onSpinWait();
            }
        }
        if (echoed != sent) {
            throw new IllegalStateException("echo out of order: sent=" + sent + " echoed=" + echoed);
        }
        return echoed;
    }

    @TearDown(Level.Trial)
    public void stop() {
        CloseHelper.closeAll(peer, channel, directory);
    }
}
