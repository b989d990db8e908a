package ipc.core.frame;


/**
 * The encoded bytes (CESU-8, as in a frame) of the commands and keys one writer sends again and
 * again, so that {@link FrameCodec} copies them in one block instead of measuring and encoding
 * them character by character for every frame: measured, that per-character work was ~40 % of
 * writing a 3-parameter frame.
 *
 * <p>Keyed by identity: the strings worth caching are the literals and constants a program
 * passes every time ({@code new MessageObject("tick", "seq", ...)}), which are the same String
 * object each time. A string is cached on its second use as that same object, so a key built
 * anew for each message (equal but not identical) is never cached and costs no allocation; the
 * one allocation is the byte array of a string the writer has seen twice. Placed by
 * {@code String.hashCode()} (cached in the String) in the first free of {@link #WAYS} slots from
 * its home slot; only when all of them are taken does it evict the home slot's string. Direct
 * mapping (one slot) made two strings of one slot that a writer alternates ("seq" and "stats"
 * share slot 31) evict each other and allocate their bytes again on every alternation: 24 B a
 * time, measured by MessageRoundTripAllocationTest.
 *
 * <p>Not thread-safe: one per {@code ChannelWriter}, used under the writer's single-thread rule.
 */
public final class StringBytesCache {
    /** Slots: a power of two; 64 covers the commands and keys of any protocol we know of. */
    static final int SLOTS = 64;
    /** Longer strings are encoded each time: a long command or key is rare, and its bytes would hold memory. */
    static final int MAX_CACHED_CHARS = 64;
    /**
     * Slots a string may take, from its home slot on: 4 keeps a lookup to at most four identity
     * compares and absorbs the collisions of the few dozen strings a protocol has in 64 slots.
     */
    static final int WAYS = 4;

    private final String[] strings = new String[SLOTS];
    private final byte[][] encoded = new byte[SLOTS][];
    /** The string last seen once in each slot: caching waits for its second use. */
    private final String[] seenOnce = new String[SLOTS];

    /** The encoded bytes of {@code s} when cached (from its second use as this object on), else null. */
    byte[] bytesOf(String s) {
        int home = s.hashCode() & (SLOTS - 1);
        int free = -1;
        for (int way = 0; way < WAYS; way++) {
            int slot = (home + way) & (SLOTS - 1);
            String cached = strings[slot];
            if (cached == s) {
                return encoded[slot];
            }
            if (cached == null && free < 0) {
                free = slot;
            }
        }
        if (s.length() > MAX_CACHED_CHARS) {
            return null;
        }
        if (seenOnce[home] != s) {
            seenOnce[home] = s;
            return null;
        }
        int slot = free >= 0 ? free : home;
        byte[] bytes = FrameCodec.stringBytes(s);
        strings[slot] = s;
        encoded[slot] = bytes;
        seenOnce[home] = null;
        return bytes;
    }
}
