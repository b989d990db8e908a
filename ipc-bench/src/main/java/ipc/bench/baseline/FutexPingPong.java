package ipc.bench.baseline;

import ipc.bench.harness.PeerProcess;
import ipc.bench.harness.ScratchDirectory;
import ipc.sync.Futex;
import ipc.sync.SharedMapping;
import java.nio.file.Path;
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
 * Raw futex ping-pong between two JVMs on a shared {@code /dev/shm} file ({@link FutexHandOff} per
 * direction, {@code ipc.sync.Futex} for the syscalls), {@link FutexEchoPeer} on the other side.
 *
 * <p>{@code waiting=spin}: both sides spin first, the hot path SyncIndex's "p50 under 1 us" is about.
 * {@code waiting=park}: no spinning, every hand-off is a FUTEX_WAIT and a FUTEX_WAKE, the floor
 * for SyncIndex "after the waiter has parked".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class FutexPingPong {

    /** Two directions, each its own 128 B block: two cache lines, so adjacent-line prefetch cannot couple them. */
    static final long DIRECTION_BYTES = 128;
    static final long PING = 0;
    static final long PONG = DIRECTION_BYTES;
    static final long SEGMENT_BYTES = 2 * DIRECTION_BYTES;
    static final String FILE = "futex";

    /**
     * Spin budget when spinning: 50 us, ten times a futex sleep/wake pair here (~5 us, verified.md),
     * so a hot peer is always caught spinning, and so is most of the shared machine's scheduling noise.
     */
    static final long SPIN_NANOS = 50_000;

    @Param({"spin", "park"})
    public String waiting;

    private ScratchDirectory directory;
    private SharedMapping mapping;
    private FutexHandOff ping;
    private FutexHandOff pong;
    private PeerProcess peer;
    private long spinNanos;
    private int sequence;
    private final Runnable liveness = () -> peer.checkAlive();

    @Setup(Level.Trial)
    public void start() {
        if (!Futex.isAvailable()) {
            throw new IllegalStateException("futex unavailable, nothing to measure: " + Futex.status());
        }
        spinNanos = spinNanos(waiting);
        directory = ScratchDirectory.create("futex");
        Path file = directory.resolve(FILE);
        mapping = SharedMapping.create(file, SEGMENT_BYTES);
        ping = new FutexHandOff(mapping.segment(), PING);
        pong = new FutexHandOff(mapping.segment(), PONG);
        peer = PeerProcess.start(FutexEchoPeer.class, file.toString(), waiting);
    }

    @Benchmark
    public int roundTrip() {
        int sent = ++sequence;
        ping.publish(sent);
        pong.await(sent, spinNanos, liveness);
        return sent;
    }

    @TearDown(Level.Trial)
    public void stop() {
        CloseHelper.closeAll(peer, mapping, directory);
    }

    static long spinNanos(String waiting) {
        return switch (waiting) {
            case "spin" -> SPIN_NANOS;
            case "park" -> 0;
            default -> throw new IllegalArgumentException("waiting must be spin or park: waiting=" + waiting);
        };
    }
}
