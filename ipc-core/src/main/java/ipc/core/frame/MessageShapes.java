package ipc.core.frame;

/**
 * The shapes (command, keys, type tags) of the frames one reader decodes again and again, so
 * that {@link FrameReader#toMessageObject()} gives every message of a shape the same command
 * String, the same key array and the same tag array instead of decoding them anew: a reply
 * {@code echo(seq)} then costs the MessageObject, its values array and the boxed value (72 B
 * here), not also two Strings with their temporary and backing arrays and two arrays (192 B
 * more, measured with ThreadMXBean; native-notes/frames.md, "Allocation").
 *
 * <p>Sharing is safe because a MessageObject never changes or hands out its key and tag arrays
 * (and a String is immutable); the arrays are complete before the first MessageObject that holds
 * them is constructed, and reach other threads through its final fields.
 *
 * <p>Placed by a hash of the frame's command, key bytes and tags in the first free of
 * {@link #WAYS} slots from its home slot, evicting the home slot's shape only when all are taken
 * (as {@link StringBytesCache}: direct mapping made two shapes of one slot that a stream
 * alternates decode each other out every time); an eviction only costs the next frame of the
 * evicted shape its decoding. A miss costs one
 * {@link Shape} (32 B) more than decoding without the cache, because the keys and tags it keeps
 * are the ones the new message needs anyway.
 *
 * <p>Not thread-safe: one per {@link FrameReader}, which is confined to its reader thread.
 */
public final class MessageShapes {
    /** Slots: a power of two; 64 covers the message kinds of any protocol we know of. */
    static final int SLOTS = 64;
    /**
     * Larger shapes are decoded each time: they are rare, and bounding what a slot holds bounds
     * the cache at 64 x (17 Strings of at most 64 bytes + 2 arrays), about 100 KB at worst.
     */
    static final int MAX_FIELDS = 16;
    /** Longer commands and keys are decoded each time (see {@link #MAX_FIELDS}). */
    static final int MAX_STRING_BYTES = 64;
    /** Slots a shape may take, from its home slot on: at most four hash compares per lookup. */
    static final int WAYS = 4;

    /** One message shape: what every MessageObject decoded from a frame of this shape shares. */
    static final class Shape {
        final int hash;
        final String command;
        final String[] keys;
        /** The frame's tags; a message whose decoded values have other tags (an unresolved ENUM) gets its own array. */
        final byte[] tags;

        Shape(int hash, String command, String[] keys, byte[] tags) {
            this.hash = hash;
            this.command = command;
            this.keys = keys;
            this.tags = tags;
        }
    }

    private final Shape[] slots = new Shape[SLOTS];

    /** The cached shape of the frame whose {@link FrameReader#shapeHash()} is {@code hash}, or null. */
    Shape find(FrameReader frame, int hash) {
        int home = home(hash);
        for (int way = 0; way < WAYS; way++) {
            Shape shape = slots[(home + way) & (SLOTS - 1)];
            if (shape != null && shape.hash == hash && frame.hasShape(shape.command, shape.keys, shape.tags)) {
                return shape;
            }
        }
        return null;
    }

    /** Caches {@code shape} in the first free slot of its ways, else in its home slot. */
    void put(Shape shape) {
        int home = home(shape.hash);
        for (int way = 0; way < WAYS; way++) {
            int slot = (home + way) & (SLOTS - 1);
            if (slots[slot] == null) {
                slots[slot] = shape;
                return;
            }
        }
        slots[home] = shape;
    }

    /** The hash's high bits mixed into the low ones, which pick the slot (Java's HashMap spreading). */
    private static int home(int hash) {
        return (hash ^ (hash >>> 16)) & (SLOTS - 1);
    }
}
