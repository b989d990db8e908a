package ipc.core;

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
}
