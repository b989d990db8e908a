package ipc.core.frame;

import ipc.core.MessageObject;

import java.util.Arrays;

/**
 * A frame assembled field by field from primitives (and, where a parameter is a reference, from
 * its value), without a {@link MessageObject}: the frames of typed remote calls, their answers
 * and {@code frontend__} messages. The command's and keys' bytes are prepared once per method
 * ({@link FrameCodec#stringBytes}); each call fills the values, and the writer encodes them in
 * place. Filling and encoding primitives allocates nothing.
 *
 * <p>Not thread-safe: one per calling thread (a {@code RemoteCall}) or used under the writer's lock.
 */
public final class FrameBuilder implements FrameSource {
    private FrameShape shape = FrameShape.of("");
    private int count;
    private byte[] tags;
    /** Per field: the value of a primitive (float and double as their raw IEEE bits). */
    private long[] bits;
    /** Per field: the value of a reference; cleared by {@link #clearReferences}. */
    private Object[] refs;
    private boolean hasReferences;

    public FrameBuilder(int capacity) {
        tags = new byte[capacity];
        bits = new long[capacity];
        refs = new Object[capacity];
    }

    /** Starts a frame of {@code shape}; the caller puts every field before it is written. */
    public FrameBuilder reset(FrameShape shape) {
        if (shape == this.shape) {
            return this; // the same method again: no reference stores (each a GC barrier) per call
        }
        this.shape = shape;
        this.count = shape.fieldCount();
        if (tags.length < count) {
            tags = Arrays.copyOf(tags, count);
            bits = Arrays.copyOf(bits, count);
            refs = Arrays.copyOf(refs, count);
        }
        return this; // every field is put before the frame is written (the proxy puts them all)
    }

    int fieldCount() {
        return count;
    }

    public void putBoolean(int field, boolean v) {
        tags[field] = FrameDescriptor.TYPE_BOOLEAN;
        bits[field] = v ? 1 : 0;
    }

    public void putByte(int field, byte v) {
        tags[field] = FrameDescriptor.TYPE_BYTE;
        bits[field] = v;
    }

    public void putShort(int field, short v) {
        tags[field] = FrameDescriptor.TYPE_SHORT;
        bits[field] = v;
    }

    public void putChar(int field, char v) {
        tags[field] = FrameDescriptor.TYPE_CHAR;
        bits[field] = v;
    }

    public void putInt(int field, int v) {
        tags[field] = FrameDescriptor.TYPE_INT;
        bits[field] = v;
    }

    public void putLong(int field, long v) {
        tags[field] = FrameDescriptor.TYPE_LONG;
        bits[field] = v;
    }

    public void putFloat(int field, float v) {
        tags[field] = FrameDescriptor.TYPE_FLOAT;
        bits[field] = Float.floatToRawIntBits(v);
    }

    public void putDouble(int field, double v) {
        tags[field] = FrameDescriptor.TYPE_DOUBLE;
        bits[field] = Double.doubleToRawLongBits(v);
    }

    /**
     * A reference value: boxed primitives, String, arrays, enums, List and Map of these, or null.
     * Lists and Maps are checked element by element as a MessageObject checks them.
     *
     * @throws IllegalArgumentException naming the key and the type when the value is not one of these
     */
    public void putReference(int field, Object v) {
        byte tag = ValueType.tagOf(v);
        if (tag < 0 || tag == FrameDescriptor.TYPE_LIST || tag == FrameDescriptor.TYPE_MAP) {
            // the checks (and the unmodifiable copy) of a MessageObject; throws naming the key and type
            v = MessageAccess.messages().value(new MessageObject(shape.command(), shape.keys()[field], v), 0);
            tag = ValueType.tagOf(v);
        }
        tags[field] = tag;
        refs[field] = v;
        hasReferences = true;
        switch (v) { // a box is encoded from bits, as the primitive it holds
            case Boolean b -> bits[field] = b ? 1 : 0;
            case Character c -> bits[field] = c;
            case Float f -> bits[field] = Float.floatToRawIntBits(f);
            case Double d -> bits[field] = Double.doubleToRawLongBits(d);
            case Byte n -> bits[field] = n;
            case Short n -> bits[field] = n;
            case Integer n -> bits[field] = n;
            case Long n -> bits[field] = n;
            case null, default -> { }
        }
    }

    /** Lets go of the reference values of the last frame (so the builder keeps nothing alive). */
    public void clearReferences() {
        if (hasReferences) {
            Arrays.fill(refs, 0, count, null);
            hasReferences = false;
        }
    }

    /** Value bytes of each primitive tag (and NULL); -1 for the tags whose length depends on the value. */
    private static final byte[] FIXED_VALUE_BYTES = {0, 1, 1, 2, 4, 8, 4, 8, 2, -1, -1, -1, -1, -1, -1, -1, -1};

    @Override
    public int frameLength(int maxFrameBytes, StringBytesCache cache) {
        long length = shape.fixedLength();
        for (int i = 0; i < count; i++) {
            byte tag = tags[i];
            int fixed = FIXED_VALUE_BYTES[tag];
            length += fixed >= 0 ? fixed : FrameCodec.valueLength(tag, refs[i]);
        }
        if (length > maxFrameBytes) {
            throw new FrameException(FrameException.Reason.OVERSIZED, "frame over the size limit: frameBytes="
                + length + ", maxFrameBytes=" + maxFrameBytes + ", command=" + shape.command());
        }
        return (int) length;
    }

    @Override
    public void encode(int frameLength, FrameSink sink, StringBytesCache cache) {
        // the layout of FrameDescriptor, in fewer and larger puts: each put checks its bounds
        sink.putInt(FrameCodec.FIRST_WORD);
        sink.putInt(frameLength);
        sink.putBytes(shape.headerTail());
        byte[][] prefixes = shape.keyPrefixes();
        for (int i = 0; i < count; i++) {
            sink.putBytes(prefixes[i]);
            byte tag = tags[i];
            sink.putByte(tag);
            long v = bits[i];
            switch (tag) {
                case FrameDescriptor.TYPE_BOOLEAN, FrameDescriptor.TYPE_BYTE -> sink.putByte((byte) v);
                case FrameDescriptor.TYPE_SHORT, FrameDescriptor.TYPE_CHAR -> sink.putShort((short) v);
                case FrameDescriptor.TYPE_INT, FrameDescriptor.TYPE_FLOAT -> sink.putInt((int) v);
                case FrameDescriptor.TYPE_LONG, FrameDescriptor.TYPE_DOUBLE -> sink.putLong(v);
                default -> FrameCodec.putValue(tag, refs[i], sink);
            }
        }
    }

    @Override
    public String toString() {
        return "<FrameBuilder: " + shape.command() + ", fields=" + count + ">";
    }
}
