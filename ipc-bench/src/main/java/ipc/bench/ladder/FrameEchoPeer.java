package ipc.bench.ladder;

import ipc.bench.baseline.PingPongQueues;
import ipc.bench.harness.PeerMain;
import java.nio.file.Path;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Echo side of {@link LadderFrameCodec}: checks each "ping" excerpt's frame in place, reads its
 * sequence number and appends the same frame to "pong"; busy spin, like the raw
 * {@code ChronicleEchoPeer} it extends by the codec alone.
 */
public final class FrameEchoPeer {

    private FrameEchoPeer() {
    }

    /** {@code args[0]}: the directory holding both queues. */
    public static void main(String[] args) {
        PeerMain.exitWithParent();
        Path dir = Path.of(args[0]);
        ExcerptFrames frames = new ExcerptFrames();
        try (SingleChronicleQueue pings = PingPongQueues.open(dir, PingPongQueues.PING, true);
             SingleChronicleQueue pongs = PingPongQueues.open(dir, PingPongQueues.PONG, false)) {
            ExcerptTailer tailer = pings.createTailer();
            ExcerptAppender appender = pongs.createAppender();
            PeerMain.ready();
            while (true) {
                try (DocumentContext in = tailer.readingDocument()) {
                    if (in.isPresent()) {
                        long value = frames.read(in.wire().bytes()).getLong(EchoFrames.SEQ_FIELD);
                        try (DocumentContext out = appender.writingDocument()) {
                            frames.write(out.wire().bytes(), EchoFrames.echoOf(value));
                        }
                        continue;
                    }
                }
                Thread.onSpinWait();
            }
        }
    }
}
