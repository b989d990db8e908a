package ipc.core.frame;

import ipc.core.MessageObject;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
    enum Side { BUY, SELL }

    @Test
    void layoutMatchesTheDescriptorByteForByte() {
        byte[] frame = FrameCodec.encode(new MessageObject("ab", "k", 7));
        byte[] expected = {
            0x4D, 0x4F, 1, 0,          // magic "MO", version 1, flags 0
            22, 0, 0, 0,               // frame length: 12 + 2 + 3 + 1 + 4
            2, 0, 1, 0,                // command length 2, field count 1
            'a', 'b',                  // command
            1, 0, 'k',                 // key length 1, key
            FrameDescriptor.TYPE_INT, 7, 0, 0, 0};
        assertArrayEquals(expected, frame);
        assertEquals(12, FrameDescriptor.HEADER_LENGTH);
        assertEquals(0, FrameDescriptor.MAGIC_OFFSET);
        assertEquals(2, FrameDescriptor.VERSION_OFFSET);
        assertEquals(3, FrameDescriptor.FLAGS_OFFSET);
        assertEquals(4, FrameDescriptor.FRAME_LENGTH_OFFSET);
        assertEquals(8, FrameDescriptor.COMMAND_LENGTH_OFFSET);
        assertEquals(10, FrameDescriptor.FIELD_COUNT_OFFSET);
    }

    @Test
    void everyValueTypeRoundTrips() {
        MessageObject m = new MessageObject("all", "null", null, "bool", true, "byte", (byte) -1, "short", (short) -2,
            "int", Integer.MIN_VALUE, "long", Long.MAX_VALUE, "float", -0.0f, "double", Double.NaN, "char", '\uFFFF',
            "string", "h\u00e9llo \u20ac \ud83d\ude00 \ud800", "bytes", new byte[] {1, -1}, "ints", new int[] {1, -1},
            "longs", new long[] {Long.MIN_VALUE}, "doubles", new double[] {1.5, Double.NEGATIVE_INFINITY},
            "enum", Side.SELL, "list", List.of(1, "a", List.of()), "map", Map.of("k", List.of(Map.of("n", 1L))),
            "empty", "");
        assertEquals(m, FrameCodec.decode(FrameCodec.encode(m)));
        assertEquals(m.toString(), FrameCodec.decode(FrameCodec.encode(m)).toString());
    }

    @Property(tries = 300)
    void anyMessageRoundTrips(@ForAll("messages") MessageObject m) {
        assertEquals(m, FrameCodec.decode(FrameCodec.encode(m)));
    }

    @Property(tries = 200)
    void primitiveAccessorsAgreeWithTheValues(@ForAll long l, @ForAll int i, @ForAll short s, @ForAll byte b,
                                              @ForAll char c, @ForAll double d, @ForAll float f,
                                              @ForAll boolean z) {
        MessageObject m = new MessageObject("p", "l", l, "i", i, "s", s, "b", b, "c", c, "d", d, "f", f, "z", z);
        FrameReader r = new FrameReader().wrap(MemorySegment.ofArray(FrameCodec.encode(m)));
        assertEquals(8, r.fieldCount());
        assertEquals(l, r.getLong(0));
        assertEquals(i, r.getLong(1));
        assertEquals(i, r.getInt(1));
        assertEquals(s, r.getLong(2));
        assertEquals(b, r.getLong(3));
        assertEquals(c, r.getChar(4));
        assertEquals(c, r.getLong(4));
        assertEquals(Double.doubleToLongBits(d), Double.doubleToLongBits(r.getDouble(5)));
        assertEquals(Double.doubleToLongBits(f), Double.doubleToLongBits(r.getDouble(6)));
        assertEquals(i, r.getDouble(1));
        assertEquals(z, r.getBoolean(7));
    }

    @Test
    void readerComparesCommandsAndKeysWithoutDecoding() {
        FrameReader r = new FrameReader().wrap(MemorySegment.ofArray(
            FrameCodec.encode(new MessageObject("tick", "price", 1.5, "qty", 10))));
        assertTrue(r.commandEquals(FrameCodec.stringBytes("tick")));
        assertFalse(r.commandEquals(FrameCodec.stringBytes("tock")));
        assertFalse(r.commandEquals(FrameCodec.stringBytes("tic")));
        assertEquals(4, r.commandLength());
        assertEquals(FrameCodec.commandHash("tick"), r.commandHash());
        assertEquals(java.util.Arrays.hashCode("tick".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
            r.commandHash());
        assertEquals("tick", r.command());
        assertTrue(r.keyEquals(1, FrameCodec.stringBytes("qty")));
        assertFalse(r.keyEquals(0, FrameCodec.stringBytes("qty")));
        assertEquals(1, r.indexOf(FrameCodec.stringBytes("qty")));
        assertEquals(-1, r.indexOf(FrameCodec.stringBytes("nope")));
        assertEquals("price", r.key(0));
        assertEquals(FrameDescriptor.TYPE_DOUBLE, r.typeTag(0));
        assertEquals(ValueType.INT, ValueType.ofTag(r.typeTag(1)));
        assertEquals(10, r.getValue(1));
        assertThrows(ClassCastException.class, () -> r.getBoolean(1));
        assertThrows(ClassCastException.class, () -> r.getLong(0));
        assertThrows(IndexOutOfBoundsException.class, () -> r.getLong(2));
    }

    @Test
    void stringBytesAreUtf8ForTheBasicPlane() {
        String s = "caf\u00e9 \u20ac";
        assertArrayEquals(s.getBytes(java.nio.charset.StandardCharsets.UTF_8), FrameCodec.stringBytes(s));
    }

    @Test
    void encodesIntoASegmentAtAnOffset() {
        MessageObject m = new MessageObject("x", "a", 1L);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(256);
            int n = FrameCodec.encode(m, seg, 100, 1024);
            assertEquals(m, FrameCodec.decode(seg.asSlice(100, n)));
            assertThrows(IndexOutOfBoundsException.class, () -> FrameCodec.encode(m, seg, 250, 1024));
        }
    }

    @Test
    void readsAFrameInPlaceAtAnOffsetOfALargerSegment() {
        MessageObject m = new MessageObject("echo", "seq", 42L);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(256);
            int n = FrameCodec.encode(m, seg, 100, 1024);
            FrameReader r = new FrameReader(1024).wrap(seg, 100, n);
            assertEquals(42L, r.getLong(0));
            assertEquals(m, r.toMessageObject());
            assertThrows(IndexOutOfBoundsException.class, () -> new FrameReader(1024).wrap(seg, 250, n));
        }
    }

    @Test
    void oversizedMessageIsRefusedAtTheSenderNamingTheLimit() {
        MessageObject big = new MessageObject("big", "b", new byte[2000]);
        FrameException e = assertThrows(FrameException.class, () -> FrameCodec.frameLength(big, 1024));
        assertEquals(FrameException.Reason.OVERSIZED, e.reason());
        assertTrue(e.getMessage().contains("maxFrameBytes=1024"), e.getMessage());
        assertTrue(e.getMessage().contains("command=big"), e.getMessage());
    }

    @Test
    void overlongCommandAndKeyAreRefused() {
        String longName = "x".repeat(FrameDescriptor.MAX_U16 + 1);
        assertEquals(FrameException.Reason.OVERSIZED, assertThrows(FrameException.class,
            () -> FrameCodec.frameLength(new MessageObject(longName), Integer.MAX_VALUE)).reason());
        assertEquals(FrameException.Reason.OVERSIZED, assertThrows(FrameException.class,
            () -> FrameCodec.frameLength(new MessageObject("c", longName, 1), Integer.MAX_VALUE)).reason());
    }

    @Test
    void maxFrameBytesIsChecked() {
        assertThrows(IllegalArgumentException.class, () -> new FrameReader(4));
        assertThrows(IllegalArgumentException.class, () -> new FrameReader(FrameDescriptor.MAX_MAX_FRAME_BYTES + 1));
        assertEquals(FrameDescriptor.DEFAULT_MAX_FRAME_BYTES, FrameDescriptor.maxFrameBytesFromSystemProperty());
    }

    @Test
    void unknownEnumClassDecodesToTheConstantsName() {
        byte[] frame = FrameCodec.encode(new MessageObject("e", "side", Side.BUY));
        // Rename the class in place (same length) so that it cannot be resolved.
        String className = Side.class.getName();
        int at = indexOf(frame, FrameCodec.stringBytes(className));
        frame[at + className.length() - 1] = 'X';
        assertEquals("BUY", FrameCodec.decode(frame).get("side"));
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    // --- generators ---

    @Provide
    Arbitrary<MessageObject> messages() {
        Arbitrary<String> keys = Arbitraries.strings().all().ofMaxLength(12);
        Arbitrary<Map<String, Object>> kwargs = Arbitraries.maps(keys, value(3)).ofMaxSize(8)
            .map(LinkedHashMap::new);
        return kwargs.flatMap(kw -> Arbitraries.strings().all().ofMaxLength(16)
            .map(command -> new MessageObject(command, kw)));
    }

    private static Arbitrary<Object> value(int depth) {
        Arbitrary<Object> leaf = Arbitraries.<Object>oneOf(
            Arbitraries.of(true, false),
            Arbitraries.bytes(),
            Arbitraries.shorts(),
            Arbitraries.integers(),
            Arbitraries.longs(),
            Arbitraries.floats().withSpecialValue(Float.NaN).withSpecialValue(-0.0f),
            Arbitraries.doubles().withSpecialValue(Double.NaN).withSpecialValue(Double.POSITIVE_INFINITY),
            Arbitraries.chars().all(),
            Arbitraries.strings().all().ofMaxLength(40),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(20),
            Arbitraries.integers().array(int[].class).ofMaxSize(10),
            Arbitraries.longs().array(long[].class).ofMaxSize(10),
            Arbitraries.doubles().array(double[].class).ofMaxSize(10),
            Arbitraries.of(Side.class)).injectNull(0.05);
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<Object> lists = value(depth - 1).list().ofMaxSize(4).map(l -> l);
        Arbitrary<Object> maps = Arbitraries.maps(Arbitraries.strings().all().ofMaxLength(6), value(depth - 1))
            .ofMaxSize(4).map(m -> m);
        return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(6, leaf), net.jqwik.api.Tuple.of(1, lists), net.jqwik.api.Tuple.of(1, maps));
    }
}
