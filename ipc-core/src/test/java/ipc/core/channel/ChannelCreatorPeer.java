package ipc.core.channel;

import ipc.core.MessageObject;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a child JVM by {@code StaleChannelTest}: creates a channel, writes a frame each way's
 * worth of files, publishes the directory's path in {@code args[0]} and waits to be killed.
 */
public final class ChannelCreatorPeer {
    private ChannelCreatorPeer() {
    }

    public static void main(String[] args) throws Exception {
        Channel channel = Channel.create();
        channel.writer().write(new MessageObject("left", "behind", true));
        Path tmp = Path.of(args[0] + ".tmp");
        Files.writeString(tmp, channel.directory().toString());
        Files.move(tmp, Path.of(args[0]), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Thread.sleep(Long.MAX_VALUE);
    }
}
