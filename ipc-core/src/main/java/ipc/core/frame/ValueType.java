package ipc.core.frame;


import java.util.List;
import java.util.Map;

/**
 * The value types a {@code MessageObject} parameter may hold, each with the one-byte tag that
 * marks it in a frame (see {@link FrameDescriptor} for the encoding of each).
 *
 * <p>The tags are part of the frame format: they never change meaning within one
 * {@link FrameDescriptor#VERSION}.
 */
public enum ValueType {
    /** {@code null}: no value bytes. */
    NULL(FrameDescriptor.TYPE_NULL),
    /** {@link Boolean}: one byte, 0 or 1. */
    BOOLEAN(FrameDescriptor.TYPE_BOOLEAN),
    /** {@link Byte}: one byte. */
    BYTE(FrameDescriptor.TYPE_BYTE),
    /** {@link Short}: two bytes. */
    SHORT(FrameDescriptor.TYPE_SHORT),
    /** {@link Integer}: four bytes. */
    INT(FrameDescriptor.TYPE_INT),
    /** {@link Long}: eight bytes. */
    LONG(FrameDescriptor.TYPE_LONG),
    /** {@link Float}: four bytes, IEEE 754 bits. */
    FLOAT(FrameDescriptor.TYPE_FLOAT),
    /** {@link Double}: eight bytes, IEEE 754 bits. */
    DOUBLE(FrameDescriptor.TYPE_DOUBLE),
    /** {@link Character}: two bytes, the UTF-16 code unit. */
    CHAR(FrameDescriptor.TYPE_CHAR),
    /** {@link String}: int32 byte length, then the CESU-8 bytes. */
    STRING(FrameDescriptor.TYPE_STRING),
    /** {@code byte[]}: int32 length, then the bytes. */
    BYTES(FrameDescriptor.TYPE_BYTES),
    /** {@code int[]}: int32 element count, then four bytes each. */
    INT_ARRAY(FrameDescriptor.TYPE_INT_ARRAY),
    /** {@code long[]}: int32 element count, then eight bytes each. */
    LONG_ARRAY(FrameDescriptor.TYPE_LONG_ARRAY),
    /** {@code double[]}: int32 element count, then eight bytes each. */
    DOUBLE_ARRAY(FrameDescriptor.TYPE_DOUBLE_ARRAY),
    /** An {@link Enum} constant, by name: its class name and constant name, each as a STRING body. */
    ENUM(FrameDescriptor.TYPE_ENUM),
    /** A {@link List}: int32 body length, int32 element count, then tag + value per element. */
    LIST(FrameDescriptor.TYPE_LIST),
    /** A {@link Map} with String keys: int32 body length, int32 entry count, then key + tag + value. */
    MAP(FrameDescriptor.TYPE_MAP);

    private static final ValueType[] BY_TAG = new ValueType[FrameDescriptor.TYPE_COUNT];

    static {
        for (ValueType type : values()) {
            BY_TAG[type.tag] = type;
        }
    }

    private final byte tag;

    ValueType(byte tag) {
        this.tag = tag;
    }

    /** The tag byte that marks this type in a frame. */
    public byte tag() {
        return tag;
    }

    /**
     * The type a tag stands for.
     *
     * @throws IllegalArgumentException when the tag is not one of {@link FrameDescriptor}'s TYPE_ constants
     */
    public static ValueType ofTag(byte tag) {
        if (!isKnownTag(tag)) {
            throw new IllegalArgumentException("unknown type tag: tag=" + tag);
        }
        return BY_TAG[tag];
    }

    /** True when {@code tag} is one of {@link FrameDescriptor}'s TYPE_ constants. */
    public static boolean isKnownTag(byte tag) {
        return tag >= 0 && tag < FrameDescriptor.TYPE_COUNT;
    }

    /**
     * The tags of {@code values}: {@code shared} when it holds exactly those (so messages of one
     * shape can share it), else a new array.
     */
    public static byte[] tagsOf(Object[] values, byte[] shared) {
        if (shared != null && shared.length == values.length) {
            int i = 0;
            while (i < values.length && tagOf(values[i]) == shared[i]) {
                i++;
            }
            if (i == values.length) {
                return shared;
            }
        }
        byte[] tags = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            tags[i] = tagOf(values[i]);
        }
        return tags;
    }

    /** The tag of a Java value, or -1 when its type is not supported (no allocation). */
    public static byte tagOf(Object value) {
        if (value == null) {
            return FrameDescriptor.TYPE_NULL;
        }
        if (value instanceof Integer) {
            return FrameDescriptor.TYPE_INT;
        }
        if (value instanceof Long) {
            return FrameDescriptor.TYPE_LONG;
        }
        if (value instanceof Double) {
            return FrameDescriptor.TYPE_DOUBLE;
        }
        if (value instanceof String) {
            return FrameDescriptor.TYPE_STRING;
        }
        if (value instanceof Boolean) {
            return FrameDescriptor.TYPE_BOOLEAN;
        }
        if (value instanceof Byte) {
            return FrameDescriptor.TYPE_BYTE;
        }
        if (value instanceof Short) {
            return FrameDescriptor.TYPE_SHORT;
        }
        if (value instanceof Float) {
            return FrameDescriptor.TYPE_FLOAT;
        }
        if (value instanceof Character) {
            return FrameDescriptor.TYPE_CHAR;
        }
        if (value instanceof byte[]) {
            return FrameDescriptor.TYPE_BYTES;
        }
        if (value instanceof int[]) {
            return FrameDescriptor.TYPE_INT_ARRAY;
        }
        if (value instanceof long[]) {
            return FrameDescriptor.TYPE_LONG_ARRAY;
        }
        if (value instanceof double[]) {
            return FrameDescriptor.TYPE_DOUBLE_ARRAY;
        }
        if (value instanceof Enum<?>) {
            return FrameDescriptor.TYPE_ENUM;
        }
        if (value instanceof List<?>) {
            return FrameDescriptor.TYPE_LIST;
        }
        if (value instanceof Map<?, ?>) {
            return FrameDescriptor.TYPE_MAP;
        }
        return -1;
    }
}
