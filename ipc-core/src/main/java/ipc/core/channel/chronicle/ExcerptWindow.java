package ipc.core.channel.chronicle;

import java.lang.foreign.MemorySegment;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.MappedBytesStore;

/**
 * An FFM view of the mapped chunk that holds an excerpt, so that a frame is encoded or decoded with
 * plain segment accesses instead of a call through Chronicle's {@code Bytes} per field (which
 * checks the closed state, the owning thread and the chunk at every access).
 *
 * <p>A queue file is mapped in chunks that overlap by a quarter of the block size, and a frame is
 * at most that ({@link QueueDirection#FRAMES_PER_BLOCK}), so an excerpt normally lies inside the
 * chunk that holds its start ({@code MappedBytesStore.inside}); when it does not, {@link #locate}
 * answers -1 and the caller goes through {@code Bytes}, which handles chunks. One segment per
 * chunk, made when the chunk changes (a new chunk every ~20 k small frames): nothing is allocated
 * per frame. The segment spans the chunk's mapping, so no access can leave mapped memory; the
 * frame's own bounds are the caller's (the reader checks every field against the excerpt length,
 * the writer checks that it wrote exactly the frame). It is used only while the excerpt's
 * document context is open, which holds the chunk mapped.
 *
 * <p>One per writer or reader (not thread-safe). Part of the channel adapter: no Chronicle type
 * leaves it.
 */
public final class ExcerptWindow {
    private MappedBytesStore store;
    private MemorySegment chunk = MemorySegment.NULL;
    private long chunkStart;

    /**
     * Where {@code [offset, offset + length)} of the document being written in {@code bytes} is
     * in {@link #chunk()}, or -1 when it is not inside one mapping.
     */
    long locateForWrite(Bytes<?> bytes, long offset, long length) {
        bytes.addressForWrite(offset); // makes the chunk that holds offset the current one
        return locate(bytes, offset, length);
    }

    /** As {@link #locateForWrite}, for a document being read. */
    long locateForRead(Bytes<?> bytes, long offset, long length) {
        bytes.addressForRead(offset);
        return locate(bytes, offset, length);
    }

    /** The current chunk's mapping; valid only after a locate that did not answer -1, inside that document's context. */
    MemorySegment chunk() {
        return chunk;
    }

    private long locate(Bytes<?> bytes, long offset, long length) {
        if (!(bytes.bytesStore() instanceof MappedBytesStore current) || !current.inside(offset, length)) {
            return -1;
        }
        if (current != store) {
            long start = current.start();
            // realCapacity() is the end of the chunk's mapping (chunk plus overlap), in file offsets.
            chunk = MemorySegment.ofAddress(current.addressForRead(start)).reinterpret(current.realCapacity() - start);
            chunkStart = start;
            store = current;
        }
        return offset - chunkStart;
    }

    /** Lets go of the last chunk's store (the channel is closing). */
    void clear() {
        store = null;
        chunk = MemorySegment.NULL;
    }
}
