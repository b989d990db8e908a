package ipc.core.channel;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The backend half of {@link TwoJvmChannelTest}, run in a child JVM: opens the channel, sends
 * {@code count} frames b2f from a second thread while it reads {@code count} frames f2b on the
 * main thread, checking that they arrive complete and in order. Exit 0: all good.
 */
public final class ChannelPeer {
    private ChannelPeer() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long count = Long.parseLong(args[1]);
        try (Channel channel = Channel.open(dir)) {
            Thread sender = Thread.ofPlatform().name("peer-sender").start(() -> TwoJvmChannelTest.send(channel, "b2f", count));
            TwoJvmChannelTest.SequenceChecker checker = new TwoJvmChannelTest.SequenceChecker("f2b");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (checker.received < count) {
                if (!channel.reader().poll(checker, Duration.ofSeconds(1)) && System.nanoTime() > deadline) {
                    System.err.println("peer: timed out, received=" + checker.received + " of " + count);
                    System.exit(2);
                }
            }
            sender.join();
            if (checker.error != null) {
                System.err.println("peer: " + checker.error);
                System.exit(1);
            }
            // Wait for the frontend's close: it has then read everything we sent.
            while (channel.stateAcquire() != Channel.State.CLOSED && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        System.exit(0);
    }
}
