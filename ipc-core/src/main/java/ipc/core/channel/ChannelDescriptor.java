package ipc.core.channel;


import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * Layout of a channel's control segment: the file {@code control} in the channel directory,
 * mapped by the frontend (which creates it) and by the backend (which opens it).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     magic 0x43435049 "IPCC"                   |  0
 *  +---------------------------------------------------------------+
 *  |                            version                            |  4
 *  +---------------------------------------------------------------+
 *  |              state (READY=1, ATTACHED=2, CLOSED=3)            |  8
 *  +---------------------------------------------------------------+
 *  |                         max frame bytes                       | 12
 *  +---------------------------------------------------------------+
 *  |                     frontend pid (int64)                      | 16
 *  +---------------------------------------------------------------+
 *  |                     backend pid (int64, 0 = none)             | 24
 *  +---------------------------------------------------------------+
 *  |              b2f bell offset in its file (int64)              | 32
 *  +---------------------------------------------------------------+
 *  |          b2f bell path length (0 = the b2f word below)        | 40
 *  +---------------------------------------------------------------+
 *  |      flags (bit 0: JOURNAL, keep the queues; bit 1: RING)     | 44
 *  +---------------------------------------------------------------+
 *  |                     padding to 128                          ...| 48
 *  +---------------------------------------------------------------+
 *  |        f2b doorbell word, alone on its 128-byte line        ...| 128
 *  +---------------------------------------------------------------+
 *  |        b2f doorbell word, alone on its 128-byte line        ...| 256
 *  +---------------------------------------------------------------+
 *  |        b2f bell path: UTF-8, up to 512 bytes                ...| 384
 *  +---------------------------------------------------------------+
 *  |   frontend wait CPU (int, -1 = unknown), alone on its line  ...| 896
 *  +---------------------------------------------------------------+
 *  |   backend wait CPU (int, -1 = unknown), alone on its line   ...| 1024
 *  +---------------------------------------------------------------+
 *  |   process name: UTF-8 length (int), then up to 252 bytes    ...| 1152
 *  +---------------------------------------------------------------+
 *  |   f2b frames written (int64), alone on its line             ...| 1408
 *  +---------------------------------------------------------------+
 *  |   f2b frames read (int64), alone on its line                ...| 1536
 *  +---------------------------------------------------------------+
 *  |   b2f frames written (int64), alone on its line             ...| 1664
 *  +---------------------------------------------------------------+
 *  |   b2f frames read (int64), alone on its line                ...| 1792
 *  +---------------------------------------------------------------+ 1920
 * </pre>
 *
 * <p>Commit: the frontend writes every other field, then stores {@code state = READY} with
 * release semantics; a backend reads {@code state} with acquire semantics and trusts nothing
 * else before it sees READY, then writes its pid and moves the state READY to ATTACHED with a
 * compare-and-set (release), so a frontend that reads ATTACHED (acquire) sees the pid.
 *
 * <p>Why the numbers: each doorbell sits alone on 128 bytes (two cache lines, which defeats the
 * adjacent-line prefetcher) because the two directions' bells are rung by different processes
 * at message rate and must not share a line with each other or with the header. The b2f bell
 * usually lives outside the channel (a frontend's {@link SelectBell}, shared by all of its
 * channels so that one futex word serves a select over many); its path is recorded here for the
 * backend, which maps it. 512 bytes bound that path: paths under the per-user root are ~60.
 *
 * <p>The wait CPUs are hints for the spin phase of each side's waits ({@link SpinWait}): each side
 * stores the CPU it is on when it begins to wait (plain store, once per wait) and the other side
 * reads it (opaque) every {@link SpinWait#SPINS_PER_YIELD} spins, to yield only to a peer on its
 * own core. Each sits on a line of its own: the frontend's is written by the frontend while the
 * backend reads it, and the other way round. The frontend writes -1 to both before it publishes.
 */
public final class ChannelDescriptor {
    /** 128 B: two cache lines, so the adjacent-line prefetcher cannot couple two hot words. */
    public static final int LINE_BYTES = 128;
    /** Largest UTF-8 length of the b2f bell path. */
    public static final int BELL_PATH_CAPACITY = 512;
    /** Largest UTF-8 length of the process name (longer names are cut, at a character boundary). */
    public static final int NAME_CAPACITY = 2 * LINE_BYTES - 4;

    public static final StructLayout LAYOUT = MemoryLayout.structLayout(
        ValueLayout.JAVA_INT.withName("magic"),
        ValueLayout.JAVA_INT.withName("version"),
        ValueLayout.JAVA_INT.withName("state"),
        ValueLayout.JAVA_INT.withName("maxFrameBytes"),
        ValueLayout.JAVA_LONG.withName("frontendPid"),
        ValueLayout.JAVA_LONG.withName("backendPid"),
        ValueLayout.JAVA_LONG.withName("b2fBellOffset"),
        ValueLayout.JAVA_INT.withName("b2fBellPathLength"),
        ValueLayout.JAVA_INT.withName("flags"),
        MemoryLayout.paddingLayout(LINE_BYTES - 48),
        ValueLayout.JAVA_INT.withName("f2bBell"),
        MemoryLayout.paddingLayout(LINE_BYTES - 4),
        ValueLayout.JAVA_INT.withName("b2fBell"),
        MemoryLayout.paddingLayout(LINE_BYTES - 4),
        MemoryLayout.sequenceLayout(BELL_PATH_CAPACITY, ValueLayout.JAVA_BYTE).withName("b2fBellPath"),
        ValueLayout.JAVA_INT.withName("frontendWaitCpu"),
        MemoryLayout.paddingLayout(LINE_BYTES - 4),
        ValueLayout.JAVA_INT.withName("backendWaitCpu"),
        MemoryLayout.paddingLayout(LINE_BYTES - 4),
        ValueLayout.JAVA_INT.withName("nameLength"),
        MemoryLayout.sequenceLayout(NAME_CAPACITY, ValueLayout.JAVA_BYTE).withName("name"),
        ValueLayout.JAVA_LONG.withName("f2bWritten"),
        MemoryLayout.paddingLayout(LINE_BYTES - 8),
        ValueLayout.JAVA_LONG.withName("f2bRead"),
        ValueLayout.JAVA_LONG.withName("f2bRunning"),
        ValueLayout.JAVA_LONG.withName("f2bDone"),
        MemoryLayout.paddingLayout(LINE_BYTES - 24),
        ValueLayout.JAVA_LONG.withName("b2fWritten"),
        MemoryLayout.paddingLayout(LINE_BYTES - 8),
        ValueLayout.JAVA_LONG.withName("b2fRead"),
        MemoryLayout.paddingLayout(LINE_BYTES - 8))
        .withName("ChannelControl");

    public static final long MAGIC_OFFSET = offsetOf("magic");
    public static final long VERSION_OFFSET = offsetOf("version");
    public static final long STATE_OFFSET = offsetOf("state");
    public static final long MAX_FRAME_BYTES_OFFSET = offsetOf("maxFrameBytes");
    public static final long FRONTEND_PID_OFFSET = offsetOf("frontendPid");
    public static final long BACKEND_PID_OFFSET = offsetOf("backendPid");
    public static final long B2F_BELL_OFFSET_OFFSET = offsetOf("b2fBellOffset");
    public static final long B2F_BELL_PATH_LENGTH_OFFSET = offsetOf("b2fBellPathLength");
    public static final long FLAGS_OFFSET = offsetOf("flags");
    /**
     * Flag: the channel is a journal ({@code MessageProcess.setJournal}): neither side deletes a
     * cycle file it has read, and the frontend's close keeps both queues (native-notes/journal.md).
     */
    public static final int FLAG_JOURNAL = 1;
    /** Flag bit: the channel's directions are {@code FrameRing}s ({@code Transport#RING}), not Chronicle queues. */
    public static final int FLAG_RING = 2;
    public static final long F2B_BELL_OFFSET = offsetOf("f2bBell");
    public static final long B2F_BELL_OFFSET = offsetOf("b2fBell");
    public static final long B2F_BELL_PATH_OFFSET = offsetOf("b2fBellPath");
    public static final long FRONTEND_WAIT_CPU_OFFSET = offsetOf("frontendWaitCpu");
    public static final long BACKEND_WAIT_CPU_OFFSET = offsetOf("backendWaitCpu");
    public static final long NAME_LENGTH_OFFSET = offsetOf("nameLength");
    public static final long NAME_OFFSET = offsetOf("name");
    /**
     * Frames each side has written and read, per direction, for {@code ipc.core.tool.Ipc list}:
     * each counter is written by one side only (a release store after each frame) and read by the
     * tool (acquire); each alone on its line, so that the two processes' counters share no line.
     */
    public static final long F2B_WRITTEN_OFFSET = offsetOf("f2bWritten");
    public static final long F2B_READ_OFFSET = offsetOf("f2bRead");
    /**
     * The queue index of the f2b frame whose handler the backend runs (stored before the handler),
     * and of the last one whose handler returned (stored after it): equal when the backend is
     * between frames. Written by the backend only, plainly ordered (release); read by the frontend
     * after the backend process has died, to tell where a restarted backend resumes. 0: none yet.
     */
    public static final long F2B_RUNNING_OFFSET = offsetOf("f2bRunning");
    public static final long F2B_DONE_OFFSET = offsetOf("f2bDone");
    public static final long B2F_WRITTEN_OFFSET = offsetOf("b2fWritten");
    public static final long B2F_READ_OFFSET = offsetOf("b2fRead");
    /** Bytes of the control segment. */
    public static final long SIZE = LAYOUT.byteSize();

    /** ASCII "IPCC" read as a little-endian int. */
    public static final int MAGIC = 0x43435049;
    /** 3: the flags word, the process name and the frame counters (2: the wait CPU lines). */
    public static final int VERSION = 4;

    /** The file is zero-filled: not yet published. */
    public static final int STATE_UNPUBLISHED = 0;
    /** Published by the frontend; no backend yet. */
    public static final int STATE_READY = 1;
    /** A backend has opened the channel ({@code backendPid} is set). */
    public static final int STATE_ATTACHED = 2;
    /** The frontend has closed the channel; the directory is going away. */
    public static final int STATE_CLOSED = 3;

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private ChannelDescriptor() {
    }

    private static long offsetOf(String name) {
        return LAYOUT.byteOffset(PathElement.groupElement(name));
    }

    /** Checks that a mapped control file can hold the layout. */
    public static void checkSize(long size) {
        if (size < SIZE) {
            throw new IllegalStateException("control segment too small: size=" + size + ", expected=" + SIZE);
        }
    }

    /** Checks magic and version of a control segment that has been published. */
    public static void checkHeader(MemorySegment control) {
        int magic = control.get(ValueLayout.JAVA_INT, MAGIC_OFFSET);
        if (magic != MAGIC) {
            throw new IllegalStateException("not a channel control segment: magic=0x" + Integer.toHexString(magic)
                + ", expected=0x" + Integer.toHexString(MAGIC));
        }
        int version = control.get(ValueLayout.JAVA_INT, VERSION_OFFSET);
        if (version != VERSION) {
            throw new IllegalStateException("unsupported channel version: version=" + version + ", expected=" + VERSION);
        }
    }

    /** Checks the UTF-8 length of a b2f bell path. */
    public static byte[] checkBellPath(String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > BELL_PATH_CAPACITY) {
            throw new IllegalArgumentException("bell path length out of range: length=" + bytes.length + ", max="
                + BELL_PATH_CAPACITY + ", path=" + path);
        }
        return bytes;
    }

    /** Writes {@code name} (cut to {@link #NAME_CAPACITY} UTF-8 bytes at a character boundary). */
    static void putName(MemorySegment control, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        int length = bytes.length;
        if (length > NAME_CAPACITY) {
            length = NAME_CAPACITY;
            while (length > 0 && (bytes[length] & 0xC0) == 0x80) {
                length--; // not inside a multi-byte character
            }
        }
        MemorySegment.copy(bytes, 0, control, ValueLayout.JAVA_BYTE, NAME_OFFSET, length);
        control.set(ValueLayout.JAVA_INT, NAME_LENGTH_OFFSET, length);
    }

    /** The process name, or "" when none was written. */
    public static String name(MemorySegment control) {
        int length = control.get(ValueLayout.JAVA_INT, NAME_LENGTH_OFFSET);
        if (length <= 0 || length > NAME_CAPACITY) {
            return "";
        }
        byte[] bytes = new byte[length];
        MemorySegment.copy(control, ValueLayout.JAVA_BYTE, NAME_OFFSET, bytes, 0, length);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public static long counterAcquire(MemorySegment control, long offset) {
        return (long) LONG.getAcquire(control, offset);
    }

    static void counterRelease(MemorySegment control, long offset, long value) {
        LONG.setRelease(control, offset, value);
    }

    public static int stateAcquire(MemorySegment control) {
        return (int) INT.getAcquire(control, STATE_OFFSET);
    }

    static void stateRelease(MemorySegment control, int state) {
        INT.setRelease(control, STATE_OFFSET, state);
    }

    static boolean stateCompareAndSet(MemorySegment control, int expected, int state) {
        return INT.compareAndSet(control, STATE_OFFSET, expected, state);
    }
}
