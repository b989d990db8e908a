package ipc.bench.library;

import ipc.bench.harness.PeerMain;
import ipc.core.channel.Channel;
import ipc.core.channel.ChannelReader;
import ipc.core.frame.FrameHandler;
import ipc.sync.EventGroup;
import ipc.sync.ParkingIdleStrategy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.agrona.concurrent.IdleStrategy;

/**
 * Peer of {@link SyncIndexRoundTrip}: opens the channel as its backend and the event group by
 * name, and sets every event whose index arrives. Reading a frame and setting allocates nothing.
 */
public final class SyncIndexSetPeer {

    private static final byte[] EVENT_INDEX = SyncIndexRoundTrip.EVENT_INDEX.getBytes(StandardCharsets.UTF_8);

    private SyncIndexSetPeer() {
    }

    /** {@code args[0]}: the channel directory; {@code args[1]}: the group's name; {@code args[2]}: spin or park. */
    public static void main(String[] args) {
        PeerMain.exitWithParent();
        boolean park = SyncIndexRoundTrip.parks(args[2]);
        try (Channel channel = Channel.open(Path.of(args[0])); EventGroup events = EventGroup.open(args[1])) {
            ChannelReader reader = channel.reader();
            // spin: the channel's default back-off (spin, yield, park); park: straight to the doorbell.
            IdleStrategy idle = park
                    ? new ParkingIdleStrategy(reader.doorbell(), 0, 0, ParkingIdleStrategy.DEFAULT_MAX_PARK_NANOS)
                    : reader.idleStrategy();
            FrameHandler setter = frame -> {
                int field = frame.indexOf(EVENT_INDEX);
                if (field < 0) {
                    throw new IllegalStateException("frame without " + SyncIndexRoundTrip.EVENT_INDEX + ": " + frame);
                }
                int index = frame.getInt(field);
                if (!events.set(index)) {
                    // the frontend waits without a timeout, so every index it sends is live and unset
                    throw new IllegalStateException("set found no live, unset reservation: index=" + index);
                }
            };
            PeerMain.ready();
            while (true) {
                idle.idle(reader.poll(setter) ? 1 : 0);
            }
        }
    }
}
