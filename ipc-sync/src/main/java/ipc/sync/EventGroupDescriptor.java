package ipc.sync;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Layout of an {@link EventGroup} segment: a header, then {@code capacity} slots.
 *
 * <pre>
 *   Header (128 B, written once by the creator)
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |                      magic "IPCEVGRP" (64)                    |  0
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                        version (32)                           |  8
 *   +---------------------------------------------------------------+
 *   |                        capacity (32)                          | 12
 *   +---------------------------------------------------------------+
 *   |                        slot bytes (32)                        | 16
 *   +---------------------------------------------------------------+
 *   |                        (unused, 0)                            | 20
 *   +---------------------------------------------------------------+
 *   |                      creator pid (64)                         | 24
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                     padding to 128 B                         ...  32
 *   +---------------------------------------------------------------+
 *
 *   Slot i at 128 + i * 128 (128 B each)
 *   +---------------------------------------------------------------+
 *   |                 state: the futex word (32)                    |  0
 *   +---------------------------------------------------------------+
 *   |                        (unused, 0)                            |  4
 *   +---------------------------------------------------------------+
 *   |          holder: generation (32) | holder pid (32)            |  8
 *   |                                                               |
 *   +---------------------------------------------------------------+
 *   |                     padding to 128 B                         ... 16
 *   +---------------------------------------------------------------+
 *
 *   State word                                 Index (handed out by reserve())
 *    bit 31 30           16 15        3 2 1 0    bit 31 30           16 15              0
 *   +---+------------------+-----------+-+-+-+  +---+------------------+----------------+
 *   | 0 | generation (15)  |  unused   |W|S|R|  | 0 | generation (15)  |   slot (16)    |
 *   +---+------------------+-----------+-+-+-+  +---+------------------+----------------+
 *   R RESERVED (0: FREE)   S SET   W WAITERS (some thread will FUTEX_WAIT on this word)
 * </pre>
 *
 * <p>Commit protocol: the header is published by writing the magic last with release
 * semantics; a slot changes hands only by a CAS of its state word, and a reservation belongs to
 * whoever's CAS moved the word from FREE to RESERVED with the next generation.
 *
 * <p>Why these sizes: a slot is 128 B, two cache lines, because x86's adjacent-line prefetcher
 * fetches lines in 128 B pairs: with 64 B slots, a CAS on one slot would still pull its
 * neighbour's line away from the core spinning on it. The header gets the same 128 B so every
 * slot starts on its own line pair. The generation sits at the same bits in the state word and
 * in the index, so {@code index = (state & GENERATION_MASK) | slot}; it runs 1..32767 and never 0,
 * so no index equals a plain slot number and a set() for an older reservation of the slot does
 * not match a newer one (until the slot has been reserved 32767 more times). Bit 31 stays 0 so
 * an index is a positive int (it travels as a message parameter). The holder word lets a
 * reserve() that finds no free slot take back slots whose holder process has died.
 */
public final class EventGroupDescriptor {
    /**
     * "IPCEVGRP" read as a big-endian ASCII long (stored in native order like every field): a
     * file that is not an EventGroup is refused at open.
     */
    public static final long MAGIC = 0x4950_4345_5647_5250L;
    /** Layout version; bump on any change to this class's layout or bit tables. */
    public static final int VERSION = 1;

    /** Slot and header size: two cache lines, against adjacent-line prefetch (see above). */
    public static final int SLOT_BYTES = 128;
    public static final int HEADER_BYTES = 128;

    public static final StructLayout HEADER_LAYOUT = MemoryLayout.structLayout(
        ValueLayout.JAVA_LONG.withName("magic"),
        ValueLayout.JAVA_INT.withName("version"),
        ValueLayout.JAVA_INT.withName("capacity"),
        ValueLayout.JAVA_INT.withName("slotBytes"),
        ValueLayout.JAVA_INT.withName("unused"),
        ValueLayout.JAVA_LONG.withName("creatorPid"),
        MemoryLayout.paddingLayout(HEADER_BYTES - 32));

    public static final StructLayout SLOT_LAYOUT = MemoryLayout.structLayout(
        ValueLayout.JAVA_INT.withName("state"),
        ValueLayout.JAVA_INT.withName("unused"),
        ValueLayout.JAVA_LONG.withName("holder"),
        MemoryLayout.paddingLayout(SLOT_BYTES - 16));

    public static final long MAGIC_OFFSET = HEADER_LAYOUT.byteOffset(groupElement("magic"));
    public static final long VERSION_OFFSET = HEADER_LAYOUT.byteOffset(groupElement("version"));
    public static final long CAPACITY_OFFSET = HEADER_LAYOUT.byteOffset(groupElement("capacity"));
    public static final long SLOT_BYTES_OFFSET = HEADER_LAYOUT.byteOffset(groupElement("slotBytes"));
    public static final long CREATOR_PID_OFFSET = HEADER_LAYOUT.byteOffset(groupElement("creatorPid"));
    public static final long STATE_OFFSET = SLOT_LAYOUT.byteOffset(groupElement("state"));
    public static final long HOLDER_OFFSET = SLOT_LAYOUT.byteOffset(groupElement("holder"));

    // State word bits.
    public static final int RESERVED = 1;
    public static final int SET = 1 << 1;
    public static final int WAITERS = 1 << 2;

    // Generation: state word and index alike.
    public static final int GENERATION_SHIFT = 16;
    public static final int MAX_GENERATION = (1 << 15) - 1;
    public static final int GENERATION_MASK = MAX_GENERATION << GENERATION_SHIFT;

    // Index: slot in the low bits.
    public static final int SLOT_MASK = (1 << GENERATION_SHIFT) - 1;
    /** Most slots a group can have: every slot number must fit the index's 16 slot bits. */
    public static final int MAX_CAPACITY = 1 << GENERATION_SHIFT;

    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    static {
        if (HEADER_LAYOUT.byteSize() != HEADER_BYTES || SLOT_LAYOUT.byteSize() != SLOT_BYTES) {
            throw new ExceptionInInitializerError("layout sizes drifted: header=" + HEADER_LAYOUT.byteSize()
                + " slot=" + SLOT_LAYOUT.byteSize());
        }
    }

    private EventGroupDescriptor() {
    }

    /** Bytes of a group with {@code capacity} slots. */
    public static long totalBytes(int capacity) {
        return HEADER_BYTES + (long) capacity * SLOT_BYTES;
    }

    /** Offset of slot {@code slot}'s state word. */
    public static long stateOffset(int slot) {
        return HEADER_BYTES + (long) slot * SLOT_BYTES + STATE_OFFSET;
    }

    /** Offset of slot {@code slot}'s holder word. */
    public static long holderOffset(int slot) {
        return HEADER_BYTES + (long) slot * SLOT_BYTES + HOLDER_OFFSET;
    }

    /** The generation bits of a state word or an index, shifted down: 0..{@link #MAX_GENERATION}. */
    public static int generation(int stateOrIndex) {
        return (stateOrIndex & GENERATION_MASK) >>> GENERATION_SHIFT;
    }

    /** The generation after the one in {@code state}, in place in the word's bits; skips 0. */
    public static int nextGenerationBits(int state) {
        int generation = generation(state);
        return (generation == MAX_GENERATION ? 1 : generation + 1) << GENERATION_SHIFT;
    }

    /** The slot number of an index. */
    public static int slot(int index) {
        return index & SLOT_MASK;
    }

    /** The index for a slot whose state word holds the reservation's generation. */
    public static int index(int slot, int state) {
        return (state & GENERATION_MASK) | slot;
    }

    /** The holder word: generation in the high half, so a reader can tell whose pid it is. */
    public static long holder(int generation, long pid) {
        return ((long) generation << 32) | (pid & 0xFFFF_FFFFL);
    }

    /** @throws IllegalArgumentException unless {@code 1 <= capacity <= MAX_CAPACITY} */
    public static void checkCapacity(int capacity) {
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be in 1.." + MAX_CAPACITY + ": capacity=" + capacity);
        }
    }

    /**
     * Checks an opened segment's header against this layout and returns its capacity.
     *
     * @throws IllegalStateException naming the field and value when the file is not an
     *                               EventGroup of this version, or its size does not match
     */
    public static int checkHeader(MemorySegment segment, String name) {
        if (segment.byteSize() < HEADER_BYTES) {
            throw new IllegalStateException("not an EventGroup, too small: name=" + name
                + " size=" + segment.byteSize());
        }
        long magic = (long) LONG.getAcquire(segment, MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new IllegalStateException("not an EventGroup: name=" + name + " magic=0x" + Long.toHexString(magic)
                + " expected=0x" + Long.toHexString(MAGIC));
        }
        int version = segment.get(ValueLayout.JAVA_INT, VERSION_OFFSET);
        if (version != VERSION) {
            throw new IllegalStateException("EventGroup version mismatch: name=" + name + " version=" + version
                + " expected=" + VERSION);
        }
        int slotBytes = segment.get(ValueLayout.JAVA_INT, SLOT_BYTES_OFFSET);
        if (slotBytes != SLOT_BYTES) {
            throw new IllegalStateException("EventGroup slot size mismatch: name=" + name + " slotBytes="
                + slotBytes + " expected=" + SLOT_BYTES);
        }
        int capacity = segment.get(ValueLayout.JAVA_INT, CAPACITY_OFFSET);
        if (capacity < 1 || capacity > MAX_CAPACITY || totalBytes(capacity) != segment.byteSize()) {
            throw new IllegalStateException("EventGroup size mismatch: name=" + name + " capacity=" + capacity
                + " size=" + segment.byteSize() + " expected=" + (capacity >= 1 ? totalBytes(capacity) : -1));
        }
        return capacity;
    }

    /** Writes the header of a fresh, zero-filled segment; the magic goes last, with release. */
    public static void writeHeader(MemorySegment segment, int capacity, long creatorPid) {
        segment.set(ValueLayout.JAVA_INT, VERSION_OFFSET, VERSION);
        segment.set(ValueLayout.JAVA_INT, CAPACITY_OFFSET, capacity);
        segment.set(ValueLayout.JAVA_INT, SLOT_BYTES_OFFSET, SLOT_BYTES);
        segment.set(ValueLayout.JAVA_LONG, CREATOR_PID_OFFSET, creatorPid);
        LONG.setRelease(segment, MAGIC_OFFSET, MAGIC);
    }
}
