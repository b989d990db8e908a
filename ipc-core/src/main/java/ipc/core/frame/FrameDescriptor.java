package ipc.core.frame;


import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Layout of one frame: the encoding of one {@code MessageObject} in one queue excerpt.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+---------------+---------------+
 *  |        magic 0x4F4D "MO"      |    version    |  flags (0)    |  0
 *  +-------------------------------+---------------+---------------+
 *  |                 frame length (header included)                |  4
 *  +-------------------------------+-------------------------------+
 *  |    command length (uint16)    |     field count (uint16)      |  8
 *  +-------------------------------+-------------------------------+
 *  |              command: CESU-8 bytes, command length           ...| 12
 *  +---------------------------------------------------------------+
 *  |              field 0, field 1, ... field count - 1           ...|
 *  +---------------------------------------------------------------+
 *
 *  field:  key length (uint16) | key: CESU-8 bytes | type tag (1 byte) | value
 * </pre>
 *
 * <p>Values by tag (all numbers little-endian, no padding, no alignment):
 * <pre>
 *  tag  type          value bytes
 *    0  NULL          none
 *    1  BOOLEAN       1: 0 or 1
 *    2  BYTE          1
 *    3  SHORT         2
 *    4  INT           4
 *    5  LONG          8
 *    6  FLOAT         4: IEEE 754 bits
 *    7  DOUBLE        8: IEEE 754 bits
 *    8  CHAR          2: the UTF-16 code unit
 *    9  STRING        int32 byte length | CESU-8 bytes
 *   10  BYTES         int32 length | bytes
 *   11  INT_ARRAY     int32 count | 4 * count
 *   12  LONG_ARRAY    int32 count | 8 * count
 *   13  DOUBLE_ARRAY  int32 count | 8 * count
 *   14  ENUM          STRING (class name) | STRING (constant name)
 *   15  LIST          int32 body length | int32 count | count * (tag | value)
 *   16  MAP           int32 body length | int32 count | count * (key length | key | tag | value)
 * </pre>
 * A LIST or MAP body length counts the bytes after the body-length word, so a reader skips a
 * container in O(1). Strings are CESU-8: UTF-8 in which each UTF-16 code unit is encoded on its
 * own (1 to 3 bytes; supplementary characters as two 3-byte surrogates), so every Java String,
 * unpaired surrogates included, round-trips exactly; ASCII commands and keys are plain ASCII.
 *
 * <p>Commit: a frame is published by Chronicle's excerpt commit (closing the writing document
 * stores the excerpt's length header with release semantics), so a reader never sees part of
 * a frame and the frame itself carries no commit word.
 *
 * <p>Why the numbers: the magic is ASCII "MO" (MessageObject), readable in a hex dump; the
 * version changes when this layout does; flags are reserved (written 0, ignored on read) so a
 * later minor addition needs no version bump; command length, key length and field count are
 * uint16 because names and parameter lists longer than 65535 are not messages we serve; lengths
 * of values are int32 because a frame is bounded by {@link #maxFrameBytesFromSystemProperty()}
 * (default {@link #DEFAULT_MAX_FRAME_BYTES}) far below 2 GiB. Little-endian because that is the
 * native order of every platform we run on (x86_64, aarch64), which lets a Chronicle Bytes
 * (native order) and an FFM segment read the same bytes.
 */
public final class FrameDescriptor {
    private static final ValueLayout.OfShort U16 =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The library's own commands (ready, stop, answers, ...) start with this; a user's never do. */
    public static final String LIBRARY_PREFIX = "__";

    /** Commands of typed remote-call frames start with this; the only library frames a journal shows. */
    public static final String CALL_PREFIX = LIBRARY_PREFIX + "c:";

    /** The fixed header. Unaligned members: a frame may start at any byte of its excerpt. */
    public static final StructLayout HEADER = MemoryLayout.structLayout(
        U16.withName("magic"),
        ValueLayout.JAVA_BYTE.withName("version"),
        ValueLayout.JAVA_BYTE.withName("flags"),
        I32.withName("frameLength"),
        U16.withName("commandLength"),
        U16.withName("fieldCount")).withName("FrameHeader");

    public static final int MAGIC_OFFSET = offsetOf("magic");
    public static final int VERSION_OFFSET = offsetOf("version");
    public static final int FLAGS_OFFSET = offsetOf("flags");
    public static final int FRAME_LENGTH_OFFSET = offsetOf("frameLength");
    public static final int COMMAND_LENGTH_OFFSET = offsetOf("commandLength");
    public static final int FIELD_COUNT_OFFSET = offsetOf("fieldCount");
    /** Bytes of the fixed header; the command starts here. */
    public static final int HEADER_LENGTH = (int) HEADER.byteSize();

    /** ASCII "MO" read as a little-endian short. */
    public static final short MAGIC = 0x4F4D;
    /** Version of this layout. */
    public static final byte VERSION = 1;

    /** Bytes of a key-length word, a type tag, and a value-length / count / body-length word. */
    public static final int KEY_LENGTH_BYTES = 2;
    public static final int TAG_BYTES = 1;
    public static final int LENGTH_BYTES = 4;
    /** Largest command length, key length and field count: the uint16 range. */
    public static final int MAX_U16 = 0xFFFF;

    public static final byte TYPE_NULL = 0;
    public static final byte TYPE_BOOLEAN = 1;
    public static final byte TYPE_BYTE = 2;
    public static final byte TYPE_SHORT = 3;
    public static final byte TYPE_INT = 4;
    public static final byte TYPE_LONG = 5;
    public static final byte TYPE_FLOAT = 6;
    public static final byte TYPE_DOUBLE = 7;
    public static final byte TYPE_CHAR = 8;
    public static final byte TYPE_STRING = 9;
    public static final byte TYPE_BYTES = 10;
    public static final byte TYPE_INT_ARRAY = 11;
    public static final byte TYPE_LONG_ARRAY = 12;
    public static final byte TYPE_DOUBLE_ARRAY = 13;
    public static final byte TYPE_ENUM = 14;
    public static final byte TYPE_LIST = 15;
    public static final byte TYPE_MAP = 16;
    /** One past the largest tag; every tag in {@code [0, TYPE_COUNT)} is defined. */
    public static final byte TYPE_COUNT = 17;

    /** System property that sets the frame size limit of channels built without an explicit one. */
    public static final String MAX_FRAME_BYTES_PROPERTY = "ipc.maxFrameBytes";
    /**
     * 1 MiB: large enough for any control message and sizeable arrays, small enough that the
     * channel's Chronicle chunk, four times the limit (an excerpt may fill at most a quarter of
     * one), stays a 4 MiB mapping.
     */
    public static final int DEFAULT_MAX_FRAME_BYTES = 1 << 20;
    /** 64 MiB: the largest limit accepted; a channel then maps its queue files in 256 MiB chunks. */
    public static final int MAX_MAX_FRAME_BYTES = 1 << 26;

    private FrameDescriptor() {
    }

    private static int offsetOf(String name) {
        return (int) HEADER.byteOffset(PathElement.groupElement(name));
    }

    /**
     * The frame size limit from {@link #MAX_FRAME_BYTES_PROPERTY}, or {@link #DEFAULT_MAX_FRAME_BYTES}.
     *
     * @throws IllegalArgumentException when the property is not a valid limit
     */
    public static int maxFrameBytesFromSystemProperty() {
        String text = System.getProperty(MAX_FRAME_BYTES_PROPERTY);
        if (text == null) {
            return DEFAULT_MAX_FRAME_BYTES;
        }
        int value;
        try {
            value = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an int: " + MAX_FRAME_BYTES_PROPERTY + "=" + text, e);
        }
        return checkMaxFrameBytes(value);
    }

    /**
     * Checks a frame size limit: at least a header, at most {@link #MAX_MAX_FRAME_BYTES}.
     *
     * @return {@code maxFrameBytes}
     */
    public static int checkMaxFrameBytes(int maxFrameBytes) {
        if (maxFrameBytes < HEADER_LENGTH || maxFrameBytes > MAX_MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes out of range: maxFrameBytes=" + maxFrameBytes
                + ", min=" + HEADER_LENGTH + ", max=" + MAX_MAX_FRAME_BYTES);
        }
        return maxFrameBytes;
    }

    /** Checks the magic of a received frame. */
    public static void checkMagic(short magic) {
        if (magic != MAGIC) {
            throw new FrameException(FrameException.Reason.BAD_MAGIC,
                "bad magic: magic=0x" + Integer.toHexString(magic & 0xFFFF) + ", expected=0x"
                    + Integer.toHexString(MAGIC & 0xFFFF));
        }
    }

    /** Checks the version of a received frame. */
    public static void checkVersion(byte version) {
        if (version != VERSION) {
            throw new FrameException(FrameException.Reason.BAD_VERSION,
                "unsupported frame version: version=" + version + ", expected=" + VERSION);
        }
    }

    /**
     * Checks a received frame's length word against its excerpt and the limit.
     *
     * @param frameLength   the header's frame length
     * @param excerptLength bytes in the excerpt that holds the frame
     * @param maxFrameBytes the reader's limit
     */
    public static void checkFrameLength(int frameLength, long excerptLength, int maxFrameBytes) {
        if (frameLength < HEADER_LENGTH) {
            throw new FrameException(FrameException.Reason.BAD_LENGTH,
                "frame length shorter than its header: frameLength=" + frameLength + ", headerLength="
                    + HEADER_LENGTH);
        }
        if (frameLength > maxFrameBytes) {
            throw new FrameException(FrameException.Reason.OVERSIZED,
                "frame over the size limit: frameLength=" + frameLength + ", maxFrameBytes=" + maxFrameBytes);
        }
        if (frameLength > excerptLength) {
            throw new FrameException(FrameException.Reason.LENGTH_PAST_EXCERPT,
                "frame length past its excerpt: frameLength=" + frameLength + ", excerptLength=" + excerptLength);
        }
        if (frameLength < excerptLength) {
            throw new FrameException(FrameException.Reason.BAD_LENGTH,
                "excerpt longer than its frame: frameLength=" + frameLength + ", excerptLength=" + excerptLength);
        }
    }

    /** Checks that an excerpt can hold a header at all. */
    public static void checkExcerptLength(long excerptLength) {
        if (excerptLength < HEADER_LENGTH) {
            throw new FrameException(FrameException.Reason.TRUNCATED,
                "excerpt shorter than a frame header: excerptLength=" + excerptLength + ", headerLength="
                    + HEADER_LENGTH);
        }
    }
}
