package ipc.core.channel;

import ipc.core.frame.FrameCodec;
import ipc.core.frame.FrameException;
import ipc.core.frame.FrameHandler;
import ipc.core.frame.FrameReader;
import ipc.core.MessageObject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ipc.sync.testing.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Two real JVMs exchange a million frames each way through one channel at the same time; none
 * may be lost, duplicated, reordered or corrupted, and the channel's files go with the close.
 */
class TwoJvmChannelTest {
    static final int FRAMES = 1_000_000;
    private static final byte[] SEQ = FrameCodec.stringBytes("seq");
    private static final byte[] CHECK = FrameCodec.stringBytes("check");

    /** Sends {@code count} frames {@code seq=i, check=~i*K}; the check catches torn or misplaced frames. */
    static void send(Channel channel, String command, long count) {
        for (long i = 0; i < count; i++) {
            channel.writer().write(new MessageObject(command, "seq", i, "check", ~(i * 0x9E3779B97F4A7C15L)));
        }
    }

    /** Checks sequence and check word of every frame; keeps the first error. */
    static final class SequenceChecker implements FrameHandler {
        private final byte[] command;
        long received;
        String error;

        SequenceChecker(String command) {
            this.command = FrameCodec.stringBytes(command);
        }

        @Override
        public void onFrame(FrameReader frame) {
            long seq = frame.getLong(frame.indexOf(SEQ));
            long check = frame.getLong(frame.indexOf(CHECK));
            if (error == null && (!frame.commandEquals(command) || seq != received
                || check != ~(seq * 0x9E3779B97F4A7C15L))) {
                error = "frame " + received + " wrong: " + frame.toMessageObject();
            }
            received++;
        }

        @Override
        public void onBadFrame(FrameException e) {
            if (error == null) {
                error = "bad frame at " + received + ": " + e.getMessage();
            }
            received++;
        }
    }

    @Test
    void aMillionFramesEachWayBetweenTwoJvms() throws Exception {
        long start = System.nanoTime();
        Path dir;
        try (Channel channel = Channel.create()) {
            dir = channel.directory();
            try (ChildJvm peer = ChildJvm.start(ChannelPeer.class, dir.toString(), Long.toString(FRAMES))) {
                Thread sender = Thread.ofPlatform().name("front-sender").start(() -> send(channel, "f2b", FRAMES));
                SequenceChecker checker = new SequenceChecker("b2f");
                long deadline = System.nanoTime() + Duration.ofSeconds(240).toNanos();
                while (checker.received < FRAMES && System.nanoTime() < deadline && peer.process().isAlive()) {
                    channel.reader().poll(checker, Duration.ofMillis(100));
                }
                while (channel.reader().poll(checker)) {
                    // a backend that died may still have left frames behind
                }
                sender.join();
                assertNull(checker.error);
                assertEquals(FRAMES, checker.received);
                channel.close();
                assertEquals(0, peer.waitFor(Duration.ofSeconds(30)), "peer exit code");
            }
        }
        assertTrue(!Files.exists(dir), "channel directory left: " + dir);
        System.out.printf("2 x %d frames between two JVMs in %.1f s%n", FRAMES, (System.nanoTime() - start) / 1e9);
    }
}
