package ipc.core.frame;

import ipc.core.Allocations;
import ipc.core.MessageObject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** Encoding and reading a frame of primitive parameters allocates nothing (after warm-up). */
class FrameAllocationTest {
    private static final int WARM_UP = 20_000;
    private static final int MEASURED = 100_000;
    private static final SegmentFrameMemory MEMORY = new SegmentFrameMemory();

    @Test
    void primitiveFrameRoundTripAllocatesNothing() {
        MessageObject message = new MessageObject("tick", "price", 101.25, "qty", 300L, "side", 'B', "id", 7,
            "live", true, "venue", (short) 3, "flags", (byte) 1, "nothing", null, "ratio", 0.5f);
        byte[] price = FrameCodec.stringBytes("price");
        byte[] tick = FrameCodec.stringBytes("tick");
        FrameReader reader = new FrameReader();
        SegmentFrameSink sink = new SegmentFrameSink();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(4096);
            long checksum = 0;
            for (int i = 0; i < WARM_UP; i++) {
                checksum += roundTrip(message, buffer, sink, reader, tick, price);
            }
            long overhead = Allocations.overhead();
            long before = Allocations.allocatedByThisThread();
            for (int i = 0; i < MEASURED; i++) {
                checksum += roundTrip(message, buffer, sink, reader, tick, price);
            }
            long allocated = Allocations.allocatedByThisThread() - before - overhead;
            assertEquals((WARM_UP + MEASURED) * 1L * roundTrip(message, buffer, sink, reader, tick, price), checksum);
            assertTrue(allocated <= 0, "allocated=" + allocated + " bytes over frames=" + MEASURED);
        }
    }

    private static long roundTrip(MessageObject message, MemorySegment buffer, SegmentFrameSink sink,
                                  FrameReader reader, byte[] tick, byte[] price) {
        int length = FrameCodec.frameLength(message, FrameDescriptor.DEFAULT_MAX_FRAME_BYTES);
        FrameCodec.encode(message, length, sink.wrap(buffer, 0));
        reader.wrap(MEMORY.wrap(buffer), 0, length);  // asSlice would allocate a segment: the test's, not ours
        long sum = reader.commandEquals(tick) ? reader.commandHash() : 0;
        int p = reader.indexOf(price);
        sum += (long) reader.getDouble(p) + reader.getLong(1) + reader.getChar(2) + reader.getLong(3)
            + (reader.getBoolean(4) ? 1 : 0) + reader.getLong(5) + reader.getLong(6) + reader.typeTag(7)
            + (long) (reader.getDouble(8) * 2);
        return sum;
    }
}
