package ipc.bench.ladder;

import ipc.bench.harness.PeerMain;
import ipc.core.channel.Channel;
import ipc.core.channel.ChannelReader;
import ipc.core.channel.ChannelWriter;
import ipc.core.frame.FrameHandler;
import java.nio.file.Path;

/**
 * Echo side of {@link LadderChannel}: opens the channel as its backend and answers each frame's
 * sequence number with the prebuilt frame carrying it, written from inside the handler (as the
 * library's backend answers from inside its dispatch). Waits as the frontend does: busy spin on
 * {@code poll(handler)}, or {@code poll(handler, timeout)}.
 */
public final class ChannelEchoPeer {

    private ChannelEchoPeer() {
    }

    /** {@code args[0]}: the channel directory; {@code args[1]}: {@link LadderChannel#SPIN} or {@link LadderChannel#DOORBELL}. */
    public static void main(String[] args) {
        PeerMain.exitWithParent();
        boolean doorbell = switch (args[1]) {
            case LadderChannel.SPIN -> false;
            case LadderChannel.DOORBELL -> true;
            default -> throw new IllegalArgumentException("unknown waiting: waiting=" + args[1]);
        };
        try (Channel channel = Channel.open(Path.of(args[0]))) {
            ChannelReader reader = channel.reader();
            ChannelWriter writer = channel.writer();
            FrameHandler echo = frame -> writer.write(EchoFrames.echoOf(frame.getLong(EchoFrames.SEQ_FIELD)));
            PeerMain.ready();
            while (true) {
                if (doorbell) {
                    reader.poll(echo, LadderChannel.WAIT);
                } else if (!reader.poll(echo)) {
                    Thread.onSpinWait();
                }
            }
        }
    }
}
