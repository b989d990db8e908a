package ipc.bench.baseline;

import ipc.bench.harness.PeerMain;
import ipc.sync.SharedMapping;
import java.nio.file.Path;

/** Echo side of {@link FutexPingPong}: waits for each ping sequence and publishes it as the pong. */
public final class FutexEchoPeer {

    private FutexEchoPeer() {
    }

    /** {@code args[0]}: the shared file; {@code args[1]}: spin or park, as the benchmark's param. */
    public static void main(String[] args) {
        PeerMain.exitWithParent();
        long spinNanos = FutexPingPong.spinNanos(args[1]);
        try (SharedMapping mapping = SharedMapping.open(Path.of(args[0]))) {
            FutexHandOff ping = new FutexHandOff(mapping.segment(), FutexPingPong.PING);
            FutexHandOff pong = new FutexHandOff(mapping.segment(), FutexPingPong.PONG);
            PeerMain.ready();
            for (int expected = 1; ; expected++) {
                ping.await(expected, spinNanos, () -> { });
                pong.publish(expected);
            }
        }
    }
}
