package ipc.core.channel;

import ipc.core.Allocations;
import ipc.core.frame.FrameCodec;
import ipc.core.frame.FrameHandler;
import ipc.core.frame.FrameReader;
import ipc.core.MessageObject;
import ipc.core.channel.chronicle.QueueDirection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Writing a frame of primitive parameters into the queue and reading it back through the
 * FrameReader's primitive accessors allocates nothing. Measured on this thread with
 * ThreadMXBean over windows of many frames. Chronicle allocates when it maps the next chunk of
 * a cycle file (about 1 KB, once per chunk of traffic) and when it rolls to a new cycle file
 * (about 30 KB, once a second): windows in which either side did either are not counted, and at
 * least half of the windows must be free of both.
 */
class ChannelAllocationTest {
    private static final int WARM_UP_FRAMES = 50_000;
    private static final int WINDOWS = 20;
    private static final int FRAMES_PER_WINDOW = 10_000;

    /** Reads every field the way a dispatcher would, without allocating. */
    static final class SumHandler implements FrameHandler {
        final byte[] price = FrameCodec.stringBytes("price");
        long sum;
        long frames;

        @Override
        public void onFrame(FrameReader frame) {
            frames++;
            int p = frame.indexOf(price);
            sum += frame.commandHash() + frame.getLong(0) + (long) frame.getDouble(p) + frame.getChar(2)
                + (frame.getBoolean(3) ? 1 : 0);
        }
    }

    @Test
    void primitiveFramesAllocateNothingOnEitherSide() {
        MessageObject message = new MessageObject("tick", "seq", 42L, "price", 99.5, "side", 'S', "live", true);
        try (Channel front = Channel.create(); Channel back = Channel.open(front.directory())) {
            ChannelWriter writer = front.writer();
            long block = QueueDirection.blockSize(writer.maxFrameBytes());
            ChannelReader reader = back.reader();
            SumHandler handler = new SumHandler();
            for (int i = 0; i < WARM_UP_FRAMES; i++) {
                writer.write(message);
                reader.poll(handler);
            }
            long overhead = Allocations.overhead();
            List<Long> clean = new ArrayList<>();
            List<Long> rolled = new ArrayList<>();
            for (int w = 0; w < WINDOWS; w++) {
                int writerCycle = writer.cycle();
                int readerCycle = reader.cycle();
                long writerChunk = writer.position() / block;
                long readerChunk = reader.position() / block;
                long before = Allocations.allocatedByThisThread();
                for (int i = 0; i < FRAMES_PER_WINDOW; i++) {
                    writer.write(message);
                    reader.poll(handler);
                }
                long allocated = Allocations.allocatedByThisThread() - before - overhead;
                boolean roll = writer.cycle() != writerCycle || reader.cycle() != readerCycle
                    || writer.position() / block != writerChunk || reader.position() / block != readerChunk;
                (roll ? rolled : clean).add(allocated);
            }
            assertEquals(WARM_UP_FRAMES + (long) WINDOWS * FRAMES_PER_WINDOW, handler.frames);
            assertTrue(clean.size() >= WINDOWS / 2, "too few windows free of rolls and new chunks: clean=" + clean + " rolled=" + rolled);
            for (long bytes : clean) {
                assertTrue(bytes <= 0, "allocated bytes per window of " + FRAMES_PER_WINDOW + " frames: clean=" + clean
                    + " (windows with a roll or new chunk: " + rolled + ")");
            }
        }
    }
}
