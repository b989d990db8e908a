package ipc.core.frame;

import ipc.core.MessageObject;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

/**
 * A reusable flyweight over one frame ({@link FrameDescriptor}) that reads it where it lies.
 *
 * <p>One per reader thread; not thread-safe. Positioning ({@link #wrap(MemorySegment)}, or the
 * channel positioning it on a queue excerpt) checks the whole frame once, so every accessor
 * afterwards works on a frame known to be well formed. The primitive accessors, the
 * {@code ...Equals} comparisons and {@link #commandHash()} allocate nothing; the methods that
 * return objects ({@link #command()}, {@link #key(int)}, {@link #getValue(int)},
 * {@link #toMessageObject()}) allocate. A reader the channel hands to a
 * {@link FrameHandler} is valid only during that call: the excerpt it reads is released after.
 *
 * <p>Fields are addressed by index, {@code 0 <= field < fieldCount()}, in the order the
 * sender put them; {@link #indexOf(byte[])} finds one by key without allocating.
 */
public final class FrameReader {
    /**
     * Initial per-field index capacity: 16 fields cover the messages we know of in 128 bytes of
     * index; a frame with more grows the arrays once, and they stay grown (no per-frame cost).
     */
    private static final int INITIAL_FIELDS = 16;

    /**
     * Strings up to this many bytes are decoded through {@link #scratchBytes} and
     * {@link #scratchChars} instead of a temporary array each: 256 covers the commands, keys,
     * symbols and ids of the messages we know of; a longer string allocates its temporary, which
     * the String's own copy of its characters outweighs anyway.
     */
    private static final int SCRATCH_STRING_BYTES = 256;
    /** The values of a message without parameters: an empty array is immutable, so all share one. */
    private static final Object[] NO_VALUES = {};

    private final int maxFrameBytes;
    private final SegmentFrameMemory segmentMemory = new SegmentFrameMemory();
    /** Null for a one-shot reader ({@link FrameCodec#decode}); a channel's reader keeps its shapes. */
    private final MessageShapes shapes;
    private final byte[] scratchBytes = new byte[SCRATCH_STRING_BYTES];
    private final char[] scratchChars = new char[SCRATCH_STRING_BYTES];

    private FrameMemory memory;
    private long base;
    private boolean valid;
    private int frameLength;
    private int commandLength;
    private int fieldCount;
    /** Frame-relative offset of each field's key bytes. */
    private int[] keyOffsets = new int[INITIAL_FIELDS];
    /** Frame-relative offset of each field's type tag; the value follows it. */
    private int[] tagOffsets = new int[INITIAL_FIELDS];

    /** A reader with the limit {@link FrameDescriptor#maxFrameBytesFromSystemProperty()}. */
    public FrameReader() {
        this(FrameDescriptor.maxFrameBytesFromSystemProperty());
    }

    /** A reader that rejects frames longer than {@code maxFrameBytes} as OVERSIZED. */
    public FrameReader(int maxFrameBytes) {
        this(maxFrameBytes, null);
    }

    /**
     * A reader that rejects frames longer than {@code maxFrameBytes}, and, with {@code shapes},
     * gives the messages it decodes of one shape the same command, keys and tags
     * ({@link MessageShapes}): for a reader that decodes a stream, such as a channel's.
     */
    public FrameReader(int maxFrameBytes, MessageShapes shapes) {
        this.maxFrameBytes = FrameDescriptor.checkMaxFrameBytes(maxFrameBytes);
        this.shapes = shapes;
    }

    /**
     * Positions this reader on the one frame that fills {@code frame} exactly.
     *
     * @return this
     * @throws FrameException when the frame is bad (the reader is then positioned on nothing)
     */
    public FrameReader wrap(MemorySegment frame) {
        return wrap(segmentMemory.wrap(frame), 0, frame.byteSize());
    }

    /**
     * Positions this reader on the frame at {@code offset} in {@code memory}, which fills the
     * {@code excerptLength} bytes from there: a frame read in place inside a larger mapping (a
     * queue chunk) with no slice per frame, so reading it allocates nothing, as on the channel.
     *
     * @return this
     * @throws FrameException when the frame is bad (the reader is then positioned on nothing)
     * @throws IndexOutOfBoundsException when the excerpt does not lie inside {@code memory}
     */
    public FrameReader wrap(MemorySegment memory, long offset, long excerptLength) {
        java.util.Objects.checkFromIndexSize(offset, excerptLength, memory.byteSize());
        return wrap(segmentMemory.wrap(memory), offset, excerptLength);
    }

    /** Positions this reader on the frame at {@code offset} filling an excerpt of {@code excerptLength}. */
    public FrameReader wrap(FrameMemory memory, long offset, long excerptLength) {
        this.valid = false;
        this.fieldCount = 0;
        this.memory = memory;
        this.base = offset;
        FrameDescriptor.checkExcerptLength(excerptLength);
        FrameDescriptor.checkMagic(memory.getShort(offset + FrameDescriptor.MAGIC_OFFSET));
        FrameDescriptor.checkVersion(memory.getByte(offset + FrameDescriptor.VERSION_OFFSET));
        int length = memory.getInt(offset + FrameDescriptor.FRAME_LENGTH_OFFSET);
        FrameDescriptor.checkFrameLength(length, excerptLength, maxFrameBytes);
        int cmdLength = u16(FrameDescriptor.COMMAND_LENGTH_OFFSET);
        int count = u16(FrameDescriptor.FIELD_COUNT_OFFSET);
        long end = length;
        long pos = FrameDescriptor.HEADER_LENGTH + (long) cmdLength;
        need(pos, 0, end, "command");
        if (count > keyOffsets.length) {
            int capacity = Math.max(count, 2 * keyOffsets.length);
            keyOffsets = new int[capacity];
            tagOffsets = new int[capacity];
        }
        for (int i = 0; i < count; i++) {
            need(pos, FrameDescriptor.KEY_LENGTH_BYTES, end, "key length");
            int keyLength = u16(pos);
            pos += FrameDescriptor.KEY_LENGTH_BYTES;
            keyOffsets[i] = (int) pos;
            need(pos, keyLength + FrameDescriptor.TAG_BYTES, end, "key and tag");
            pos += keyLength;
            tagOffsets[i] = (int) pos;
            pos = skipValue(memory.getByte(base + pos), pos + FrameDescriptor.TAG_BYTES, end, 0);
        }
        if (pos != end) {
            throw new FrameException(FrameException.Reason.BAD_LENGTH,
                "bytes left after the last field: fieldsEnd=" + pos + ", frameLength=" + length);
        }
        this.frameLength = length;
        this.commandLength = cmdLength;
        this.fieldCount = count;
        this.valid = true;
        return this;
    }

    /** True while positioned on a frame. */
    public boolean isValid() {
        return valid;
    }

    /** Positions this reader on nothing (the channel calls it when the excerpt is released). */
    public void clear() {
        valid = false;
        fieldCount = 0;
        memory = null;
    }

    /** Checks the value with {@code tag} at {@code pos} and returns the offset after it. */
    private long skipValue(byte tag, long pos, long end, int depth) {
        switch (tag) {
            case FrameDescriptor.TYPE_NULL -> {
                return pos;
            }
            case FrameDescriptor.TYPE_BOOLEAN -> {
                need(pos, 1, end, "boolean");
                byte b = memory.getByte(base + pos);
                if (b != 0 && b != 1) {
                    throw new FrameException(FrameException.Reason.BAD_VALUE,
                        "boolean neither 0 nor 1: value=" + b + ", offset=" + pos);
                }
                return pos + 1;
            }
            case FrameDescriptor.TYPE_BYTE -> {
                return need(pos, 1, end, "byte");
            }
            case FrameDescriptor.TYPE_SHORT, FrameDescriptor.TYPE_CHAR -> {
                return need(pos, 2, end, "short/char");
            }
            case FrameDescriptor.TYPE_INT, FrameDescriptor.TYPE_FLOAT -> {
                return need(pos, 4, end, "int/float");
            }
            case FrameDescriptor.TYPE_LONG, FrameDescriptor.TYPE_DOUBLE -> {
                return need(pos, 8, end, "long/double");
            }
            case FrameDescriptor.TYPE_STRING, FrameDescriptor.TYPE_BYTES -> {
                return need(pos + FrameDescriptor.LENGTH_BYTES, length(pos, end), end, "string/bytes");
            }
            case FrameDescriptor.TYPE_INT_ARRAY -> {
                return need(pos + FrameDescriptor.LENGTH_BYTES, 4L * length(pos, end), end, "int[]");
            }
            case FrameDescriptor.TYPE_LONG_ARRAY, FrameDescriptor.TYPE_DOUBLE_ARRAY -> {
                return need(pos + FrameDescriptor.LENGTH_BYTES, 8L * length(pos, end), end, "long[]/double[]");
            }
            case FrameDescriptor.TYPE_ENUM -> {
                long afterClass = need(pos + FrameDescriptor.LENGTH_BYTES, length(pos, end), end, "enum class");
                return need(afterClass + FrameDescriptor.LENGTH_BYTES, length(afterClass, end), end, "enum name");
            }
            case FrameDescriptor.TYPE_LIST, FrameDescriptor.TYPE_MAP -> {
                if (depth >= MessageObject.MAX_NESTING_DEPTH) {
                    throw new FrameException(FrameException.Reason.TOO_DEEP,
                        "containers nested too deep: depth=" + depth + ", max=" + MessageObject.MAX_NESTING_DEPTH
                            + ", offset=" + pos);
                }
                int body = length(pos, end);
                long bodyStart = pos + FrameDescriptor.LENGTH_BYTES;
                long bodyEnd = need(bodyStart, body, end, "container body");
                int count = length(bodyStart, bodyEnd);
                long p = bodyStart + FrameDescriptor.LENGTH_BYTES;
                for (int i = 0; i < count; i++) {
                    if (tag == FrameDescriptor.TYPE_MAP) {
                        need(p, FrameDescriptor.KEY_LENGTH_BYTES, bodyEnd, "map key length");
                        p += FrameDescriptor.KEY_LENGTH_BYTES + (long) u16(p);
                    }
                    need(p, FrameDescriptor.TAG_BYTES, bodyEnd, "element tag");
                    p = skipValue(memory.getByte(base + p), p + FrameDescriptor.TAG_BYTES, bodyEnd, depth + 1);
                }
                if (p != bodyEnd) {
                    throw new FrameException(FrameException.Reason.BAD_LENGTH,
                        "container body length disagrees with its elements: bodyLength=" + body + ", elementsEnd="
                            + (p - bodyStart) + ", offset=" + pos);
                }
                return p;
            }
            default -> throw new FrameException(FrameException.Reason.UNKNOWN_TYPE,
                "unknown type tag: tag=" + tag + ", offset=" + (pos - 1));
        }
    }

    /** Reads a non-negative int32 length at {@code pos}, which must fit before {@code end}. */
    private int length(long pos, long end) {
        need(pos, FrameDescriptor.LENGTH_BYTES, end, "length");
        int n = memory.getInt(base + pos);
        if (n < 0) {
            throw new FrameException(FrameException.Reason.BAD_LENGTH, "negative length: length=" + n + ", offset=" + pos);
        }
        return n;
    }

    /** Checks that {@code size} bytes at {@code pos} end by {@code end}; returns {@code pos + size}. */
    private static long need(long pos, long size, long end, String what) {
        if (pos + size > end) {
            throw new FrameException(FrameException.Reason.TRUNCATED,
                what + " runs past the frame: offset=" + pos + ", size=" + size + ", end=" + end);
        }
        return pos + size;
    }

    private int u16(long frameOffset) {
        return memory.getShort(base + frameOffset) & 0xFFFF;
    }

    private void checkValid() {
        if (!valid) {
            throw new IllegalStateException("reader is not positioned on a frame");
        }
    }

    // --- the command ---

    /** Bytes of the command (CESU-8; for an ASCII command, its length). */
    public int commandLength() {
        checkValid();
        return commandLength;
    }

    /** True when the command's bytes equal {@code command} (see {@link FrameCodec#stringBytes}). */
    public boolean commandEquals(byte[] command) {
        checkValid();
        return bytesEqual(FrameDescriptor.HEADER_LENGTH, commandLength, command);
    }

    /** True when the command's bytes begin with {@code prefix} (no allocation). */
    public boolean commandStartsWith(byte[] prefix) {
        checkValid();
        return commandLength >= prefix.length && bytesEqual(FrameDescriptor.HEADER_LENGTH, prefix.length, prefix);
    }

    /** {@code Arrays.hashCode} of the command's bytes; equals {@link FrameCodec#commandHash(String)}. */
    public int commandHash() {
        checkValid();
        int h = 1;
        long start = base + FrameDescriptor.HEADER_LENGTH;
        for (int i = 0; i < commandLength; i++) {
            h = 31 * h + memory.getByte(start + i);
        }
        return h;
    }

    /** The command (allocates). */
    public String command() {
        checkValid();
        return decodeString(FrameDescriptor.HEADER_LENGTH, commandLength);
    }

    /** Copies the whole frame (header included, {@link #frameLength()} bytes) into {@code dst} from 0. */
    public void copyTo(byte[] dst) {
        checkValid();
        memory.getBytes(base, dst, 0, frameLength);
    }

    /** Bytes of the whole frame, header included. */
    public int frameLength() {
        checkValid();
        return frameLength;
    }

    // --- fields ---

    /** Number of fields (parameters). */
    public int fieldCount() {
        checkValid();
        return fieldCount;
    }

    /** True when field {@code field}'s key bytes equal {@code key}. */
    public boolean keyEquals(int field, byte[] key) {
        Objects.checkIndex(field, fieldCount);
        return bytesEqual(keyOffsets[field], keyLength(field), key);
    }

    /** The index of the field whose key bytes equal {@code key}, or -1. */
    public int indexOf(byte[] key) {
        for (int i = 0; i < fieldCount; i++) {
            if (bytesEqual(keyOffsets[i], keyLength(i), key)) {
                return i;
            }
        }
        return -1;
    }

    /** Field {@code field}'s key (allocates). */
    public String key(int field) {
        Objects.checkIndex(field, fieldCount);
        return decodeString(keyOffsets[field], keyLength(field));
    }

    /** Field {@code field}'s type: one of {@link FrameDescriptor}'s TYPE_ constants (see {@link ValueType}). */
    public byte typeTag(int field) {
        Objects.checkIndex(field, fieldCount);
        return memory.getByte(base + tagOffsets[field]);
    }

    /** Field {@code field} as a boolean; its type must be BOOLEAN. */
    public boolean getBoolean(int field) {
        byte tag = typeTag(field);
        if (tag != FrameDescriptor.TYPE_BOOLEAN) {
            throw wrongType(field, tag, "boolean");
        }
        return memory.getByte(valueAddress(field)) != 0;
    }

    /** Field {@code field} as a char; its type must be CHAR. */
    public char getChar(int field) {
        byte tag = typeTag(field);
        if (tag != FrameDescriptor.TYPE_CHAR) {
            throw wrongType(field, tag, "char");
        }
        return (char) memory.getShort(valueAddress(field));
    }

    /** Field {@code field} as an int: BYTE, SHORT, CHAR or INT (Java's widening rules). */
    public int getInt(int field) {
        byte tag = typeTag(field);
        long at = valueAddress(field);
        return switch (tag) {
            case FrameDescriptor.TYPE_BYTE -> memory.getByte(at);
            case FrameDescriptor.TYPE_SHORT -> memory.getShort(at);
            case FrameDescriptor.TYPE_CHAR -> (char) memory.getShort(at);
            case FrameDescriptor.TYPE_INT -> memory.getInt(at);
            default -> throw wrongType(field, tag, "int");
        };
    }

    /** Field {@code field} as a long: any integral type or CHAR, widened. */
    public long getLong(int field) {
        byte tag = typeTag(field);
        long at = valueAddress(field);
        return switch (tag) {
            case FrameDescriptor.TYPE_BYTE -> memory.getByte(at);
            case FrameDescriptor.TYPE_SHORT -> memory.getShort(at);
            case FrameDescriptor.TYPE_CHAR -> (char) memory.getShort(at);
            case FrameDescriptor.TYPE_INT -> memory.getInt(at);
            case FrameDescriptor.TYPE_LONG -> memory.getLong(at);
            default -> throw wrongType(field, tag, "long");
        };
    }

    /** Field {@code field} as a double: FLOAT, DOUBLE, or any integral type or CHAR, widened. */
    public double getDouble(int field) {
        byte tag = typeTag(field);
        long at = valueAddress(field);
        return switch (tag) {
            case FrameDescriptor.TYPE_FLOAT -> Float.intBitsToFloat(memory.getInt(at));
            case FrameDescriptor.TYPE_DOUBLE -> Double.longBitsToDouble(memory.getLong(at));
            case FrameDescriptor.TYPE_BYTE -> memory.getByte(at);
            case FrameDescriptor.TYPE_SHORT -> memory.getShort(at);
            case FrameDescriptor.TYPE_CHAR -> (char) memory.getShort(at);
            case FrameDescriptor.TYPE_INT -> memory.getInt(at);
            case FrameDescriptor.TYPE_LONG -> memory.getLong(at);
            default -> throw wrongType(field, tag, "double");
        };
    }

    /**
     * Field {@code field} as a Java object (allocates): boxed primitives, String, arrays,
     * unmodifiable List / Map, null. An ENUM becomes the constant when its class is visible to
     * the thread's context class loader (or this library's) and has that constant, otherwise the
     * constant's name as a String.
     */
    public Object getValue(int field) {
        Objects.checkIndex(field, fieldCount);
        return readValue(memory.getByte(base + tagOffsets[field]), tagOffsets[field] + FrameDescriptor.TAG_BYTES);
    }

    /**
     * The whole frame as a new MessageObject (allocates: the message, its values array and the
     * values; with a shape cache, a frame of a cached shape shares the command, keys and tags of
     * the messages of that shape decoded before).
     */
    public MessageObject toMessageObject() {
        checkValid();
        Object[] values = fieldCount == 0 ? NO_VALUES : new Object[fieldCount];
        for (int i = 0; i < fieldCount; i++) {
            values[i] = getValue(i);
        }
        MessageShapes.Shape shape = shapes != null && shapeCacheable() ? cachedShape() : null;
        if (shape == null) {
            String[] keys = new String[fieldCount];
            for (int i = 0; i < fieldCount; i++) {
                keys[i] = key(i);
            }
            return MessageAccess.messages().create(command(), keys, ValueType.tagsOf(values, null), values);
        }
        return MessageAccess.messages().create(shape.command, shape.keys, ValueType.tagsOf(values, shape.tags), values);
    }

    /** True when this frame's shape is small enough to cache ({@link MessageShapes#MAX_FIELDS}). */
    private boolean shapeCacheable() {
        if (fieldCount > MessageShapes.MAX_FIELDS || commandLength > MessageShapes.MAX_STRING_BYTES) {
            return false;
        }
        for (int i = 0; i < fieldCount; i++) {
            if (keyLength(i) > MessageShapes.MAX_STRING_BYTES) {
                return false;
            }
        }
        return true;
    }

    /** This frame's shape from the cache, decoded and cached first when it is not there. */
    private MessageShapes.Shape cachedShape() {
        int hash = shapeHash();
        MessageShapes.Shape shape = shapes.find(this, hash);
        if (shape == null) {
            String[] keys = new String[fieldCount];
            byte[] tags = new byte[fieldCount];
            for (int i = 0; i < fieldCount; i++) {
                keys[i] = key(i);
                tags[i] = typeTag(i);
            }
            shape = new MessageShapes.Shape(hash, command(), keys, tags);
            shapes.put(shape);
        }
        return shape;
    }

    /** A hash of the command's and keys' bytes and the tags: what a frame's shape is looked up by. */
    int shapeHash() {
        int h = commandHash();
        for (int i = 0; i < fieldCount; i++) {
            long start = base + keyOffsets[i];
            int length = keyLength(i);
            for (int b = 0; b < length; b++) {
                h = 31 * h + memory.getByte(start + b);
            }
            h = 31 * h + memory.getByte(base + tagOffsets[i]);
        }
        return h;
    }

    /** True when this frame has exactly this command, these keys in this order, and these tags (no allocation). */
    boolean hasShape(String command, String[] keys, byte[] tags) {
        if (keys.length != fieldCount || !encodes(FrameDescriptor.HEADER_LENGTH, commandLength, command)) {
            return false;
        }
        for (int i = 0; i < fieldCount; i++) {
            if (memory.getByte(base + tagOffsets[i]) != tags[i] || !encodes(keyOffsets[i], keyLength(i), keys[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * True when the {@code length} bytes at frame offset {@code pos} are {@code s} encoded
     * (CESU-8, as {@link FrameCodec#stringBytes}); then they decode to {@code s}, since every
     * String round-trips. Encodes on the fly, so nothing is allocated.
     */
    private boolean encodes(long pos, int length, String s) {
        long at = base + pos;
        int p = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (p + 1 > length || memory.getByte(at + p) != (byte) c) {
                    return false;
                }
                p += 1;
            } else if (c < 0x800) {
                if (p + 2 > length || memory.getByte(at + p) != (byte) (0xC0 | (c >> 6))
                    || memory.getByte(at + p + 1) != (byte) (0x80 | (c & 0x3F))) {
                    return false;
                }
                p += 2;
            } else {
                if (p + 3 > length || memory.getByte(at + p) != (byte) (0xE0 | (c >> 12))
                    || memory.getByte(at + p + 1) != (byte) (0x80 | ((c >> 6) & 0x3F))
                    || memory.getByte(at + p + 2) != (byte) (0x80 | (c & 0x3F))) {
                    return false;
                }
                p += 3;
            }
        }
        return p == length;
    }

    @Override
    public String toString() {
        return valid ? "FrameReader[frameLength=" + frameLength + ", " + toMessageObject() + "]"
            : "FrameReader[not positioned]";
    }

    private int keyLength(int field) {
        return u16(keyOffsets[field] - FrameDescriptor.KEY_LENGTH_BYTES);
    }

    private long valueAddress(int field) {
        return base + tagOffsets[field] + FrameDescriptor.TAG_BYTES;
    }

    private RuntimeException wrongType(int field, byte tag, String wanted) {
        return new ClassCastException("field does not fit " + wanted + ": command=" + command() + ", key="
            + key(field) + ", type=" + ValueType.ofTag(tag));
    }

    /** Eight bytes at a time, then the rest: a command or key of 13 bytes is two reads, not 13. */
    private boolean bytesEqual(long frameOffset, int length, byte[] expected) {
        if (length != expected.length) {
            return false;
        }
        long start = base + frameOffset;
        int i = 0;
        for (; i + Long.BYTES <= length; i += Long.BYTES) {
            if (memory.getLong(start + i) != (long) LONGS_LE.get(expected, i)) {
                return false;
            }
        }
        for (; i < length; i++) {
            if (memory.getByte(start + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** Little-endian longs out of a byte[], as FrameMemory reads them out of a frame. */
    private static final java.lang.invoke.VarHandle LONGS_LE =
        java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /**
     * A cheap hash of the command: its length and its last (up to) eight bytes, one or two
     * reads; equals {@link #tailHash(byte[])} of the same bytes. For lookups among commands that
     * differ near their end (remote calls: {@code "__c:name(descriptor)"}).
     */
    public int commandTailHash() {
        checkValid();
        long start = base + FrameDescriptor.HEADER_LENGTH;
        long tail;
        if (commandLength >= Long.BYTES) {
            tail = memory.getLong(start + commandLength - Long.BYTES);
        } else {
            tail = 0;
            for (int i = 0; i < commandLength; i++) {
                tail |= (memory.getByte(start + i) & 0xFFL) << (8 * i);
            }
        }
        return mixTail(commandLength, tail);
    }

    /** {@link #commandTailHash()} of {@code bytes}. */
    public static int tailHash(byte[] bytes) {
        long tail;
        if (bytes.length >= Long.BYTES) {
            tail = (long) LONGS_LE.get(bytes, bytes.length - Long.BYTES);
        } else {
            tail = 0;
            for (int i = 0; i < bytes.length; i++) {
                tail |= (bytes[i] & 0xFFL) << (8 * i);
            }
        }
        return mixTail(bytes.length, tail);
    }

    private static int mixTail(int length, long tail) {
        long h = tail * 0x9E3779B97F4A7C15L + length;
        return (int) (h ^ (h >>> 32));
    }

    /** Decodes the value with {@code tag} at frame offset {@code pos} (already checked by wrap). */
    private Object readValue(byte tag, long pos) {
        long at = base + pos;
        return switch (tag) {
            case FrameDescriptor.TYPE_NULL -> null;
            case FrameDescriptor.TYPE_BOOLEAN -> memory.getByte(at) != 0;
            case FrameDescriptor.TYPE_BYTE -> memory.getByte(at);
            case FrameDescriptor.TYPE_SHORT -> memory.getShort(at);
            case FrameDescriptor.TYPE_CHAR -> (char) memory.getShort(at);
            case FrameDescriptor.TYPE_INT -> memory.getInt(at);
            case FrameDescriptor.TYPE_FLOAT -> Float.intBitsToFloat(memory.getInt(at));
            case FrameDescriptor.TYPE_LONG -> memory.getLong(at);
            case FrameDescriptor.TYPE_DOUBLE -> Double.longBitsToDouble(memory.getLong(at));
            case FrameDescriptor.TYPE_STRING -> decodeString(pos + FrameDescriptor.LENGTH_BYTES, memory.getInt(at));
            case FrameDescriptor.TYPE_BYTES -> {
                byte[] a = new byte[memory.getInt(at)];
                memory.getBytes(at + FrameDescriptor.LENGTH_BYTES, a, 0, a.length);
                yield a;
            }
            case FrameDescriptor.TYPE_INT_ARRAY -> {
                int[] a = new int[memory.getInt(at)];
                for (int i = 0; i < a.length; i++) {
                    a[i] = memory.getInt(at + FrameDescriptor.LENGTH_BYTES + 4L * i);
                }
                yield a;
            }
            case FrameDescriptor.TYPE_LONG_ARRAY -> {
                long[] a = new long[memory.getInt(at)];
                for (int i = 0; i < a.length; i++) {
                    a[i] = memory.getLong(at + FrameDescriptor.LENGTH_BYTES + 8L * i);
                }
                yield a;
            }
            case FrameDescriptor.TYPE_DOUBLE_ARRAY -> {
                double[] a = new double[memory.getInt(at)];
                for (int i = 0; i < a.length; i++) {
                    a[i] = Double.longBitsToDouble(memory.getLong(at + FrameDescriptor.LENGTH_BYTES + 8L * i));
                }
                yield a;
            }
            case FrameDescriptor.TYPE_ENUM -> {
                int classLength = memory.getInt(at);
                String className = decodeString(pos + FrameDescriptor.LENGTH_BYTES, classLength);
                long namePos = pos + FrameDescriptor.LENGTH_BYTES + classLength;
                String name = decodeString(namePos + FrameDescriptor.LENGTH_BYTES, memory.getInt(base + namePos));
                yield resolveEnum(className, name);
            }
            case FrameDescriptor.TYPE_LIST -> {
                int count = memory.getInt(at + FrameDescriptor.LENGTH_BYTES);
                ArrayList<Object> list = new ArrayList<>(count);
                long p = pos + 2L * FrameDescriptor.LENGTH_BYTES;
                for (int i = 0; i < count; i++) {
                    byte elementTag = memory.getByte(base + p);
                    list.add(readValue(elementTag, p + FrameDescriptor.TAG_BYTES));
                    p = skipValue(elementTag, p + FrameDescriptor.TAG_BYTES, frameLength, 0);
                }
                yield Collections.unmodifiableList(list);
            }
            case FrameDescriptor.TYPE_MAP -> {
                int count = memory.getInt(at + FrameDescriptor.LENGTH_BYTES);
                LinkedHashMap<String, Object> map = LinkedHashMap.newLinkedHashMap(count);
                long p = pos + 2L * FrameDescriptor.LENGTH_BYTES;
                for (int i = 0; i < count; i++) {
                    int keyLength = u16(p);
                    String key = decodeString(p + FrameDescriptor.KEY_LENGTH_BYTES, keyLength);
                    p += FrameDescriptor.KEY_LENGTH_BYTES + keyLength;
                    byte elementTag = memory.getByte(base + p);
                    map.put(key, readValue(elementTag, p + FrameDescriptor.TAG_BYTES));
                    p = skipValue(elementTag, p + FrameDescriptor.TAG_BYTES, frameLength, 0);
                }
                yield Collections.unmodifiableMap(map);
            }
            default -> throw new IllegalStateException("unchecked tag: tag=" + tag);
        };
    }

    private static Object resolveEnum(String className, String name) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        for (ClassLoader l : new ClassLoader[] {loader, FrameReader.class.getClassLoader()}) {
            if (l == null) {
                continue;
            }
            try {
                Class<?> c = Class.forName(className, false, l);
                if (c.isEnum()) {
                    for (Object constant : c.getEnumConstants()) {
                        if (((Enum<?>) constant).name().equals(name)) {
                            return constant;
                        }
                    }
                }
                return name;
            } catch (ClassNotFoundException | LinkageError e) {
                // not visible to this loader: try the next, else the name
            }
        }
        return name;
    }

    /** Decodes CESU-8 at frame offset {@code pos}; malformed sequences become U+FFFD. */
    private String decodeString(long pos, int length) {
        byte[] bytes = length <= SCRATCH_STRING_BYTES ? scratchBytes : new byte[length];
        memory.getBytes(base + pos, bytes, 0, length);
        boolean ascii = true;
        for (int i = 0; i < length; i++) {
            if (bytes[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        }
        char[] chars = length <= SCRATCH_STRING_BYTES ? scratchChars : new char[length];
        int n = 0;
        int i = 0;
        while (i < length) {
            int b = bytes[i] & 0xFF;
            if (b < 0x80) {
                chars[n++] = (char) b;
                i++;
            } else if ((b & 0xE0) == 0xC0 && i + 1 < length && isContinuation(bytes[i + 1])) {
                chars[n++] = (char) (((b & 0x1F) << 6) | (bytes[i + 1] & 0x3F));
                i += 2;
            } else if ((b & 0xF0) == 0xE0 && i + 2 < length && isContinuation(bytes[i + 1])
                && isContinuation(bytes[i + 2])) {
                chars[n++] = (char) (((b & 0x0F) << 12) | ((bytes[i + 1] & 0x3F) << 6) | (bytes[i + 2] & 0x3F));
                i += 3;
            } else {
                chars[n++] = '\uFFFD';
                i++;
            }
        }
        return new String(chars, 0, n);
    }

    private static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
