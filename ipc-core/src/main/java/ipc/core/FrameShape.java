package ipc.core;

/**
 * The command and keys of the frames of one method (a typed remote call, its answer, a
 * {@code frontend__} message), encoded once: a {@link FrameBuilder} copies the bytes into every
 * frame of that shape.
 */
record FrameShape(String command, byte[] commandBytes, String[] keys, byte[][] keyBytes) {

    /**
     * @throws IllegalArgumentException when the command or a key is longer than a frame allows
     */
    static FrameShape of(String command, String... keys) {
        byte[] commandBytes = checked(command, "command");
        byte[][] keyBytes = new byte[keys.length][];
        for (int i = 0; i < keys.length; i++) {
            keyBytes[i] = checked(keys[i], "key");
        }
        if (keys.length > FrameDescriptor.MAX_U16) {
            throw new IllegalArgumentException("too many fields: command=" + command + ", fields=" + keys.length);
        }
        return new FrameShape(command, commandBytes, keys.clone(), keyBytes);
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
