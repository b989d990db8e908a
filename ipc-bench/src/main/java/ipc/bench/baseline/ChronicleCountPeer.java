package ipc.bench.baseline;

import ipc.bench.harness.PeerMain;
import ipc.bench.harness.StreamWindow;
import java.nio.file.Path;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Reading side of {@link ChronicleStream}: reads every excerpt's three values, keeps a checksum so
 * the reads are not dead code, and publishes its count every {@link StreamWindow#CHECK_EVERY}
 * excerpts; busy spin.
 */
public final class ChronicleCountPeer {

    private ChronicleCountPeer() {
    }

    /** {@code args[0]}: the directory holding the queue and the progress file. */
    public static void main(String[] args) {
        PeerMain.exitWithParent();
        Path dir = Path.of(args[0]);
        try (SingleChronicleQueue queue = PingPongQueues.open(dir, PingPongQueues.PING, true);
             ProgressWord progress = ProgressWord.open(dir.resolve(ChronicleStream.PROGRESS_FILE))) {
            ExcerptTailer tailer = queue.createTailer();
            PeerMain.ready();
            long count = 0;
            long checksum = 0;
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (dc.isPresent()) {
                        Bytes<?> bytes = dc.wire().bytes();
                        checksum += bytes.readLong() + bytes.readInt() + (long) bytes.readDouble();
                        if (StreamWindow.checkDue(++count)) {
                            progress.setRelease(count);
                        }
                        continue;
                    }
                }
                if (checksum == 42) { // never; keeps the reads observable
                    System.out.print("");
                }
                Thread.onSpinWait();
            }
        }
    }
}
