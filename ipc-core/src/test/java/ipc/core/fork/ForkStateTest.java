package ipc.core.fork;

import ipc.core.frame.FrameCodec;
import ipc.core.MessageObject;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ipc.sync.EventGroup;
import ipc.sync.SharedEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForkStateTest {

    /** Stands in for MessageProcess: the boundary, whose no-arg constructor is the one that runs. */
    static class Base {
        static int constructed;
        protected boolean listening;
        protected Duration timeout = Duration.ofSeconds(1);
        final String setByBaseConstructor;
        Object notHandedOver = "frontend-only";

        Base() {
            constructed++;
            setByBaseConstructor = "base-constructor";
        }
    }

    enum Side { BUY, SELL { @Override public String toString() { return "sell"; } } }

    record Point(int x, int y) { }

    record Order(String id, Side side, List<Point> fills, Point at) {
        static int constructed;
        Order {
            constructed++;
        }
    }

    static class Parent extends Base {
        int shadowed = 1;
        private final String parentOnly;

        Parent(String parentOnly) {
            this.parentOnly = parentOnly;
        }
    }

    static class Everything extends Parent {
        static int constructed;
        boolean z = true;
        byte b = -3;
        short s = 300;
        char c = 'λ';
        int i = 42;
        long l = Long.MIN_VALUE;
        float f = 1.5f;
        double d = Math.PI;
        Integer boxed = 7;
        Long nullBoxed;
        String text = "gotcha!";
        final int[] ints = {1, 2, 3};
        byte[] bytes = {1, -1};
        long[] longs = {Long.MAX_VALUE};
        double[] doubles = {0.5};
        boolean[] booleans = {true, false};
        char[] chars = {'a', 'b'};
        float[] floats = {1f};
        short[] shorts = {5};
        String[] strings = {"a", null, "c"};
        int[][] matrix = {{1}, {2, 3}};
        Side side = Side.SELL;
        Side[] sides = {Side.BUY, Side.SELL};
        Order order = new Order("o1", Side.BUY, List.of(new Point(1, 2)), new Point(3, 4));
        List<String> list = new LinkedList<>(List.of("x", "y"));
        Set<Integer> set = new LinkedHashSet<>(List.of(3, 1, 2));
        Map<Side, List<Point>> map = new TreeMap<>(Map.of(Side.SELL, List.of(new Point(5, 6)), Side.BUY, List.of()));
        Map<String, Object> nested = new LinkedHashMap<>();
        Object objectHoldingInts = new int[] {9};
        int shadowed = 2;
        private final Duration pause = Duration.ofMillis(1500);
        transient Thread notCarried = Thread.currentThread();
        transient int transientInt = 5;

        Everything() {
            super("parent-value");
            constructed++;
            nested.put("k", List.of(1, "two", Map.of("deep", 3.0)));
            nested.put("nothing", null);
        }
    }

    private static final ForkState FORK = new ForkState(Base.class, List.of("listening", "timeout"));

    @Test
    void restoredObjectHoldsEveryCapturedValue() {
        Everything original = new Everything();
        original.listening = true;
        original.timeout = Duration.ofMillis(250);
        original.i = 43;

        Everything copy = (Everything) FORK.restore(FORK.capture(original), getClass().getClassLoader());

        assertEquals(original.z, copy.z);
        assertEquals(original.b, copy.b);
        assertEquals(original.s, copy.s);
        assertEquals(original.c, copy.c);
        assertEquals(43, copy.i);
        assertEquals(original.l, copy.l);
        assertEquals(original.f, copy.f);
        assertEquals(original.d, copy.d);
        assertEquals(original.boxed, copy.boxed);
        assertNull(copy.nullBoxed);
        assertEquals("gotcha!", copy.text);
        assertArrayEquals(original.ints, copy.ints);
        assertArrayEquals(original.bytes, copy.bytes);
        assertArrayEquals(original.longs, copy.longs);
        assertArrayEquals(original.doubles, copy.doubles);
        assertArrayEquals(original.booleans, copy.booleans);
        assertArrayEquals(original.chars, copy.chars);
        assertArrayEquals(original.floats, copy.floats);
        assertArrayEquals(original.shorts, copy.shorts);
        assertArrayEquals(original.strings, copy.strings);
        assertArrayEquals(original.matrix, copy.matrix);
        assertSame(Side.SELL, copy.side);
        assertArrayEquals(original.sides, copy.sides);
        assertEquals(original.order, copy.order);
        assertEquals(original.list, copy.list);
        assertInstanceOf(ArrayList.class, copy.list);
        assertEquals(List.of(3, 1, 2), new ArrayList<>(copy.set), "insertion order kept");
        assertInstanceOf(LinkedHashSet.class, copy.set);
        assertEquals(original.map, copy.map);
        assertEquals(List.of(Side.BUY, Side.SELL), new ArrayList<>(copy.map.keySet()), "iteration order kept");
        assertInstanceOf(LinkedHashMap.class, copy.map);
        assertEquals(original.nested, copy.nested);
        assertArrayEquals(new int[] {9}, (int[]) copy.objectHoldingInts);
        assertEquals(2, copy.shadowed);
        assertEquals(1, ((Parent) copy).shadowed, "a shadowed superclass field is its own field");
        assertEquals("parent-value", ((Parent) copy).parentOnly);
        assertEquals(Duration.ofMillis(1500), copy.pause);
        assertTrue(copy.listening);
        assertEquals(Duration.ofMillis(250), copy.timeout);
    }

    @Test
    void restoreRunsOnlyTheBoundaryConstructorAndSkipsTransientAndUnlistedFields() {
        Everything original = new Everything();
        original.notHandedOver = "changed in the frontend";
        int everythingBefore = Everything.constructed;
        int baseBefore = Base.constructed;

        Everything copy = (Everything) FORK.restore(FORK.capture(original), getClass().getClassLoader());

        assertEquals(everythingBefore, Everything.constructed, "the user's constructor must not run again");
        assertEquals(baseBefore + 1, Base.constructed, "the boundary's no-arg constructor runs once");
        assertEquals("base-constructor", copy.setByBaseConstructor);
        assertNull(copy.notCarried, "transient: not carried, and no initializer runs");
        assertEquals(0, copy.transientInt);
        assertEquals("frontend-only", copy.notHandedOver, "a boundary field that was not named is as the boundary constructor left it");
    }

    static class CreatesFile extends Base {
        final Path marker;

        CreatesFile(Path marker) {
            try {
                this.marker = Files.createFile(marker);   // CREATE_NEW: a second run would throw
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Test
    void aConstructorThatCreatesAFileIsNotRunAgain(@TempDir Path dir) throws IOException {
        CreatesFile original = new CreatesFile(dir.resolve("marker"));

        CreatesFile copy = (CreatesFile) FORK.restore(FORK.capture(original), getClass().getClassLoader());

        assertEquals(original.marker, copy.marker);
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    @Test
    void recordsAreRebuiltThroughTheirCanonicalConstructor() {
        Everything original = new Everything();
        int before = Order.constructed;

        Everything copy = (Everything) FORK.restore(FORK.capture(original), getClass().getClassLoader());

        assertEquals(before + 1, Order.constructed);
        assertEquals(original.order, copy.order);
    }

    @Test
    void theTreeHoldsOnlyValuesAMessageObjectCarries() {
        assertCarriable("state", FORK.capture(new Everything()));
    }

    @Test
    void restoreAcceptsATreeWhoseListsAndMapsAreReadOnlyCopies() {
        Everything original = new Everything();
        Object frameLike = readOnlyCopy(FORK.capture(original));

        @SuppressWarnings("unchecked")
        Everything copy = (Everything) FORK.restore((Map<String, ?>) frameLike, getClass().getClassLoader());

        assertEquals(original.nested, copy.nested);
        copy.list.add("mutable in the backend");
        copy.map.put(Side.BUY, List.of());
    }

    @Test
    void theTreeTravelsAsTheKwargsOfOneMessageObjectThroughAFrame() {
        Everything original = new Everything();
        original.timeout = Duration.ofNanos(1_000_000_007L);
        byte[] frame = FrameCodec.encode(new MessageObject("fork-state", FORK.capture(original)));

        MessageObject received = FrameCodec.decode(frame);
        Everything copy = (Everything) FORK.restore(received.kwargs(), getClass().getClassLoader());

        assertEquals(original.order, copy.order);
        assertEquals(original.map, copy.map);
        assertEquals(original.nested, copy.nested);
        assertArrayEquals(original.matrix, copy.matrix);
        assertArrayEquals(original.chars, copy.chars);
        assertEquals(original.c, copy.c);
        assertEquals(original.f, copy.f);
        assertEquals(original.s, copy.s);
        assertEquals(original.b, copy.b);
        assertEquals(Duration.ofNanos(1_000_000_007L), copy.timeout);
        assertInstanceOf(ArrayList.class, copy.list);
    }

    static class HoldsLock extends Base {
        Object lock = new ReentrantLock();
    }

    @Test
    void aFieldOfAnUnsupportedTypeNamesClassFieldTypeAndTransient() {
        var e = assertThrows(IllegalStateException.class, () -> FORK.capture(new HoldsLock()));
        assertTrue(e.getMessage().contains("field=" + HoldsLock.class.getName() + ".lock"), e.getMessage());
        assertTrue(e.getMessage().contains("type=java.util.concurrent.locks.ReentrantLock"), e.getMessage());
        assertTrue(e.getMessage().contains("transient"), e.getMessage());
    }

    static class HoldsNullThread extends Base {
        Thread worker;
    }

    @Test
    void aFieldWhoseDeclaredTypeCanNeverBeCarriedIsRefusedEvenWhenNull() {
        var e = assertThrows(IllegalStateException.class, () -> FORK.capture(new HoldsNullThread()));
        assertTrue(e.getMessage().contains(HoldsNullThread.class.getName() + ".worker"), e.getMessage());
        assertTrue(e.getMessage().contains("type=java.lang.Thread"), e.getMessage());
        assertTrue(e.getMessage().contains("transient"), e.getMessage());
    }

    static class HoldsCounterInList extends Base {
        List<Object> items = List.of("ok", new AtomicInteger());
    }

    @Test
    void anUnsupportedValueInsideACollectionNamesItsPath() {
        var e = assertThrows(IllegalStateException.class, () -> FORK.capture(new HoldsCounterInList()));
        assertTrue(e.getMessage().contains(HoldsCounterInList.class.getName() + ".items[1]"), e.getMessage());
        assertTrue(e.getMessage().contains("type=java.util.concurrent.atomic.AtomicInteger"), e.getMessage());
    }

    static class DeclaresLinkedList extends Base {
        LinkedList<String> queue = new LinkedList<>();
    }

    static class DeclaresNestedLinkedList extends Base {
        List<LinkedList<String>> queues = List.of(new LinkedList<>());
    }

    static class DeclaresTreeMap extends Base {
        TreeMap<String, Integer> sorted = new TreeMap<>();
    }

    @Test
    void aCollectionWhoseDeclaredTypeCannotHoldTheRebuiltImplementationIsRefused() {
        var e = assertThrows(IllegalStateException.class, () -> FORK.capture(new DeclaresLinkedList()));
        assertTrue(e.getMessage().contains(".queue"), e.getMessage());
        assertTrue(e.getMessage().contains("java.util.ArrayList"), e.getMessage());
        assertTrue(e.getMessage().contains("declared=java.util.LinkedList"), e.getMessage());

        e = assertThrows(IllegalStateException.class, () -> FORK.capture(new DeclaresNestedLinkedList()));
        assertTrue(e.getMessage().contains(".queues[0]"), e.getMessage());

        e = assertThrows(IllegalStateException.class, () -> FORK.capture(new DeclaresTreeMap()));
        assertTrue(e.getMessage().contains("java.util.LinkedHashMap"), e.getMessage());
    }

    static class HoldsCycle extends Base {
        List<Object> self = new ArrayList<>();

        HoldsCycle() {
            self.add(self);
        }
    }

    @Test
    void aReferenceCycleIsRefused() {
        var e = assertThrows(IllegalStateException.class, () -> FORK.capture(new HoldsCycle()));
        assertTrue(e.getMessage().contains("cycle"), e.getMessage());
        assertTrue(e.getMessage().contains(".self[0]"), e.getMessage());
    }

    static class SharesAnArray extends Base {
        int[] a = {1};
        int[] b = a;
        List<String> shared = List.of("s");
        List<List<String>> twice = List.of(shared, shared);
    }

    @Test
    void aSharedReferenceIsCopiedNotRefused() {
        SharesAnArray copy = (SharesAnArray) FORK.restore(FORK.capture(new SharesAnArray()), getClass().getClassLoader());
        assertArrayEquals(copy.a, copy.b);
        assertEquals(List.of(List.of("s"), List.of("s")), copy.twice);
    }

    class Inner extends Base { }

    @Test
    void innerLocalAndAnonymousSubclassesAreRefused() {
        var inner = assertThrows(IllegalStateException.class, () -> FORK.capture(new Inner()));
        assertTrue(inner.getMessage().contains("inner (non-static nested)"), inner.getMessage());
        assertTrue(inner.getMessage().contains(Inner.class.getName()), inner.getMessage());

        class Local extends Base { }
        var local = assertThrows(IllegalStateException.class, () -> FORK.capture(new Local()));
        assertTrue(local.getMessage().contains("a local class"), local.getMessage());

        var anonymous = assertThrows(IllegalStateException.class, () -> FORK.capture(new Base() { }));
        assertTrue(anonymous.getMessage().contains("an anonymous class"), anonymous.getMessage());
        assertTrue(anonymous.getMessage().contains("top-level or static nested"), anonymous.getMessage());
    }

    static class Plain extends Base {
        int x = 1;
    }

    @Test
    void restoreNamesAClassTheBackendCannotFind() {
        Map<String, Object> state = FORK.capture(new Plain());
        state.put(ForkState.KEY_CLASS, "com.example.Missing");
        var e = assertThrows(IllegalStateException.class, () -> FORK.restore(state, getClass().getClassLoader()));
        assertTrue(e.getMessage().contains("class=com.example.Missing"), e.getMessage());
    }

    @Test
    void restoreNamesAFieldTheBackendsClassDoesNotHave() {
        Map<String, Object> state = FORK.capture(new Plain());
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> fields = (Map<String, Map<String, Object>>) state.get(ForkState.KEY_FIELDS);
        fields.get(Plain.class.getName()).put("gone", 1);
        var e = assertThrows(IllegalStateException.class, () -> FORK.restore(state, getClass().getClassLoader()));
        assertTrue(e.getMessage().contains("field=" + Plain.class.getName() + ".gone"), e.getMessage());
    }

    @Test
    void aBoundaryWithoutANoArgConstructorOrWithoutTheNamedFieldIsRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new ForkState(Base.class, List.of("nope")));
        assertTrue(e.getMessage().contains("field=nope"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ForkState(Parent.class, List.of()));
        assertTrue(e.getMessage().contains("no-argument constructor"), e.getMessage());
    }

    /** A stand-in for a library handle (EventGroup, SharedMemory): re-opened by name. */
    static final class Handle {
        static int opened;
        final String name;

        private Handle(String name) {
            this.name = name;
        }

        static Handle open(String name) {
            opened++;
            return new Handle(name);
        }
    }

    static final ForkCodec<Handle> HANDLE_CODEC = new ForkCodec<>() {
        @Override public Class<Handle> type() { return Handle.class; }
        @Override public String tag() { return "Handle"; }
        @Override public Object encode(Handle value) { return value.name; }
        @Override public Handle decode(Object encoded) { return Handle.open((String) encoded); }
    };

    static class HoldsHandles extends Base {
        final Handle handle = new Handle("shm-1");
        Object asObject = new Handle("shm-2");
        List<Handle> many = List.of(new Handle("shm-3"));
    }

    @Test
    void aRegisteredCodecReopensHandlesByName() {
        ForkState fork = new ForkState(Base.class, List.of("timeout"),
            new ForkCodecs(List.of(ForkCodecs.DURATION, HANDLE_CODEC)));
        int before = Handle.opened;

        HoldsHandles copy = (HoldsHandles) fork.restore(fork.capture(new HoldsHandles()), getClass().getClassLoader());

        assertEquals("shm-1", copy.handle.name);
        assertEquals("shm-2", ((Handle) copy.asObject).name);
        assertEquals("shm-3", copy.many.get(0).name);
        assertEquals(before + 3, Handle.opened);
    }

    static class HoldsEventGroup extends Base {
        final EventGroup events;
        List<EventGroup> more;

        HoldsEventGroup(EventGroup events) {
            this.events = events;
            this.more = List.of(events);
        }
    }

    @Test
    void anEventGroupFieldReopensTheSameSharedGroup() {
        try (EventGroup created = new EventGroup(4)) {
            HoldsEventGroup copy = (HoldsEventGroup) FORK.restore(FORK.capture(new HoldsEventGroup(created)),
                getClass().getClassLoader());
            try (EventGroup opened = copy.events; EventGroup openedInList = copy.more.get(0)) {
                assertEquals(created.name(), opened.name());
                assertFalse(opened.isCreator(), "re-opened, not created a second time");
                SharedEvent event = created.reserve();

                opened.set(event.index());

                assertTrue(event.isSet(), "a set through the re-opened group reaches the creator's event");
                assertEquals(created.name(), openedInList.name());
                created.release(event);
            }
        }
    }

    @Test
    void aClosedEventGroupIsRefusedAtCapture() {
        EventGroup closed = new EventGroup(1);
        closed.close();
        var e = assertThrows(IllegalStateException.class, () -> FORK.capture(new HoldsEventGroup(closed)));
        assertTrue(e.getMessage().contains(HoldsEventGroup.class.getName() + ".events"), e.getMessage());
        assertTrue(e.getMessage().contains("closed EventGroup"), e.getMessage());
    }

    @Test
    void withoutItsCodecAHandleIsAnUnsupportedField() {
        var e = assertThrows(IllegalStateException.class, () -> FORK.capture(new HoldsHandles()));
        assertTrue(e.getMessage().contains(".handle"), e.getMessage());
    }

    @Test
    void twoCodecsWithOneTagAreRefused() {
        var e = assertThrows(IllegalArgumentException.class,
            () -> new ForkCodecs(List.of(HANDLE_CODEC, HANDLE_CODEC)));
        assertTrue(e.getMessage().contains("tag=Handle"), e.getMessage());
    }

    // ------------------------------------------------------------------ helpers

    private static final Set<Class<?>> CARRIED = Set.of(Boolean.class, Byte.class, Short.class,
        Integer.class, Long.class, Float.class, Double.class, Character.class, String.class,
        byte[].class, int[].class, long[].class, double[].class);

    private static void assertCarriable(String path, Object node) {
        if (node == null) {
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                if (!(k instanceof String key)) {
                    fail("non-String key at " + path + ": " + k);
                    return;
                }
                assertCarriable(path + "." + key, v);
            });
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                assertCarriable(path + "[" + i + "]", list.get(i));
            }
        } else if (!CARRIED.contains(node.getClass())) {
            fail("not a MessageObject value at " + path + ": " + node.getClass().getName());
        }
    }

    /** What a frame decoder may hand back: read-only lists and maps, fresh arrays. */
    private static Object readOnlyCopy(Object node) {
        if (node instanceof Map<?, ?> map) {
            Map<Object, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(k, readOnlyCopy(v)));
            return Collections.unmodifiableMap(copy);
        }
        if (node instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(v -> copy.add(readOnlyCopy(v)));
            return Collections.unmodifiableList(copy);
        }
        if (node instanceof int[] a) {
            return a.clone();
        }
        if (node instanceof long[] a) {
            return a.clone();
        }
        return node;
    }
}
