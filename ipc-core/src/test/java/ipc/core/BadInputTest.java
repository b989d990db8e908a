package ipc.core;

import ipc.core.frame.FrameDescriptor;
import ipc.core.frame.FrameException;

import ipc.sync.EventGroup;
import ipc.sync.NotEnoughEvents;
import ipc.sync.SharedEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;

import static ipc.core.FaultTest.lean;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input through MessageProcess end to end, with one real backend that serves every test of
 * the class (a fresh JVM per test would cost more than the tests): each bad input gets its
 * specific error, at the sender or as an "error" message from the backend, and the very next
 * good message is served. EventGroup misuse through a process's field, in the frontend and in
 * the backend, gets the exception api.md names.
 */
@Timeout(120)
class BadInputTest {
    static final Duration REPLY = Duration.ofSeconds(20);

    /** The default frame limit ({@link FrameDescriptor#DEFAULT_MAX_FRAME_BYTES}): tests run without -Dipc.maxFrameBytes. */
    static final int LIMIT = FrameDescriptor.DEFAULT_MAX_FRAME_BYTES;

    static final class ServingProcess extends MessageProcess {
        private final EventGroup eg = new EventGroup(4);
        private final EventGroup other = new EventGroup(2);

        ServingProcess(String name) {
            super(name);
        }

        void c__add(long a, long b) {
            send_out__(new MessageObject("sum", "value", a + b));
        }

        void c__fail(String why) {
            throw new IllegalStateException(why);
        }

        void c__assertion(String why) {
            throw new AssertionError(why);
        }

        void c__echoBytes(byte[] data) {
            send_out__(new MessageObject("length", "value", data.length));
        }

        /** Answers with a message over the limit: the handler's own send fails. */
        void c__sendTooBig(int bytes) {
            send_out__(new MessageObject("big", "data", new byte[bytes]));
        }

        /** EventGroup misuse in the backend, on the groups it re-opened from its fields. */
        void c__misuse(String what, int index) {
            boolean result = switch (what) {
                case "set" -> eg.set(index);
                case "release" -> {
                    eg.release_ind(index);
                    yield true;
                }
                case "releaseForeign" -> {
                    eg.release(other.fromIndex(index));
                    yield true;
                }
                default -> throw new IllegalArgumentException("no such misuse: what=" + what);
            };
            send_out__(new MessageObject("misused", "what", what, "result", result));
        }
    }

    private static ServingProcess p;
    private static Pipe pipe;

    @BeforeAll
    static void startBackend() {
        p = lean(new ServingProcess("bad-input"));
        pipe = p.getPipe();
        p.start();
    }

    @AfterAll
    static void stopBackend() {
        if (p == null) {
            return;
        }
        try {
            p.stop();
            assertEquals(OptionalInt.of(0), p.exitCode(), "the backend survived every bad input");
            assertNull(pipe.recv(REPLY), "nothing unread was left on the pipe");
        } finally {
            p.close();
            p.eg.close();
            p.other.close();
        }
    }

    /** The next good message is served: the backend is alive and the pipe in step. */
    private static void servesTheNextGoodMessage() {
        p.sendMessageToBack(new MessageObject("add", "a", 40, "b", 2L));
        MessageObject sum = pipe.recv(REPLY);
        assertNotNull(sum, "no answer to a good message");
        assertEquals("sum", sum.command(), sum.toString());
        assertEquals(42L, sum.getLong("value"));
    }

    private static void assertError(MessageObject m, String command, String... mentioned) {
        assertNotNull(m, "no error message");
        assertEquals(MessageProcess.ERROR_COMMAND, m.command(), m.toString());
        assertEquals(command, m.getString("command"), m.toString());
        for (String text : mentioned) {
            assertTrue(m.getString("reason").contains(text), "reason lacks '" + text + "': " + m);
        }
    }

    // ------------------------------------------------------------------ dispatch errors

    record Case(String what, MessageObject bad, String command, String... mentioned) {
        @Override
        public String toString() {
            return what + " " + Arrays.toString(mentioned);
        }
    }

    @Test
    void eachBadCommandGetsItsErrorAndTheNextGoodMessageIsServed() {
        List<Case> cases = List.of(
            new Case("unknown command", new MessageObject("nosuch", "x", 1), "nosuch",
                "unknown command", "c__nosuch", "add"),
            new Case("unknown parameter", new MessageObject("add", "a", 1, "c", 2), "add",
                "unknown parameter", "parameter=c"),
            new Case("wrong type: String for long", new MessageObject("add", "a", "one", "b", 2), "add",
                "does not fit", "parameter=a", "expected=long", "STRING"),
            new Case("wrong type: double for long (no narrowing)", new MessageObject("add", "a", 1.5, "b", 2), "add",
                "does not fit", "parameter=a", "DOUBLE"),
            new Case("wrong type: null for a primitive", new MessageObject("add", "a", null, "b", 2), "add",
                "does not fit", "parameter=a"),
            new Case("wrong type: list for byte[]", new MessageObject("echoBytes", "data", List.of(1, 2)), "echoBytes",
                "does not fit", "parameter=data"),
            new Case("handler throws an exception", new MessageObject("fail", "why", "on purpose"), "fail",
                "handler threw", "java.lang.IllegalStateException", "on purpose"),
            new Case("handler throws an Error", new MessageObject("assertion", "why", "invariant broken"), "assertion",
                "handler threw", "java.lang.AssertionError", "invariant broken"),
            new Case("handler sends an oversized reply", new MessageObject("sendTooBig", "bytes", LIMIT), "sendTooBig",
                "handler threw", "OVERSIZED", "maxFrameBytes=" + LIMIT));
        for (Case c : cases) {
            p.sendMessageToBack(c.bad());
            assertError(pipe.recv(REPLY), c.command(), c.mentioned());
            servesTheNextGoodMessage();
        }
    }

    // ------------------------------------------------------------------ refused at the sender

    @Test
    void anUnsupportedValueTypeIsRefusedAtConstructionNamingKeyAndType() {
        IllegalArgumentException top = assertThrows(IllegalArgumentException.class,
            () -> new MessageObject("add", "a", new Object()));
        assertTrue(top.getMessage().contains("key=a"), top.getMessage());
        assertTrue(top.getMessage().contains("type=java.lang.Object"), top.getMessage());
        IllegalArgumentException nested = assertThrows(IllegalArgumentException.class,
            () -> new MessageObject("add", "a", Map.of("legs", List.of(1, new StringBuilder("x")))));
        assertTrue(nested.getMessage().contains("key=a.legs[1]"), nested.getMessage());
        assertTrue(nested.getMessage().contains("type=java.lang.StringBuilder"), nested.getMessage());
        IllegalArgumentException thread = assertThrows(IllegalArgumentException.class,
            () -> new MessageObject("add", Map.of("a", Thread.currentThread())));
        assertTrue(thread.getMessage().contains("key=a"), thread.getMessage());
        assertTrue(thread.getMessage().contains("java.lang.Thread"), thread.getMessage());
        servesTheNextGoodMessage();
    }

    @Test
    void anOversizedMessageIsRefusedAtTheSenderNamingTheLimit() {
        FrameException e = assertThrows(FrameException.class,
            () -> p.sendMessageToBack(new MessageObject("echoBytes", "data", new byte[LIMIT])));
        assertEquals(FrameException.Reason.OVERSIZED, e.reason());
        assertTrue(e.getMessage().contains("maxFrameBytes=" + LIMIT), e.getMessage());
        assertTrue(e.getMessage().contains("command=echoBytes"), e.getMessage());
        servesTheNextGoodMessage();

        int fits = LIMIT - 1024; // the frame adds a header, the command and the key to the bytes
        p.sendMessageToBack(new MessageObject("echoBytes", "data", new byte[fits]));
        MessageObject length = pipe.recv(REPLY);
        assertEquals("length", length.command(), length.toString());
        assertEquals(fits, length.getInt("value"), "a message just under the limit goes through");
        servesTheNextGoodMessage();
    }

    // ------------------------------------------------------------------ EventGroup misuse

    @Test
    void eventGroupMisuseInTheFrontendGetsItsSpecificException() {
        EventGroup eg = p.eg;
        SharedEvent held = eg.reserve();
        int slot = held.index() & 0xFFFF;
        int generation = held.index() >>> 16;

        IllegalArgumentException outOfRange = assertThrows(IllegalArgumentException.class,
            () -> eg.set(generation << 16 | eg.size()));
        assertTrue(outOfRange.getMessage().contains("index out of range"), outOfRange.getMessage());
        assertTrue(outOfRange.getMessage().contains("size=4"), outOfRange.getMessage());
        assertThrows(IllegalArgumentException.class, () -> eg.set(-1));
        assertThrows(IllegalArgumentException.class, () -> eg.fromIndex(generation << 16 | 99));
        IllegalArgumentException plainSlot = assertThrows(IllegalArgumentException.class, () -> eg.set(slot));
        assertTrue(plainSlot.getMessage().contains("plain slot numbers are not indexes"), plainSlot.getMessage());

        SharedEvent foreign = p.other.reserve();
        IllegalArgumentException notOurs = assertThrows(IllegalArgumentException.class, () -> eg.release(foreign));
        assertTrue(notOurs.getMessage().contains("event of another group"), notOurs.getMessage());
        assertThrows(IllegalArgumentException.class, () -> eg.asIndex(foreign));
        p.other.release(foreign);

        eg.release(held);
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> eg.release(held));
        assertTrue(twice.getMessage().contains("event already released"), twice.getMessage());
        assertThrows(IllegalStateException.class, () -> eg.release_ind(held.index()));

        List<SharedEvent> all = new ArrayList<>();
        for (int i = 0; i < eg.size(); i++) {
            all.add(eg.reserve());
        }
        NotEnoughEvents none = assertThrows(NotEnoughEvents.class, eg::reserve);
        assertTrue(none.getMessage().contains("size=4"), none.getMessage());
        all.forEach(eg::release);
        assertEquals("<EventGroup: f0 f1 f2 f3>", eg.toString(), "misuse changed no slot");
        servesTheNextGoodMessage();
    }

    @Test
    void eventGroupMisuseInTheBackendIsAnErrorMessageAndTheGroupStaysUsable() throws Exception {
        EventGroup eg = p.eg;
        SharedEvent e = eg.reserve();
        int generation = e.index() >>> 16;

        p.sendMessageToBack(new MessageObject("misuse", "what", "set", "index", generation << 16 | 7));
        assertError(pipe.recv(REPLY), "misuse", "IllegalArgumentException", "index out of range", "size=4");
        servesTheNextGoodMessage();

        SharedEvent foreign = p.other.reserve();
        p.sendMessageToBack(new MessageObject("misuse", "what", "releaseForeign", "index", foreign.index()));
        assertError(pipe.recv(REPLY), "misuse", "IllegalArgumentException", "event of another group");
        p.other.release(foreign);
        servesTheNextGoodMessage();

        // the backend releases the frontend's reservation while a frontend thread waits on it:
        // the waiter fails (IllegalStateException), and the second release is refused
        AtomicReference<Throwable> waited = new AtomicReference<>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                e.await(REPLY);
                waited.set(new AssertionError("await returned normally"));
            } catch (Throwable t) {
                waited.set(t);
            }
        });
        Thread.sleep(100);
        p.sendMessageToBack(new MessageObject("misuse", "what", "release", "index", e.index()));
        assertEquals("misused", pipe.recv(REPLY).command());
        Signals.joinOrFail(waiter, REPLY, "await on a released event");
        IllegalStateException released = assertInstanceOf(IllegalStateException.class, waited.get());
        assertTrue(released.getMessage().contains("event released while waiting"), released.getMessage());
        p.sendMessageToBack(new MessageObject("misuse", "what", "release", "index", e.index()));
        assertError(pipe.recv(REPLY), "misuse", "IllegalStateException", "event already released");
        servesTheNextGoodMessage();

        // a late set (for a reservation given up) is ignored and does not wake the slot's next holder
        List<SharedEvent> all = new ArrayList<>();
        for (int i = 0; i < eg.size(); i++) {
            all.add(eg.reserve());
        }
        SharedEvent next = all.stream().filter(r -> (r.index() & 0xFFFF) == (e.index() & 0xFFFF)).findFirst()
            .orElseThrow();
        all.stream().filter(r -> r != next).forEach(eg::release);
        assertTrue(next.index() != e.index(), "same slot, new generation");
        p.sendMessageToBack(new MessageObject("misuse", "what", "set", "index", e.index()));
        MessageObject late = pipe.recv(REPLY);
        assertEquals("misused", late.command(), late.toString());
        assertFalse(late.getBoolean("result"), "a late set changes nothing");
        assertFalse(next.await(Duration.ofMillis(100)), "the next holder was not woken by the late set");
        p.sendMessageToBack(new MessageObject("misuse", "what", "set", "index", next.index()));
        assertTrue(pipe.recv(REPLY).getBoolean("result"));
        assertTrue(next.await(REPLY));
        eg.release(next);
        assertEquals("<EventGroup: f0 f1 f2 f3>", eg.toString());
    }

    // ------------------------------------------------------------------ a JVM error in a handler

    static final class RecursingProcess extends MessageProcess {
        RecursingProcess(String name) {
            super(name);
        }

        void c__recurse(int depth) {
            c__recurse(depth + 1);
        }
    }

    /**
     * A VirtualMachineError (here StackOverflowError) is not bad input: the dispatcher does not
     * swallow it, so the backend ends as if run() had thrown: an error message naming run and the
     * error, end of stream, exit code 3. Nothing hangs.
     */
    @Test
    void aVirtualMachineErrorInAHandlerEndsTheBackendWithExitCode3() {
        try (RecursingProcess r = lean(new RecursingProcess("recurse"))) {
            r.start();
            r.sendMessageToBack(new MessageObject("recurse", "depth", 0));
            MessageObject error = r.getPipe().recv(REPLY);
            assertError(error, "run", "java.lang.StackOverflowError");
            assertNull(r.getPipe().recv(REPLY), "end of stream");
            assertEquals(OptionalInt.of(BackendMain.EXIT_RUN_FAILED), r.exitCode());
        }
        servesTheNextGoodMessage();
    }
}
