package ipc.bench.baseline;

import ipc.bench.harness.PeerMain;
import ipc.sync.Affinity;
import java.nio.file.Path;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

/** Echo side of {@link AgronaRingPingPong}: reads "ping", writes each sequence number to "pong"; busy spin. */
public final class AgronaRingEchoPeer {

    private AgronaRingEchoPeer() {
    }

    /** {@code args[0]}: the directory holding both rings; {@code args[1]}, if given and not -1: the CPU to pin to. */
    public static void main(String[] args) {
        PeerMain.exitWithParent();
        Path dir = Path.of(args[0]);
        int cpu = args.length > 1 ? Integer.parseInt(args[1]) : -1;
        if (cpu >= 0) {
            Affinity.pin(cpu);
        }
        OneToOneRingBuffer pings = AgronaRings.map(dir, AgronaRings.PING, false);
        OneToOneRingBuffer pongs = AgronaRings.map(dir, AgronaRings.PONG, false);
        UnsafeBuffer out = new UnsafeBuffer(new byte[Long.BYTES]);
        PeerMain.ready();
        while (true) {
            int read = pings.read((type, buffer, index, length) -> {
                out.putLong(0, buffer.getLong(index));
                while (!pongs.write(AgronaRings.MESSAGE_TYPE, out, 0, Long.BYTES)) {
                    Thread.onSpinWait();
                }
            });
            if (read == 0) {
                Thread.onSpinWait();
            }
        }
    }
}
