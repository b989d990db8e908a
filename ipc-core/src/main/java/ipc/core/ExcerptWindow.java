package ipc.core;

import java.lang.foreign.MemorySegment;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.MappedBytesStore;

/**
 * An FFM view of an excerpt's bytes inside Chronicle's current mapping of the queue file, so that
 * a frame is encoded or decoded with plain segment accesses (one bounds check per access, against
 * the frame) instead of a call through Chronicle's {@code Bytes} per field (which checks the
 * closed state, the thread and the chunk at every access: a fifth of a writer's time, measured).
 *
 * <p>A queue file is mapped in chunks that overlap by a quarter of the block size, and a frame is
 * at most that ({@link QueueDirection#FRAMES_PER_BLOCK}), so an excerpt normally lies inside one
 * mapping; when it does not, the window is null and the caller goes through {@code Bytes}, which
 * handles chunks. The view is valid only while the excerpt's document context is open (the
 * context holds the chunk); callers use it inside that context and drop it before it closes.
 * Part of the channel adapter: no Chronicle type leaves it.
 */
final class ExcerptWindow {

    private ExcerptWindow() {
    }

    /** {@code [offset, offset + length)} of a document being written, or null when it spans two mappings. */
    static MemorySegment forWrite(Bytes<?> bytes, long offset, long length) {
        long address = bytes.addressForWrite(offset); // maps the chunk that holds offset
        return bytes.bytesStore() instanceof MappedBytesStore store && store.inside(offset, length)
            ? MemorySegment.ofAddress(address).reinterpret(length) : null;
    }

    /** {@code [offset, offset + length)} of a document being read, or null when it spans two mappings. */
    static MemorySegment forRead(Bytes<?> bytes, long offset, long length) {
        long address = bytes.addressForRead(offset);
        return bytes.bytesStore() instanceof MappedBytesStore store && store.inside(offset, length)
            ? MemorySegment.ofAddress(address).reinterpret(length) : null;
    }
}
