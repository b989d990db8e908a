package ipc.bench.baseline;

import ipc.bench.harness.PeerMain;
import java.io.EOFException;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/** Echo side of {@link UnixSocketPingPong}: connects, then returns every 8 bytes it reads. */
public final class UnixSocketEchoPeer {

    private UnixSocketEchoPeer() {
    }

    /** {@code args[0]}: the socket file. Exits 0 when the benchmark closes the connection. */
    public static void main(String[] args) throws IOException {
        PeerMain.exitWithParent();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(Path.of(args[0])));
            PeerMain.ready();
            ByteBuffer buffer = ByteBuffer.allocateDirect(Long.BYTES);
            while (true) {
                buffer.clear();
                UnixSocketPingPong.readFully(channel, buffer);
                buffer.flip();
                UnixSocketPingPong.writeFully(channel, buffer);
            }
        } catch (EOFException endOfTrial) {
            // the benchmark closed its end
        }
    }
}
