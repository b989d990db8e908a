package ipc.bench.baseline;

import ipc.bench.harness.PeerMain;
import ipc.sync.Affinity;
import java.nio.file.Path;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/** Echo side of {@link ChronicleQueuePingPong}: reads "ping", appends each sequence number to "pong"; busy spin. */
public final class ChronicleEchoPeer {

    private ChronicleEchoPeer() {
    }

    /** {@code args[0]}: the directory holding both queues; {@code args[1]}, if given and not -1: the CPU to pin the echo thread to. */
    public static void main(String[] args) {
        PeerMain.exitWithParent();
        Path dir = Path.of(args[0]);
        int cpu = args.length > 1 ? Integer.parseInt(args[1]) : -1;
        if (cpu >= 0) {
            Affinity.pin(cpu);
        }
        try (SingleChronicleQueue pings = PingPongQueues.open(dir, PingPongQueues.PING, true);
             SingleChronicleQueue pongs = PingPongQueues.open(dir, PingPongQueues.PONG, false)) {
            ExcerptTailer tailer = pings.createTailer();
            ExcerptAppender appender = pongs.createAppender();
            PeerMain.ready();
            while (true) {
                try (DocumentContext in = tailer.readingDocument()) {
                    if (in.isPresent()) {
                        long value = in.wire().bytes().readLong();
                        try (DocumentContext out = appender.writingDocument()) {
                            out.wire().bytes().writeLong(value);
                        }
                        continue;
                    }
                }
                Thread.onSpinWait();
            }
        }
    }
}
