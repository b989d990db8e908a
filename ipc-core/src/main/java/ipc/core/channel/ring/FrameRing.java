package ipc.core.channel.ring;


import ipc.sync.SharedMapping;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * One direction of a {@code Transport#RING} channel: a single-producer single-consumer ring of
 * frames in a shared file of the channel directory ({@code f2b.ring}, {@code b2f.ring}, 0600),
 * after Agrona's {@code OneToOneRingBuffer} and {@code RecordDescriptor} (native-notes/ring.md).
 *
 * <pre>
 *   [0, capacity)          records, each starting on an 8-byte boundary:
 *                            int  length  header + frame bytes (0: nothing here yet)   +0
 *                            int  type    1 a frame, 2 padding to the end of the ring  +4
 *                            frame bytes (FrameDescriptor)                             +8
 *   capacity + 0           tail: bytes the producer has committed, ever (int64)      own 128-byte line
 *   capacity + 128         head: bytes the consumer has released, ever (int64)       own 128-byte line
 *   capacity + 256         magic "IPCR" (int), capacity (int)                        own 128-byte line
 * </pre>
 *
 * <p>Protocol: the producer writes a record into zeroed space, the type, then the length word
 * last with a release store (the commit); a record that would cross the end is preceded by a
 * padding record to the end. The consumer reads the length word at {@code head} with acquire
 * semantics: 0 is nothing yet; else it hands the frame to the handler, then zeroes the record's
 * bytes and stores the new head with release semantics, so the producer, which reads head with
 * acquire before it reuses space, writes only into zeroes. Each side keeps its position in its
 * own word of the file, which outlives a process: a restarted backend reads on at head.
 */
public final class FrameRing implements AutoCloseable {
    static final int HEADER_BYTES = 8;
    static final int ALIGNMENT = 8;
    static final int TYPE_FRAME = 1;
    static final int TYPE_PADDING = 2;
    static final long TAIL_OFFSET = 0;
    /** 128 B: two cache lines, so the adjacent-line prefetcher cannot couple two hot words. */
    static final long LINE_BYTES = 128;
    static final long HEAD_OFFSET = LINE_BYTES;
    static final long MAGIC_OFFSET = 2L * LINE_BYTES;
    static final long CAPACITY_OFFSET = MAGIC_OFFSET + Integer.BYTES;
    static final long TRAILER_BYTES = 3L * LINE_BYTES;
    static final int MAGIC = 0x52435049; // "IPCR"

    /** {@code -Dipc.ringBytes}: each direction's capacity, a power of two (default {@value #DEFAULT_CAPACITY}). */
    public static final String CAPACITY_PROPERTY = "ipc.ringBytes";
    static final int DEFAULT_CAPACITY = 1 << 22;
    static final int MIN_CAPACITY = 1 << 12;
    static final int MAX_CAPACITY = 1 << 30;

    static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final SharedMapping mapping;
    private final MemorySegment segment;
    private final int capacity;

    private FrameRing(SharedMapping mapping, int capacity) {
        this.mapping = mapping;
        this.segment = mapping.segment();
        this.capacity = capacity;
    }

    /** The capacity from {@link #CAPACITY_PROPERTY}, checked. */
    public static int capacityFromSystemProperty() {
        String text = System.getProperty(CAPACITY_PROPERTY);
        if (text == null || text.isBlank()) {
            return DEFAULT_CAPACITY;
        }
        int capacity;
        try {
            capacity = Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an int: " + CAPACITY_PROPERTY + "=" + text, e);
        }
        return checkCapacity(capacity);
    }

    static int checkCapacity(int capacity) {
        if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("ring capacity must be a power of two from " + MIN_CAPACITY + " to "
                + MAX_CAPACITY + " bytes: capacity=" + capacity);
        }
        return capacity;
    }

    /** Creates the ring file (zeroed, storage reserved: a full /dev/shm fails here, not later). */
    public static FrameRing create(Path file, int capacity) {
        checkCapacity(capacity);
        SharedMapping mapping = SharedMapping.create(file, capacity + TRAILER_BYTES);
        MemorySegment s = mapping.segment();
        s.set(ValueLayout.JAVA_INT, capacity + CAPACITY_OFFSET, capacity);
        INT.setRelease(s, capacity + MAGIC_OFFSET, MAGIC);
        return new FrameRing(mapping, capacity);
    }

    /** Maps an existing ring file. */
    public static FrameRing open(Path file) {
        SharedMapping mapping = SharedMapping.open(file);
        try {
            long size = mapping.size();
            long capacity = size - TRAILER_BYTES;
            MemorySegment s = mapping.segment();
            if (capacity < MIN_CAPACITY || capacity > MAX_CAPACITY || Long.bitCount(capacity) != 1
                || (int) INT.getAcquire(s, capacity + MAGIC_OFFSET) != MAGIC
                || s.get(ValueLayout.JAVA_INT, capacity + CAPACITY_OFFSET) != capacity) {
                throw new IllegalStateException("not a ring file: path=" + file + " size=" + size);
            }
            return new FrameRing(mapping, (int) capacity);
        } catch (RuntimeException e) {
            mapping.close();
            throw e;
        }
    }

    MemorySegment segment() {
        return segment;
    }

    int capacity() {
        return capacity;
    }

    long tailAcquire() {
        return (long) LONG.getAcquire(segment, capacity + TAIL_OFFSET);
    }

    void tailRelease(long tail) {
        LONG.setRelease(segment, capacity + TAIL_OFFSET, tail);
    }

    long headAcquire() {
        return (long) LONG.getAcquire(segment, capacity + HEAD_OFFSET);
    }

    void headRelease(long head) {
        LONG.setRelease(segment, capacity + HEAD_OFFSET, head);
    }

    static long align(long length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }

    Path path() {
        return mapping.path();
    }

    @Override
    public void close() {
        mapping.close();
    }
}
