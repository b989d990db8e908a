package ipc.core;

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
 * one allocation is the byte array of a string the writer has seen twice. Direct-mapped by
 * {@code String.hashCode()} (cached in the String): a collision evicts, which only costs the
 * slow path.
 *
 * <p>Not thread-safe: one per {@link ChannelWriter}, used under the writer's single-thread rule.
 */
final class StringBytesCache {
    /** Slots: a power of two; 64 covers the commands and keys of any protocol we know of. */
    static final int SLOTS = 64;
    /** Longer strings are encoded each time: a long command or key is rare, and its bytes would hold memory. */
    static final int MAX_CACHED_CHARS = 64;

    private final String[] strings = new String[SLOTS];
    private final byte[][] encoded = new byte[SLOTS][];
    /** The string last seen once in each slot: caching waits for its second use. */
    private final String[] seenOnce = new String[SLOTS];

    /** The encoded bytes of {@code s} when cached (from its second use as this object on), else null. */
    byte[] bytesOf(String s) {
        int slot = s.hashCode() & (SLOTS - 1);
        if (strings[slot] == s) {
            return encoded[slot];
        }
        if (s.length() > MAX_CACHED_CHARS) {
            return null;
        }
        if (seenOnce[slot] != s) {
            seenOnce[slot] = s;
            return null;
        }
        byte[] bytes = FrameCodec.stringBytes(s);
        strings[slot] = s;
        encoded[slot] = bytes;
        seenOnce[slot] = null;
        return bytes;
    }
}
