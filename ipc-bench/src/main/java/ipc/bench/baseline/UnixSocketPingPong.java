package ipc.bench.baseline;

import ipc.bench.harness.PeerProcess;
import ipc.bench.harness.ScratchDirectory;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
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
 * Java Unix-domain-socket ping-pong between two JVMs: blocking {@link SocketChannel}s, 8 bytes each
 * way, the kernel's wake-up on both sides. What a JVM gets without shared memory.
 *
 * <p>The socket lives in an owner-only scratch directory on tmpfs (nothing listens on the
 * network); it is the only socket in the project, and only here.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class UnixSocketPingPong {

    static final String SOCKET_FILE = "echo.sock";

    private ScratchDirectory directory;
    private ServerSocketChannel server;
    private SocketChannel channel;
    private PeerProcess peer;
    private final ByteBuffer out = ByteBuffer.allocateDirect(Long.BYTES);
    private final ByteBuffer in = ByteBuffer.allocateDirect(Long.BYTES);
    private long sequence;

    @Setup(Level.Trial)
    public void start() throws IOException {
        directory = ScratchDirectory.create("uds");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(directory.resolve(SOCKET_FILE)), 1);
        peer = PeerProcess.start(UnixSocketEchoPeer.class, directory.resolve(SOCKET_FILE).toString());
        channel = server.accept();
    }

    @Benchmark
    public long roundTrip() throws IOException {
        long sent = ++sequence;
        out.clear();
        out.putLong(0, sent);
        writeFully(channel, out);
        in.clear();
        readFully(channel, in);
        long echoed = in.getLong(0);
        if (echoed != sent) {
            throw new IllegalStateException("echo out of order: sent=" + sent + " echoed=" + echoed);
        }
        return echoed;
    }

    @TearDown(Level.Trial)
    public void stop() {
        CloseHelper.closeAll(peer, channel, server, directory);
    }

    static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** Blocks until {@code buffer} is full; EOFException when the peer closed first. */
    static void readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("peer closed the socket: received=" + buffer.position() + " of " + buffer.limit());
            }
        }
    }
}
