package ipc.core;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * Layout of a {@link SharedMemory} file: a 64-byte header, then the user's bytes.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     magic 0x4D485349 "IShM"                   |  0
 *  +---------------------------------------------------------------+
 *  |                           version                             |  4
 *  +---------------------------------------------------------------+
 *  |                     user size in bytes (int64)                |  8
 *  +---------------------------------------------------------------+
 *  |                        creator pid (int64)                    | 16
 *  +---------------------------------------------------------------+
 *  |                    reserved, zero (to byte 64)               ...| 24
 *  +---------------------------------------------------------------+
 *  |                    user bytes (size bytes)                   ...| 64
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Commit: the creator writes size and pid, then the magic with release semantics; an opener
 * that reads the magic with acquire semantics and finds it set sees a complete header.
 *
 * <p>Why 64 bytes: one cache line, so the user's data starts line-aligned (and so aligned for
 * any primitive, or for a double array that a backend streams through) and never shares a line
 * with the header that openers read.
 */
final class SharedMemoryDescriptor {
    static final int MAGIC = 0x4D485349;
    static final int VERSION = 1;
    static final long HEADER_BYTES = 64;

    static final StructLayout HEADER = MemoryLayout.structLayout(
        ValueLayout.JAVA_INT.withName("magic"),
        ValueLayout.JAVA_INT.withName("version"),
        ValueLayout.JAVA_LONG.withName("size"),
        ValueLayout.JAVA_LONG.withName("creatorPid"),
        MemoryLayout.paddingLayout(HEADER_BYTES - 24));

    static final long MAGIC_OFFSET = HEADER.byteOffset(PathElement.groupElement("magic"));
    static final long VERSION_OFFSET = HEADER.byteOffset(PathElement.groupElement("version"));
    static final long SIZE_OFFSET = HEADER.byteOffset(PathElement.groupElement("size"));
    static final long CREATOR_PID_OFFSET = HEADER.byteOffset(PathElement.groupElement("creatorPid"));

    private static final java.lang.invoke.VarHandle MAGIC_HANDLE = ValueLayout.JAVA_INT.varHandle();

    private SharedMemoryDescriptor() {
    }

    /** Writes the header of a new segment; the magic last, with release semantics. */
    static void writeHeader(MemorySegment file, long size, long creatorPid) {
        file.set(ValueLayout.JAVA_INT, VERSION_OFFSET, VERSION);
        file.set(ValueLayout.JAVA_LONG, SIZE_OFFSET, size);
        file.set(ValueLayout.JAVA_LONG, CREATOR_PID_OFFSET, creatorPid);
        MAGIC_HANDLE.setRelease(file, MAGIC_OFFSET, MAGIC);
    }

    static int magicAcquire(MemorySegment file) {
        return (int) MAGIC_HANDLE.getAcquire(file, MAGIC_OFFSET);
    }

    static long size(MemorySegment file) {
        return file.get(ValueLayout.JAVA_LONG, SIZE_OFFSET);
    }

    static long creatorPid(MemorySegment file) {
        return file.get(ValueLayout.JAVA_LONG, CREATOR_PID_OFFSET);
    }

    /** Rejects a file that is not a complete segment of this version; names the file and values. */
    static void checkHeader(MemorySegment file, String name) {
        if (file.byteSize() < HEADER_BYTES) {
            throw new IllegalStateException("not a shared memory segment (too short): name=" + name
                + " fileBytes=" + file.byteSize());
        }
        int magic = magicAcquire(file);
        if (magic != MAGIC) {
            throw new IllegalStateException("not a shared memory segment (bad magic): name=" + name
                + " magic=0x" + Integer.toHexString(magic));
        }
        int version = file.get(ValueLayout.JAVA_INT, VERSION_OFFSET);
        if (version != VERSION) {
            throw new IllegalStateException("unsupported shared memory version: name=" + name
                + " version=" + version + " expected=" + VERSION);
        }
        long size = size(file);
        if (size <= 0 || HEADER_BYTES + size > file.byteSize()) {
            throw new IllegalStateException("shared memory size does not fit its file: name=" + name
                + " size=" + size + " fileBytes=" + file.byteSize());
        }
    }

    /** Largest user size: the header must still fit in a file size (a long). */
    static final long MAX_SIZE = Long.MAX_VALUE - HEADER_BYTES;

    /** Checks a user-requested size: positive, and small enough that header plus size is a file size. */
    static void checkSize(String name, long size) {
        if (size <= 0 || size > MAX_SIZE) {
            throw new IllegalArgumentException("shared memory size must be in 1.." + MAX_SIZE + ": name=" + name
                + " size=" + size);
        }
    }
}
