package ipc.bench.ladder;

import ipc.core.frame.FrameCodec;
import ipc.core.frame.FrameReader;
import ipc.core.MessageObject;
import java.lang.foreign.MemorySegment;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.MappedBytesStore;

/**
 * Frames written and read in place on raw Chronicle excerpts, through ipc.core's public codec
 * ({@link FrameCodec#encode(MessageObject, MemorySegment, long, int)},
 * {@link FrameReader#wrap(MemorySegment, long, long)}): the ladder's codec rung, without the
 * channel around it.
 *
 * <p>It mirrors ipc.core's package-private {@code ExcerptWindow} (the same Chronicle calls): one
 * FFM segment per mapped chunk, from {@code MappedBytesStore.start()} to {@code realCapacity()},
 * made when the chunk changes, so nothing is allocated per frame; an excerpt outside one chunk
 * (never for these 30-byte frames in 4 MiB chunks that overlap by 1 MiB) goes through a byte
 * array instead. {@code ExcerptWindow} stays package-private because its signatures are
 * Chronicle's, which ipc.core's public API keeps out.
 *
 * <p>One per side and thread; used only inside the excerpt's document context, which holds the
 * chunk mapped.
 */
final class ExcerptFrames {
    private final FrameReader reader = new FrameReader(EchoFrames.MAX_FRAME_BYTES);
    private MappedBytesStore store;
    private MemorySegment chunk = MemorySegment.NULL;
    private long chunkStart;

    /** Encodes {@code message} (an {@link EchoFrames} message) as the document being written in {@code bytes}. */
    void write(Bytes<?> bytes, MessageObject message) {
        long start = bytes.writePosition();
        bytes.addressForWrite(start); // makes the chunk that holds start the current store
        long at = locate(bytes, start, EchoFrames.FRAME_LENGTH);
        if (at >= 0) {
            FrameCodec.encode(message, chunk, at, EchoFrames.MAX_FRAME_BYTES);
            bytes.writeSkip(EchoFrames.FRAME_LENGTH);
        } else {
            bytes.write(FrameCodec.encode(message));
        }
    }

    /** Checks the frame of the document being read in {@code bytes} and positions the reader on it. */
    FrameReader read(Bytes<?> bytes) {
        long start = bytes.readPosition();
        long length = bytes.readRemaining();
        bytes.addressForRead(start);
        long at = locate(bytes, start, length);
        if (at >= 0) {
            return reader.wrap(chunk, at, length);
        }
        byte[] copy = new byte[(int) length];
        bytes.read(copy);
        return reader.wrap(MemorySegment.ofArray(copy));
    }

    private long locate(Bytes<?> bytes, long offset, long length) {
        if (!(bytes.bytesStore() instanceof MappedBytesStore current) || !current.inside(offset, length)) {
            return -1;
        }
        if (current != store) {
            long begin = current.start();
            // realCapacity() is the end of the chunk's mapping (chunk plus overlap), in file offsets.
            chunk = MemorySegment.ofAddress(current.addressForRead(begin)).reinterpret(current.realCapacity() - begin);
            chunkStart = begin;
            store = current;
        }
        return offset - chunkStart;
    }
}
