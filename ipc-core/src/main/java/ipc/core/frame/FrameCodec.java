package ipc.core.frame;

import ipc.core.MessageObject;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;

/**
 * Encodes a {@link MessageObject} as a frame ({@link FrameDescriptor}) and decodes one back.
 *
 * <p>The channel writes frames in place into a queue excerpt through the same code; the
 * methods here that take a {@link MemorySegment} serve tests, tools and callers that keep frames
 * elsewhere. Encoding computes the frame length first ({@link #frameLength}), so an oversized
 * message is refused before a byte is written. Encoding a message whose parameters are all
 * primitives (or null) allocates nothing.
 */
public final class FrameCodec {
    private static final MessageAccess MESSAGES = MessageAccess.messages();

    /** A frame's first four bytes: magic "MO", version, flags 0, as one little-endian int. */
    static final int FIRST_WORD = (FrameDescriptor.MAGIC & 0xFFFF) | (FrameDescriptor.VERSION & 0xFF) << 16;

    private FrameCodec() {
    }

    /**
     * The exact frame length of {@code message}, checked against {@code maxFrameBytes}.
     *
     * @throws FrameException with {@link FrameException.Reason#OVERSIZED} when the frame, its
     *         command, a key or its field count is over its limit
     */
    public static int frameLength(MessageObject message, int maxFrameBytes) {
        return frameLength(message, maxFrameBytes, null);
    }

    /** {@link #frameLength(MessageObject, int)}, taking the command's and keys' lengths from {@code cache} where it has them. */
    public static int frameLength(MessageObject message, int maxFrameBytes, StringBytesCache cache) {
        int count = MESSAGES.parameterCount(message);
        if (count > FrameDescriptor.MAX_U16) {
            throw oversized(message, "too many parameters: fieldCount=" + count + ", max=" + FrameDescriptor.MAX_U16);
        }
        long commandBytes = encodedLength(message.command(), cache);
        if (commandBytes > FrameDescriptor.MAX_U16) {
            throw oversized(message, "command too long: commandBytes=" + commandBytes + ", max=" + FrameDescriptor.MAX_U16);
        }
        long length = FrameDescriptor.HEADER_LENGTH + commandBytes;
        for (int i = 0; i < count; i++) {
            long keyBytes = encodedLength(MESSAGES.key(message, i), cache);
            if (keyBytes > FrameDescriptor.MAX_U16) {
                throw oversized(message, "key too long: key=" + MESSAGES.key(message, i) + ", keyBytes=" + keyBytes
                    + ", max=" + FrameDescriptor.MAX_U16);
            }
            length += FrameDescriptor.KEY_LENGTH_BYTES + keyBytes + FrameDescriptor.TAG_BYTES
                + valueLength(MESSAGES.tag(message, i), MESSAGES.value(message, i));
        }
        if (length > maxFrameBytes) {
            throw oversized(message, "frame over the size limit: frameBytes=" + length + ", maxFrameBytes="
                + maxFrameBytes);
        }
        return (int) length;
    }

    private static FrameException oversized(MessageObject message, String what) {
        return new FrameException(FrameException.Reason.OVERSIZED, what + ", command=" + message.command());
    }

    /**
     * Writes {@code message} as a frame of {@code frameLength} bytes (from {@link #frameLength}).
     */
    public static void encode(MessageObject message, int frameLength, FrameSink sink) {
        encode(message, frameLength, sink, null);
    }

    /** {@link #encode(MessageObject, int, FrameSink)}, copying the command's and keys' bytes from {@code cache} where it has them. */
    public static void encode(MessageObject message, int frameLength, FrameSink sink, StringBytesCache cache) {
        sink.putInt(FIRST_WORD); // magic, version, flags 0: one little-endian int, one bounds check
        sink.putInt(frameLength);
        String command = message.command();
        byte[] commandBytes = cache == null ? null : cache.bytesOf(command);
        sink.putShort((short) (commandBytes != null ? commandBytes.length : stringLength(command)));
        int count = MESSAGES.parameterCount(message);
        sink.putShort((short) count);
        putChars(command, commandBytes, sink);
        for (int i = 0; i < count; i++) {
            String key = MESSAGES.key(message, i);
            byte[] keyBytes = cache == null ? null : cache.bytesOf(key);
            sink.putShort((short) (keyBytes != null ? keyBytes.length : stringLength(key)));
            putChars(key, keyBytes, sink);
            byte tag = MESSAGES.tag(message, i);
            sink.putByte(tag);
            putValue(tag, MESSAGES.value(message, i), sink);
        }
    }

    /**
     * Encodes {@code message} into {@code dst} at {@code offset}.
     *
     * @return the frame length
     * @throws FrameException (OVERSIZED) when over {@code maxFrameBytes}
     * @throws IndexOutOfBoundsException when {@code dst} is too small
     */
    public static int encode(MessageObject message, MemorySegment dst, long offset, int maxFrameBytes) {
        int length = frameLength(message, maxFrameBytes);
        java.util.Objects.checkFromIndexSize(offset, length, dst.byteSize());
        encode(message, length, new SegmentFrameSink().wrap(dst, offset));
        return length;
    }

    /** Encodes {@code message} into a new array, with the limit {@link FrameDescriptor#maxFrameBytesFromSystemProperty()}. */
    public static byte[] encode(MessageObject message) {
        int length = frameLength(message, FrameDescriptor.maxFrameBytesFromSystemProperty());
        byte[] frame = new byte[length];
        encode(message, length, new SegmentFrameSink().wrap(MemorySegment.ofArray(frame), 0));
        return frame;
    }

    /**
     * Decodes the one frame that fills {@code frame} exactly.
     *
     * @throws FrameException when the frame is bad
     */
    public static MessageObject decode(MemorySegment frame) {
        return new FrameReader().wrap(frame).toMessageObject();
    }

    /** Decodes the one frame that fills {@code frame} exactly. */
    public static MessageObject decode(byte[] frame) {
        return decode(MemorySegment.ofArray(frame));
    }

    /**
     * The bytes a String is encoded to in a frame (CESU-8; for ASCII the ASCII bytes): what
     * {@link FrameReader#commandEquals(byte[])} and {@link FrameReader#keyEquals(int, byte[])} compare.
     */
    public static byte[] stringBytes(String s) {
        byte[] bytes = new byte[(int) stringLength(s)];
        putChars(s, new SegmentFrameSink().wrap(MemorySegment.ofArray(bytes), 0)); // the one CESU-8 encoder
        return bytes;
    }

    /**
     * The hash {@link FrameReader#commandHash()} reports for a frame whose command is
     * {@code command}: {@code Arrays.hashCode(stringBytes(command))}, fixed across JVMs and runs.
     */
    public static int commandHash(String command) {
        return java.util.Arrays.hashCode(stringBytes(command));
    }

    /** CESU-8 byte count of {@code s}. */
    static long stringLength(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            n += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
        return n;
    }

    static long valueLength(byte tag, Object value) {
        return switch (tag) {
            case FrameDescriptor.TYPE_NULL -> 0;
            case FrameDescriptor.TYPE_BOOLEAN, FrameDescriptor.TYPE_BYTE -> 1;
            case FrameDescriptor.TYPE_SHORT, FrameDescriptor.TYPE_CHAR -> 2;
            case FrameDescriptor.TYPE_INT, FrameDescriptor.TYPE_FLOAT -> 4;
            case FrameDescriptor.TYPE_LONG, FrameDescriptor.TYPE_DOUBLE -> 8;
            case FrameDescriptor.TYPE_STRING -> FrameDescriptor.LENGTH_BYTES + stringLength((String) value);
            case FrameDescriptor.TYPE_BYTES -> FrameDescriptor.LENGTH_BYTES + (long) ((byte[]) value).length;
            case FrameDescriptor.TYPE_INT_ARRAY -> FrameDescriptor.LENGTH_BYTES + 4L * ((int[]) value).length;
            case FrameDescriptor.TYPE_LONG_ARRAY -> FrameDescriptor.LENGTH_BYTES + 8L * ((long[]) value).length;
            case FrameDescriptor.TYPE_DOUBLE_ARRAY -> FrameDescriptor.LENGTH_BYTES + 8L * ((double[]) value).length;
            case FrameDescriptor.TYPE_ENUM -> {
                Enum<?> e = (Enum<?>) value;
                yield 2L * FrameDescriptor.LENGTH_BYTES + stringLength(e.getDeclaringClass().getName())
                    + stringLength(e.name());
            }
            case FrameDescriptor.TYPE_LIST, FrameDescriptor.TYPE_MAP -> FrameDescriptor.LENGTH_BYTES
                + containerBodyLength(tag, value);
            default -> throw new IllegalStateException("unknown tag: tag=" + tag);
        };
    }

    /** Bytes after a LIST or MAP body-length word: the count word and the elements. */
    private static long containerBodyLength(byte tag, Object value) {
        long n = FrameDescriptor.LENGTH_BYTES;
        if (tag == FrameDescriptor.TYPE_LIST) {
            List<?> list = (List<?>) value;
            for (int i = 0; i < list.size(); i++) {
                Object element = list.get(i);
                n += FrameDescriptor.TAG_BYTES + valueLength(ValueType.tagOf(element), element);
            }
        } else {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                long keyBytes = stringLength((String) e.getKey());
                if (keyBytes > FrameDescriptor.MAX_U16) {
                    throw new FrameException(FrameException.Reason.OVERSIZED,
                        "map key too long: keyBytes=" + keyBytes + ", max=" + FrameDescriptor.MAX_U16);
                }
                n += FrameDescriptor.KEY_LENGTH_BYTES + keyBytes + FrameDescriptor.TAG_BYTES
                    + valueLength(ValueType.tagOf(e.getValue()), e.getValue());
            }
        }
        return n;
    }

    static void putValue(byte tag, Object value, FrameSink sink) {
        switch (tag) {
            case FrameDescriptor.TYPE_NULL -> { }
            case FrameDescriptor.TYPE_BOOLEAN -> sink.putByte((Boolean) value ? (byte) 1 : (byte) 0);
            case FrameDescriptor.TYPE_BYTE -> sink.putByte((Byte) value);
            case FrameDescriptor.TYPE_SHORT -> sink.putShort((Short) value);
            case FrameDescriptor.TYPE_CHAR -> sink.putShort((short) ((Character) value).charValue());
            case FrameDescriptor.TYPE_INT -> sink.putInt((Integer) value);
            case FrameDescriptor.TYPE_FLOAT -> sink.putInt(Float.floatToRawIntBits((Float) value));
            case FrameDescriptor.TYPE_LONG -> sink.putLong((Long) value);
            case FrameDescriptor.TYPE_DOUBLE -> sink.putLong(Double.doubleToRawLongBits((Double) value));
            case FrameDescriptor.TYPE_STRING -> putString((String) value, sink);
            case FrameDescriptor.TYPE_BYTES -> {
                byte[] a = (byte[]) value;
                sink.putInt(a.length);
                for (byte b : a) {
                    sink.putByte(b);
                }
            }
            case FrameDescriptor.TYPE_INT_ARRAY -> {
                int[] a = (int[]) value;
                sink.putInt(a.length);
                for (int v : a) {
                    sink.putInt(v);
                }
            }
            case FrameDescriptor.TYPE_LONG_ARRAY -> {
                long[] a = (long[]) value;
                sink.putInt(a.length);
                for (long v : a) {
                    sink.putLong(v);
                }
            }
            case FrameDescriptor.TYPE_DOUBLE_ARRAY -> {
                double[] a = (double[]) value;
                sink.putInt(a.length);
                for (double v : a) {
                    sink.putLong(Double.doubleToRawLongBits(v));
                }
            }
            case FrameDescriptor.TYPE_ENUM -> {
                Enum<?> e = (Enum<?>) value;
                putString(e.getDeclaringClass().getName(), sink);
                putString(e.name(), sink);
            }
            case FrameDescriptor.TYPE_LIST -> {
                List<?> list = (List<?>) value;
                sink.putInt((int) containerBodyLength(tag, value));
                sink.putInt(list.size());
                for (int i = 0; i < list.size(); i++) {
                    Object element = list.get(i);
                    byte elementTag = ValueType.tagOf(element);
                    sink.putByte(elementTag);
                    putValue(elementTag, element, sink);
                }
            }
            case FrameDescriptor.TYPE_MAP -> {
                Map<?, ?> map = (Map<?, ?>) value;
                sink.putInt((int) containerBodyLength(tag, value));
                sink.putInt(map.size());
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    putKey((String) e.getKey(), sink);
                    byte elementTag = ValueType.tagOf(e.getValue());
                    sink.putByte(elementTag);
                    putValue(elementTag, e.getValue(), sink);
                }
            }
            default -> throw new IllegalStateException("unknown tag: tag=" + tag);
        }
    }

    private static void putKey(String key, FrameSink sink) {
        sink.putShort((short) stringLength(key));
        putChars(key, sink);
    }

    private static void putString(String s, FrameSink sink) {
        sink.putInt((int) stringLength(s));
        putChars(s, sink);
    }

    private static long encodedLength(String s, StringBytesCache cache) {
        byte[] cached = cache == null ? null : cache.bytesOf(s);
        return cached != null ? cached.length : stringLength(s);
    }

    /** Writes {@code s}'s encoded bytes: {@code cached} when there are, else encoded here. */
    private static void putChars(String s, byte[] cached, FrameSink sink) {
        if (cached != null) {
            sink.putBytes(cached);
        } else {
            putChars(s, sink);
        }
    }

    private static void putChars(String s, FrameSink sink) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                sink.putByte((byte) c);
            } else if (c < 0x800) {
                sink.putByte((byte) (0xC0 | (c >> 6)));
                sink.putByte((byte) (0x80 | (c & 0x3F)));
            } else {
                sink.putByte((byte) (0xE0 | (c >> 12)));
                sink.putByte((byte) (0x80 | ((c >> 6) & 0x3F)));
                sink.putByte((byte) (0x80 | (c & 0x3F)));
            }
        }
    }
}
