package ipc.core.channel.chronicle;

import ipc.core.frame.FrameCodec;
import ipc.core.frame.FrameDescriptor;
import ipc.core.frame.FrameReader;
import ipc.core.MessageObject;
import ipc.core.frame.ValueType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExcerptWindowTest {

    private static final long BLOCK = QueueDirection.MIN_BLOCK_SIZE;

    @TempDir
    Path dir;

    @Test
    void writesAndReadsTheExcerptInPlaceAcrossManyChunks() {
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir).blockSize(BLOCK)
                .rollCycle(QueueDirection.ROLL_CYCLE).build();
             ExcerptAppender appender = queue.createAppender();
             ExcerptTailer tailer = queue.createTailer()) {
            int length = 1000; // ~4 excerpts per 4 KiB; 5 000 of them cross four 1 MiB chunks
            int windows = 0;
            ExcerptWindow writing = new ExcerptWindow();
            MemorySegment firstChunk = null;
            int chunks = 0;
            for (int i = 0; i < 5_000; i++) {
                try (DocumentContext dc = appender.writingDocument()) {
                    Bytes<?> bytes = dc.wire().bytes();
                    long start = bytes.writePosition();
                    long at = writing.locateForWrite(bytes, start, length);
                    if (at >= 0) {
                        windows++;
                        MemorySegment chunk = writing.chunk();
                        if (chunk != firstChunk) {
                            firstChunk = chunk;
                            chunks++;
                        }
                        assertTrue(at + length <= chunk.byteSize(), "at=" + at + " chunk=" + chunk.byteSize());
                        chunk.asSlice(at, length).fill((byte) i);
                        chunk.set(ValueLayout.JAVA_INT_UNALIGNED, at, i);
                        bytes.writeSkip(length);
                    } else { // the Bytes path the channel falls back to
                        bytes.writeInt(i);
                        for (int b = 4; b < length; b++) {
                            bytes.writeByte((byte) i);
                        }
                    }
                }
            }
            assertTrue(windows >= 4_990, "a frame no larger than the chunk overlap lies in one mapping: windows=" + windows);
            assertTrue(chunks >= 4 && chunks < 100, "one segment per chunk, not per frame: chunks=" + chunks);
            ExcerptWindow reading = new ExcerptWindow();
            for (int i = 0; i < 5_000; i++) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    assertTrue(dc.isPresent(), "excerpt " + i);
                    Bytes<?> bytes = dc.wire().bytes();
                    long start = bytes.readPosition();
                    assertEquals(length, bytes.readRemaining());
                    long at = reading.locateForRead(bytes, start, length);
                    assertTrue(at >= 0, "excerpt " + i);
                    assertEquals(i, reading.chunk().get(ValueLayout.JAVA_INT_UNALIGNED, at));
                    assertEquals((byte) i, reading.chunk().get(ValueLayout.JAVA_BYTE, at + length - 1));
                    assertEquals(i, bytes.readInt(start), "the same bytes through Chronicle");
                }
            }
        }
    }

    @Test
    void aRangeBeyondTheMappingHasNoWindow() {
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir).blockSize(BLOCK)
                .rollCycle(QueueDirection.ROLL_CYCLE).build();
             ExcerptAppender appender = queue.createAppender()) {
            try (DocumentContext dc = appender.writingDocument()) {
                Bytes<?> bytes = dc.wire().bytes();
                assertEquals(-1, new ExcerptWindow().locateForWrite(bytes, bytes.writePosition(), 64 * BLOCK));
                dc.rollbackOnClose();
            }
        }
    }

    /**
     * The channel's fallback, exercised: a document that is not inside one mapped chunk (here, a
     * Bytes that is not mapped at all, where locate answers -1 just as for a document across two
     * chunks) is written through {@link BytesFrameSink} and read through {@link BytesFrameMemory}.
     * Every value type must give the very bytes the segment path writes and decode to an equal
     * message, at an offset that is not the start of the store.
     */
    @Test
    void theBytesFallbackWritesAndReadsWhatTheSegmentPathDoes() {
        java.util.List<MessageObject> messages = java.util.List.of(
            new MessageObject("prims", "z", true, "b", (byte) -7, "s", (short) 30000, "c", '\u00e9', "i", -123456,
                "l", Long.MIN_VALUE, "f", 1.5f, "d", -0.0, "n", null),
            new MessageObject("refs", "str", "h\u00e9llo \ud83d\ude00", "bytes", new byte[] {1, 2, 3, -1},
                "ints", new int[] {1, -2, 3}, "longs", new long[] {Long.MAX_VALUE, 0}, "doubles", new double[] {0.25},
                "type", ValueType.MAP),
            new MessageObject("nested", "list", java.util.List.of(1, "two", java.util.List.of(3.0)),
                "map", java.util.Map.of("k", java.util.Map.of("inner", new long[] {9}))),
            new MessageObject("big", "payload", new byte[200_000]));
        Bytes<?> bytes = Bytes.allocateElasticDirect(64);
        try {
            bytes.writeLong(0x5A5A5A5A5A5A5A5AL); // frames start at an offset, as in a document
            ExcerptWindow window = new ExcerptWindow();
            BytesFrameSink sink = new BytesFrameSink();
            long[] offsets = new long[messages.size()];
            for (int m = 0; m < messages.size(); m++) {
                MessageObject message = messages.get(m);
                int length = FrameCodec.frameLength(message, FrameDescriptor.DEFAULT_MAX_FRAME_BYTES);
                offsets[m] = bytes.writePosition();
                assertEquals(-1, window.locateForWrite(bytes, offsets[m], length), "not mapped: the fallback");
                FrameCodec.encode(message, length, sink.wrap(bytes));
                sink.clear();
                assertEquals(offsets[m] + length, bytes.writePosition(), "the sink wrote exactly the frame");
                byte[] viaSegment = FrameCodec.encode(message);
                byte[] viaBytes = new byte[length];
                bytes.read(offsets[m], viaBytes, 0, length);
                org.junit.jupiter.api.Assertions.assertArrayEquals(viaSegment, viaBytes, message.command());
            }
            FrameReader reader = new FrameReader(FrameDescriptor.DEFAULT_MAX_FRAME_BYTES);
            BytesFrameMemory memory = new BytesFrameMemory();
            for (int m = 0; m < messages.size(); m++) {
                long end = m + 1 < messages.size() ? offsets[m + 1] : bytes.writePosition();
                assertEquals(-1, window.locateForRead(bytes, offsets[m], end - offsets[m]));
                reader.wrap(memory.wrap(bytes), offsets[m], end - offsets[m]);
                assertEquals(messages.get(m), reader.toMessageObject(), messages.get(m).command());
                if (m == 0) {
                    assertEquals(-123456, reader.getInt(reader.indexOf(FrameCodec.stringBytes("i"))));
                    assertEquals(Long.MIN_VALUE, reader.getLong(reader.indexOf(FrameCodec.stringBytes("l"))));
                    assertTrue(reader.commandEquals(FrameCodec.stringBytes("prims")));
                }
                reader.clear();
                memory.clear();
            }
        } finally {
            bytes.releaseLast();
        }
    }
}
