package ipc.bench.baseline;

import ipc.bench.harness.PeerProcess;
import ipc.bench.harness.ScratchDirectory;
import java.util.concurrent.TimeUnit;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.MessageHandler;
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
 * Raw Agrona {@code OneToOneRingBuffer} ping-pong between two JVMs over two ring files in the
 * scratch directory (/dev/shm): one 8-byte sequence number written to "ping",
 * {@link AgronaRingEchoPeer} writes it to "pong", both sides busy-spin. The floor of the RING
 * transport's round trip ({@link ipc.bench.library.RingRoundTrip}), as raw Chronicle is the
 * CHRONICLE transport's; unpinned.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class AgronaRingPingPong {

    /** Spins between checks that the peer lives: 2^20 pauses are ~10-40 ms, never on a healthy path. */
    private static final int LIVENESS_CHECK_MASK = (1 << 20) - 1;

    private ScratchDirectory directory;
    private OneToOneRingBuffer pings;
    private OneToOneRingBuffer pongs;
    private PeerProcess peer;
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[Long.BYTES]);
    private long sequence;
    private long echoed;
    private final MessageHandler onPong = (type, buffer, index, length) -> echoed = buffer.getLong(index);

    @Setup(Level.Trial)
    public void start() {
        directory = ScratchDirectory.create("agrona-ring");
        pings = AgronaRings.map(directory.path(), AgronaRings.PING, true);
        pongs = AgronaRings.map(directory.path(), AgronaRings.PONG, true);
        peer = PeerProcess.start(AgronaRingEchoPeer.class, directory.path().toString(), "-1");
    }

    @Benchmark
    public long roundTrip() {
        long sent = ++sequence;
        out.putLong(0, sent);
        while (!pings.write(AgronaRings.MESSAGE_TYPE, out, 0, Long.BYTES)) {
            Thread.onSpinWait();
        }
        for (int spins = 1; ; spins++) {
            if (pongs.read(onPong, 1) > 0) {
                if (echoed != sent) {
                    throw new IllegalStateException("echo out of order: sent=" + sent + " echoed=" + echoed);
                }
                return echoed;
            }
            if ((spins & LIVENESS_CHECK_MASK) == 0) {
                peer.checkAlive();
            }
            Thread.onSpinWait();
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        CloseHelper.closeAll(peer, directory);
    }
}
