package ipc.core.dispatch;

import ipc.core.frame.FrameCodec;
import ipc.core.frame.FrameReader;
import ipc.core.MessageObject;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DispatcherTest {

    enum Side { BUY, SELL }

    enum Colour { RED }

    static class BaseHandlers {
        final List<String> calls = new ArrayList<>();

        void c__inherited(int n) {
            calls.add("base.inherited n=" + n);
        }

        void c__overridden(int n) {
            calls.add("base.overridden");
        }

        private void c__privateInBase(String text) {
            calls.add("base.private text=" + text);
        }
    }

    static class Handlers extends BaseHandlers {
        static int staticCalls;
        long sum;
        Object[] last;

        private void c__add(long value) {
            sum += value;
        }

        void c__prims(boolean z, byte b, short s, char c, int i, long l, float f, double d) {
            last = new Object[] {z, b, s, c, i, l, f, d};
        }

        void c__refs(String text, Integer boxed, List<?> list, Map<String, ?> map, int[] ints, Side side,
                     Object any, CharSequence chars) {
            last = new Object[] {text, boxed, list, map, ints, side, any, chars};
        }

        void c__boxedLong(Long n) {
            last = new Object[] {n};
        }

        @Override
        void c__overridden(int n) {
            calls.add("sub.overridden n=" + n);
        }

        void c__message(MessageObject message) {
            last = new Object[] {message};
        }

        static void c__static(int n) {
            staticCalls += n;
        }

        void c__boom(String why) {
            throw new IllegalStateException(why);
        }

        void c__checked() throws IOException {
            throw new IOException("disk full");
        }

        void c__fatal() {
            throw new OutOfMemoryError("simulated");
        }

        String c__answer(int n) {
            return "n=" + n;
        }

        void c__none() {
            calls.add("none");
        }
    }

    private final Handlers target = new Handlers();
    private final Dispatcher dispatcher = new Dispatcher(target);

    private static FrameReader frame(String command, Object... keysAndValues) {
        byte[] bytes = FrameCodec.encode(new MessageObject(command, keysAndValues));
        return new FrameReader().wrap(MemorySegment.ofArray(bytes));
    }

    private Object dispatch(String command, Object... keysAndValues) {
        return dispatcher.dispatch(frame(command, keysAndValues));
    }

    @Test
    void parametersBindByNameInAnyOrder() {
        dispatch("prims", "d", 2.5, "i", 7, "z", true, "c", 'x', "l", 9L, "b", (byte) 1, "s", (short) 2, "f", 1.5f);

        assertArrayEquals(new Object[] {true, (byte) 1, (short) 2, 'x', 7, 9L, 1.5f, 2.5}, target.last);
    }

    @Test
    void parametersNoFieldNamesGetJavaDefaults() {
        dispatch("prims", "i", 3);
        assertArrayEquals(new Object[] {false, (byte) 0, (short) 0, '\0', 3, 0L, 0f, 0d}, target.last);

        dispatch("refs");
        assertArrayEquals(new Object[8], target.last);
    }

    @Test
    void primitivesWidenAsJavaDoes() {
        long big = (1L << 53) + 1;   // not exact as a float: rounding must happen once, like (float) big
        dispatch("prims", "s", (byte) -5, "i", 'A', "l", -6, "f", big, "d", 3.25f);
        assertArrayEquals(new Object[] {false, (byte) 0, (short) -5, '\0', 65, -6L, (float) big, 3.25d}, target.last);

        dispatch("prims", "f", Integer.MAX_VALUE, "d", Long.MAX_VALUE, "l", 'z');
        assertArrayEquals(new Object[] {false, (byte) 0, (short) 0, '\0', 0, (long) 'z', (float) Integer.MAX_VALUE,
            (double) Long.MAX_VALUE}, target.last);
    }

    @Test
    void referencesBindWhenTheValueIsAnInstanceOfTheParameterType() {
        List<Integer> list = List.of(1, 2);
        dispatch("refs", "text", "t", "boxed", 5, "list", list, "map", Map.of("k", "v"), "ints", new int[] {4},
            "side", Side.SELL, "any", 2.0, "chars", "cs");

        Object[] got = target.last;
        assertEquals("t", got[0]);
        assertEquals(5, got[1]);
        assertEquals(list, got[2]);
        assertEquals(Map.of("k", "v"), got[3]);
        assertArrayEquals(new int[] {4}, (int[]) got[4]);
        assertSame(Side.SELL, got[5]);
        assertEquals(2.0, got[6]);
        assertEquals("cs", got[7]);
    }

    @Test
    void aValueThatDoesNotFitNamesParameterExpectedAndActualType() {
        assertNotFit(() -> dispatch("prims", "b", 300), "parameter=b", "expected=byte", "actual=INT");
        assertNotFit(() -> dispatch("prims", "l", 1.0), "parameter=l", "expected=long", "actual=DOUBLE");
        assertNotFit(() -> dispatch("prims", "c", 65), "parameter=c", "expected=char", "actual=INT");
        assertNotFit(() -> dispatch("prims", "i", "7"), "parameter=i", "expected=int", "actual=STRING");
        assertNotFit(() -> dispatch("prims", "z", null), "parameter=z", "expected=boolean", "actual=NULL");
        assertNotFit(() -> dispatch("boxedLong", "n", 3), "parameter=n", "expected=java.lang.Long",
            "actual=INT (java.lang.Integer)");
        assertNotFit(() -> dispatch("refs", "ints", new long[] {1}), "parameter=ints", "expected=int[]",
            "actual=LONG_ARRAY");
        assertNotFit(() -> dispatch("refs", "map", List.of()), "parameter=map", "expected=java.util.Map",
            "actual=LIST");
        assertNotFit(() -> dispatch("refs", "side", Colour.RED), "parameter=side", "Side", "actual=ENUM");
    }

    private static void assertNotFit(Runnable dispatch, String... expected) {
        DispatchException e = assertThrows(DispatchException.class, dispatch::run);
        assertTrue(e.reason().startsWith("value does not fit the parameter"), e.reason());
        for (String part : expected) {
            assertTrue(e.reason().contains(part), "missing " + part + " in: " + e.reason());
        }
    }

    @Test
    void anUnknownCommandNamesItAndTheKnownHandlers() {
        DispatchException e = assertThrows(DispatchException.class, () -> dispatch("nope", "x", 1));

        assertEquals("nope", e.command());
        assertTrue(e.reason().contains("no c__nope handler"), e.reason());
        assertTrue(e.reason().contains("add") && e.reason().contains("inherited"), e.reason());
        MessageObject error = e.toErrorMessage();
        assertEquals("error", error.command());
        assertEquals("nope", error.getString("command"));
        assertEquals(e.reason(), error.getString("reason"));
    }

    @Test
    void anUnknownParameterNamesItAndTheHandlersSignature() {
        DispatchException e = assertThrows(DispatchException.class, () -> dispatch("add", "value", 1, "valu", 2));

        assertTrue(e.reason().contains("parameter=valu"), e.reason());
        assertTrue(e.reason().contains("c__add(long value)"), e.reason());
        assertEquals(0, target.sum, "nothing runs when binding fails");
    }

    @Test
    void aHandlerThatThrowsBecomesAnErrorWithTheExceptionsClassAndMessage() {
        DispatchException e = assertThrows(DispatchException.class, () -> dispatch("boom", "why", "bad input"));
        assertTrue(e.reason().contains("exception=java.lang.IllegalStateException"), e.reason());
        assertTrue(e.reason().contains("message=bad input"), e.reason());
        assertInstanceOf(IllegalStateException.class, e.getCause());

        e = assertThrows(DispatchException.class, () -> dispatch("checked"));
        assertTrue(e.reason().contains("exception=java.io.IOException message=disk full"), e.reason());
    }

    @Test
    void aVirtualMachineErrorIsRethrownAsItIs() {
        assertThrows(OutOfMemoryError.class, () -> dispatch("fatal"));
    }

    @Test
    void theDispatcherKeepsServingAfterErrors() {
        assertThrows(DispatchException.class, () -> dispatch("boom", "why", "x"));
        assertThrows(DispatchException.class, () -> dispatch("add", "value", "x"));
        dispatch("add", "value", 5);
        assertEquals(5, target.sum);
    }

    @Test
    void aMessageObjectParameterGetsTheWholeFrame() {
        dispatch("message", "anything", 1, "goes", List.of("here"));

        assertEquals(new MessageObject("message", "anything", 1, "goes", List.of("here")), target.last[0]);
    }

    @Test
    void privateInheritedOverriddenAndStaticHandlersRun() {
        dispatch("add", "value", 3);
        dispatch("inherited", "n", 1);
        dispatch("privateInBase", "text", "p");
        dispatch("overridden", "n", 2);
        dispatch("none");
        int before = Handlers.staticCalls;
        dispatch("static", "n", 4);

        assertEquals(3, target.sum);
        assertEquals(List.of("base.inherited n=1", "base.private text=p", "sub.overridden n=2", "none"), target.calls);
        assertEquals(before + 4, Handlers.staticCalls);
    }

    @Test
    void theHandlersReturnValueIsPassedBack() {
        assertEquals("n=4", dispatch("answer", "n", 4));
        assertNull(dispatch("add", "value", 1));
    }

    @Test
    void aTableIsBuiltOncePerClass() {
        assertSame(HandlerTable.of(Handlers.class), HandlerTable.of(Handlers.class));
        assertEquals(8, HandlerTable.of(Handlers.class).maxParameterCount());
    }

    static class Overloaded {
        void c__x(int n) { }

        void c__x(String s) { }
    }

    static class MessageAmongOthers {
        void c__x(MessageObject m, int n) { }
    }

    @Test
    void handlersThatCannotBeDispatchedByNameAreRefusedWhenTheTableIsBuilt() {
        var e = assertThrows(IllegalStateException.class, () -> HandlerTable.of(Overloaded.class));
        assertTrue(e.getMessage().contains("two handlers for one command"), e.getMessage());

        e = assertThrows(IllegalStateException.class, () -> HandlerTable.of(MessageAmongOthers.class));
        assertTrue(e.getMessage().contains("MessageObject parameter must be the handler's only parameter"),
            e.getMessage());
    }

    @Test
    void aClassCompiledWithoutParameterNamesIsRefusedWithTheFlagToUse(@TempDir Path dir) throws Exception {
        Path source = Files.writeString(dir.resolve("NoNames.java"),
            "public class NoNames { void c__x(int n) { } void c__ok(ipc.core.MessageObject m) { } }");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int status = javac.run(null, null, null, "-cp", System.getProperty("java.class.path"),
            "-d", dir.toString(), source.toString());
        assertEquals(0, status, "javac");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            Class<?> noNames = loader.loadClass("NoNames");

            var e = assertThrows(IllegalStateException.class, () -> HandlerTable.of(noNames));

            assertTrue(e.getMessage().contains("-parameters"), e.getMessage());
            assertTrue(e.getMessage().contains("c__x"), e.getMessage());
        }
    }

    // ------------------------------------------------------------------ allocation

    /** Enough calls that one allocation per call (at least 16 B) would show as megabytes. */
    private static final int MEASURED = 200_000;
    /** Past C1's compile thresholds for the dispatch path (surefire runs C1 only). */
    private static final int WARM_UP = 50_000;
    /** Slack for the measurement itself, far below one object per call (16 B x MEASURED). */
    private static final long SLACK_BYTES = 4096;

    @Test
    void dispatchingPrimitiveParametersAllocatesNothing() {
        FrameReader add = frame("add", "value", 1L);
        FrameReader prims = frame("prims", "z", true, "b", (byte) 1, "s", (short) 2, "c", 'c', "i", 3, "l", 4L,
            "f", 5f, "d", 6d);
        Dispatcher onlyAdd = new Dispatcher(target);
        Handlers sink = new Handlers() {
            @Override
            void c__prims(boolean z, byte b, short s, char c, int i, long l, float f, double d) {
                sum += (z ? 1 : 0) + b + s + c + i + l + (long) f + (long) d;
            }
        };
        Dispatcher primsDispatcher = new Dispatcher(sink);
        for (int i = 0; i < WARM_UP; i++) {
            onlyAdd.dispatch(add);
            primsDispatcher.dispatch(prims);
        }
        com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < MEASURED; i++) {
            onlyAdd.dispatch(add);
            primsDispatcher.dispatch(prims);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertEquals(WARM_UP + MEASURED, target.sum);
        assertEquals((WARM_UP + MEASURED) * (1L + 1 + 2 + 'c' + 3 + 4 + 5 + 6), sink.sum);
        assertTrue(allocated < SLACK_BYTES, "allocated=" + allocated + " bytes over " + 2 * MEASURED + " dispatches");
    }
}
