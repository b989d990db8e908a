package ipc.core.frame;

/**
 * The command and keys of the frames of one method (a typed remote call, its answer, a
 * {@code frontend__} message), encoded once: a {@link FrameBuilder} copies the bytes into every
 * frame of that shape.
 */
public record FrameShape(String command, String[] keys, byte[] headerTail, byte[][] keyPrefixes, int fixedLength) {

    /**
     * @throws IllegalArgumentException when the command or a key is longer than a frame allows
     */
    public static FrameShape of(String command, String... keys) {
        byte[] commandBytes = checked(command, "command");
        byte[][] keyBytes = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            keyBytes[i] = checked(keys[i], "key");
        }
        if (keys.length > FrameDescriptor.MAX_U16) {
            throw new IllegalArgumentException("too many fields: command=" + command + ", fields=" + keys.length);
        }
        // What every frame of this shape holds, encoded once: after the magic, version, flags and
        // length words, the command length, field count and command ({@code headerTail}); before
        // each field's tag, its key length and key ({@code keyPrefixes}); and the bytes of all of
        // these ({@code fixedLength}: the frame's length but for the values).
        byte[] headerTail = new byte[4 + commandBytes.length];
        putU16(headerTail, 0, commandBytes.length);
        putU16(headerTail, 2, keys.length);
        System.arraycopy(commandBytes, 0, headerTail, 4, commandBytes.length);
        byte[][] keyPrefixes = new byte[keys.length][];
        int fixed = FrameDescriptor.HEADER_LENGTH + commandBytes.length;
        for (int i = 0; i < keys.length; i++) {
            keyPrefixes[i] = new byte[FrameDescriptor.KEY_LENGTH_BYTES + keyBytes[i].length];
            putU16(keyPrefixes[i], 0, keyBytes[i].length);
            System.arraycopy(keyBytes[i], 0, keyPrefixes[i], FrameDescriptor.KEY_LENGTH_BYTES, keyBytes[i].length);
            fixed += keyPrefixes[i].length + FrameDescriptor.TAG_BYTES;
        }
        return new FrameShape(command, keys.clone(), headerTail, keyPrefixes, fixed);
    }

    private static void putU16(byte[] a, int at, int v) {
        a[at] = (byte) v;
        a[at + 1] = (byte) (v >>> 8);
    }

    private static byte[] checked(String s, String what) {
        byte[] bytes = FrameCodec.stringBytes(s);
        if (bytes.length > FrameDescriptor.MAX_U16) {
            throw new IllegalArgumentException(what + " too long for a frame: " + what + "=" + s + ", bytes="
                + bytes.length + ", max=" + FrameDescriptor.MAX_U16);
        }
        return bytes;
    }

    int fieldCount() {
        return keys.length;
    }
}
