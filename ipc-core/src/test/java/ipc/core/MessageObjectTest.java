package ipc.core;

import ipc.core.frame.FrameCodec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MessageObjectTest {
    enum Colour { RED, GREEN }

    @Test
    void toStringHasTheSeedsForm() {
        MessageObject m = new MessageObject("myStuff", "parameter", "gotcha!", "n", 3);
        assertEquals("<MessageObject: myStuff: {parameter=gotcha!, n=3}>", m.toString());
    }

    @Test
    void toStringShowsArraysAndNestingByContent() {
        MessageObject m = new MessageObject("c", "a", new int[] {1, 2}, "l", List.of(1, List.of("x")),
            "m", Map.of("k", new long[] {7}), "z", null);
        assertEquals("<MessageObject: c: {a=[1, 2], l=[1, [x]], m={k=[7]}, z=null}>", m.toString());
    }

    @Test
    void mapConstructorKeepsIterationOrder() {
        LinkedHashMap<String, Object> kw = new LinkedHashMap<>();
        kw.put("b", 1);
        kw.put("a", "x");
        MessageObject m = new MessageObject("cmd", kw);
        assertEquals(List.of("b", "a"), new ArrayList<>(m.kwargs().keySet()));
        assertEquals("cmd", m.command());
        assertEquals(new MessageObject("cmd", "b", 1, "a", "x"), m);
    }

    @Test
    void everyValueTypeIsAccepted() {
        MessageObject m = new MessageObject("all", "null", null, "bool", true, "byte", (byte) 1, "short", (short) 2,
            "int", 3, "long", 4L, "float", 5f, "double", 6d, "char", 'c', "string", "s", "bytes", new byte[] {1},
            "ints", new int[] {1}, "longs", new long[] {1}, "doubles", new double[] {1}, "enum", Colour.RED,
            "list", List.of(1, "a"), "map", Map.of("k", List.of(Map.of("n", 1))));
        assertEquals(17, m.kwargs().size());
        assertEquals(Colour.RED, m.get("enum"));
    }

    @Test
    void oddLengthIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new MessageObject("cmd", "a", 1, "b"));
        assertTrue(e.getMessage().contains("count=3"), e.getMessage());
    }

    @Test
    void nonStringKeyIsRejectedNamingKeyAndType() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new MessageObject("cmd", 42, "x"));
        assertTrue(e.getMessage().contains("key=42"), e.getMessage());
        assertTrue(e.getMessage().contains("type=java.lang.Integer"), e.getMessage());
    }

    @Test
    void unsupportedValueIsRejectedNamingKeyAndType() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new MessageObject("cmd", "when", Instant.EPOCH));
        assertTrue(e.getMessage().contains("key=when"), e.getMessage());
        assertTrue(e.getMessage().contains("type=java.time.Instant"), e.getMessage());
    }

    @Test
    void unsupportedNestedValueIsRejectedWithItsPath() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new MessageObject("cmd", "outer", List.of(1, Map.of("in", new Object()))));
        assertTrue(e.getMessage().contains("key=outer[1].in"), e.getMessage());
        assertTrue(e.getMessage().contains("type=java.lang.Object"), e.getMessage());
    }

    @Test
    void otherCollectionsAndArraysAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new MessageObject("c", "s", Set.of(1)));
        assertThrows(IllegalArgumentException.class, () -> new MessageObject("c", "f", new float[] {1}));
        assertThrows(IllegalArgumentException.class, () -> new MessageObject("c", "s", new String[] {"a"}));
    }

    @Test
    void nestedMapWithNonStringKeyIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new MessageObject("cmd", "m", Map.of(1, "x")));
        assertTrue(e.getMessage().contains("type=java.lang.Integer"), e.getMessage());
    }

    @Test
    void mapConstructorRejectsNonStringKey() {
        Map<Object, Object> raw = new LinkedHashMap<>();
        raw.put(1, "x");
        @SuppressWarnings({"unchecked", "rawtypes"})
        Map<String, ?> kw = (Map) raw;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MessageObject("cmd", kw));
        assertTrue(e.getMessage().contains("type=java.lang.Integer"), e.getMessage());
    }

    @Test
    void duplicateKeyIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new MessageObject("cmd", "a", 1, "a", 2));
    }

    @Test
    void duplicateKeyIsRejectedAmongManyKeys() {
        Object[] keysAndValues = new Object[2 * 20];
        for (int i = 0; i < 20; i++) {
            keysAndValues[2 * i] = "k" + i;
            keysAndValues[2 * i + 1] = i;
        }
        new MessageObject("cmd", keysAndValues); // distinct: fine
        keysAndValues[2 * 19] = "k3";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new MessageObject("cmd", keysAndValues));
        assertTrue(e.getMessage().contains("key=k3"), e.getMessage());
    }

    @Test
    void kwargsIsBuiltOnDemandInOrderAndHasSeesNullValues() {
        MessageObject m = new MessageObject("cmd", "z", 1, "a", null, "m", "x");
        assertTrue(m.has("a"), "a key whose value is null");
        assertFalse(m.has("b"));
        assertEquals(List.of("z", "a", "m"), new ArrayList<>(m.kwargs().keySet()));
        assertNull(m.kwargs().get("a"));
        assertTrue(m.kwargs() == m.kwargs(), "built once");
        MessageObject decoded = FrameCodec.decode(FrameCodec.encode(m));
        assertEquals(m.kwargs(), decoded.kwargs());
        assertTrue(decoded.has("a"));
    }

    @Test
    void cyclicListIsRejectedNotAStackOverflow() {
        List<Object> cyclic = new ArrayList<>();
        cyclic.add(cyclic);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new MessageObject("cmd", "l", cyclic));
        assertTrue(e.getMessage().contains("nested too deep"), e.getMessage());
    }

    @Test
    void kwargsAndNestedCollectionsAreUnmodifiableCopies() {
        List<Object> list = new ArrayList<>(List.of(1));
        MessageObject m = new MessageObject("cmd", "l", list);
        list.add(2);
        assertEquals(List.of(1), m.get("l"));
        assertThrows(UnsupportedOperationException.class, () -> m.kwargs().put("x", 1));
        @SuppressWarnings("unchecked")
        List<Object> inner = (List<Object>) m.get("l");
        assertThrows(UnsupportedOperationException.class, () -> inner.add(3));
    }

    @Test
    void typedGettersWidenLikeJava() {
        MessageObject m = new MessageObject("c", "b", (byte) 1, "s", (short) 2, "i", 3, "l", 4L, "f", 1.5f,
            "d", 2.5, "ch", 'A', "t", true, "str", "x", "bytes", new byte[] {9}, "nul", null);
        assertEquals(1, m.getInt("b"));
        assertEquals(2, m.getInt("s"));
        assertEquals(65, m.getInt("ch"));
        assertEquals(4L, m.getLong("l"));
        assertEquals(3L, m.getLong("i"));
        assertEquals(1.5, m.getDouble("f"));
        assertEquals(4.0, m.getDouble("l"));
        assertTrue(m.getBoolean("t"));
        assertEquals("x", m.getString("str"));
        assertNull(m.getString("nul"));
        assertArrayEquals(new byte[] {9}, m.getBytes("bytes"));
        assertThrows(ClassCastException.class, () -> m.getInt("l"));
        assertThrows(ClassCastException.class, () -> m.getLong("f"));
        assertThrows(ClassCastException.class, () -> m.getString("i"));
        assertThrows(ClassCastException.class, () -> m.getBoolean("nul"));
        assertThrows(ClassCastException.class, () -> m.getInt("nul"));
    }

    @Test
    void absentKeyIsNoSuchElement() {
        MessageObject m = new MessageObject("c", "a", 1);
        assertTrue(m.has("a"));
        assertFalse(m.has("b"));
        NoSuchElementException e = assertThrows(NoSuchElementException.class, () -> m.get("b"));
        assertTrue(e.getMessage().contains("key=b"), e.getMessage());
        assertThrows(NoSuchElementException.class, () -> m.getInt("b"));
    }

    @Test
    void equalityComparesArraysByContent() {
        MessageObject a = new MessageObject("c", "x", new int[] {1, 2}, "l", List.of(new byte[] {3}));
        MessageObject b = new MessageObject("c", "x", new int[] {1, 2}, "l", List.of(new byte[] {3}));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, new MessageObject("c", "x", new int[] {1, 3}, "l", List.of(new byte[] {3})));
        assertNotEquals(a, new MessageObject("d", "x", new int[] {1, 2}, "l", List.of(new byte[] {3})));
    }

    @Test
    void nullCommandIsRejected() {
        assertThrows(NullPointerException.class, () -> new MessageObject(null, "a", 1));
    }
}
