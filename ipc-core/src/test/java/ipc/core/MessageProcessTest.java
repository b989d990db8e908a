package ipc.core;

import ipc.sync.EventGroup;
import ipc.sync.SharedEvent;
import ipc.sync.SyncIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** MessageProcess with real backends: spawning, fork semantics, dispatch, errors, pipes, lifecycle. */
@Timeout(60)
class MessageProcessTest {
    static final Duration REPLY = Duration.ofSeconds(20);

    enum Side { LEFT, RIGHT }

    record Point(int x, String label) {
    }

    /** Counts constructor runs per JVM: the backend must see 0 (the constructor does not rerun). */
    static int constructed;

    static final class StateProcess extends MessageProcess {
        private final int count;
        private final long big = Long.MAX_VALUE;
        private final String text;
        private final double[] weights = {0.5, 1.5};
        private final Side side = Side.RIGHT;
        private final Point point = new Point(3, "p");
        private final List<String> names = new ArrayList<>(List.of("a", "b"));
        private final Map<String, Integer> table = new LinkedHashMap<>(Map.of("k", 7));
        private final EventGroup events = new EventGroup(4);
        private final SharedMemory shared;
        private transient Object frontendOnly = new Object();

        StateProcess(String name, int count, String text, String shmName) {
            super(name);
            this.count = count;
            this.text = text;
            this.shared = SharedMemory.create(shmName, 64);
            constructed++;
        }

        void c__report() {
            shared.segment().set(ValueLayout.JAVA_LONG, 0, 42L); // visible to the frontend: same segment
            send_out__(new MessageObject("state",
                "count", count, "big", big, "text", text, "weights", weights, "side", side.name(),
                "pointX", point.x(), "pointLabel", point.label(), "names", names, "table", table,
                "constructed", constructed, "transientIsNull", frontendOnly == null,
                "pid", ProcessHandle.current().pid(), "logger", logger.getName(),
                "timeout", timeout.toMillis()));
        }

        void c__setEvent(int index) {
            events.set(index);
        }

        @Override
        public void close() {
            super.close();
            events.close();
            shared.close();
        }
    }

    @Test
    void backendIsAnotherProcessThatSeesTheStateAtStart() {
        String shm = "state-" + ProcessHandle.current().pid();
        try (StateProcess p = new StateProcess("state-1", 5, "hello", shm)) {
            p.timeout = Duration.ofMillis(250);
            p.start();
            p.sendMessageToBack(new MessageObject("report"));
            MessageObject s = p.getPipe().recv(REPLY);
            assertNotNull(s);
            assertNotEquals(ProcessHandle.current().pid(), s.getLong("pid"));
            assertEquals(p.pid().getAsLong(), s.getLong("pid"));
            assertEquals(5, s.getInt("count"));
            assertEquals(Long.MAX_VALUE, s.getLong("big"));
            assertEquals("hello", s.getString("text"));
            assertArrayEquals(new double[] {0.5, 1.5}, (double[]) s.get("weights"));
            assertEquals("RIGHT", s.getString("side"));
            assertEquals(3, s.getInt("pointX"));
            assertEquals("p", s.getString("pointLabel"));
            assertEquals(List.of("a", "b"), s.get("names"));
            assertEquals(Map.of("k", 7), s.get("table"));
            assertEquals(0, s.getInt("constructed"), "the constructor did not run in the backend");
            assertTrue(s.getBoolean("transientIsNull"));
            assertEquals("StateProcess.state-1", s.getString("logger"));
            assertEquals(250L, s.getLong("timeout"), "MessageProcess's own fields travel too");
            assertEquals(42L, p.shared.segment().get(ValueLayout.JAVA_LONG, 0), "SharedMemory re-opened by name");

            SharedEvent e = p.events.reserve();
            p.sendMessageToBack(new MessageObject("setEvent", "index", e.index()));
            assertTrue(e.await(REPLY), "the backend set an event of the EventGroup it re-opened");
            p.events.release(e);
            p.stop();
            assertEquals(OptionalInt.of(0), p.exitCode());
        }
    }

    static final class BadFieldProcess extends MessageProcess {
        private final Thread worker = new Thread(() -> { });

        BadFieldProcess(String name) {
            super(name);
        }
    }

    @Test
    void startRefusesAFieldItCannotCarryAndNamesIt() {
        try (BadFieldProcess p = new BadFieldProcess("bad")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, p::start);
            assertTrue(e.getMessage().contains("worker"), e.getMessage());
            assertTrue(e.getMessage().contains("java.lang.Thread"), e.getMessage());
            assertTrue(e.getMessage().contains("transient"), e.getMessage());
            assertFalse(p.isAlive());
        }
    }

    class InnerProcess extends MessageProcess {
        InnerProcess() {
            super("inner");
        }
    }

    @Test
    void startRefusesAnInnerClass() {
        try (InnerProcess p = new InnerProcess()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, p::start);
            assertTrue(e.getMessage().contains("InnerProcess"), e.getMessage());
        }
    }

    /** Handlers of every binding style, and the hooks. */
    static final class EchoProcess extends MessageProcess {
        EchoProcess(String name) {
            super(name);
        }

        @Override
        protected void preRun__() {
            send_out__(new MessageObject("preRun"));
        }

        @Override
        protected void postRun__() {
            send_out__(new MessageObject("postRun"));
        }

        void c__add(long a, long b) {
            send_out__(new MessageObject("sum", "value", a + b));
        }

        private void c__defaults(String s, int i, boolean b, Double boxed) {
            send_out__(new MessageObject("defaults", "s", s, "i", i, "b", b, "boxed", boxed));
        }

        void c__whole(MessageObject msg) {
            send_out__(new MessageObject("whole", "command", msg.command(), "n", msg.kwargs().size()));
        }

        void c__fail(String why) {
            throw new IllegalArgumentException(why);
        }

        void c__sleep(int millis) throws InterruptedException {
            Thread.sleep(millis);
            send_out__(new MessageObject("slept"));
        }
    }

    @Test
    void dispatchBindsByNameWithDefaultsAndWidening() {
        try (EchoProcess p = new EchoProcess("echo")) {
            Pipe pipe = p.getPipe();
            p.start();
            assertEquals("preRun", pipe.recv(REPLY).command());
            p.sendMessageToBack(new MessageObject("add", "a", 2, "b", 40L)); // int widens to long
            assertEquals(42L, pipe.recv(REPLY).getLong("value"));
            p.sendMessageToBack(new MessageObject("defaults"));
            MessageObject d = pipe.recv(REPLY);
            assertNull(d.get("s"));
            assertEquals(0, d.getInt("i"));
            assertFalse(d.getBoolean("b"));
            assertNull(d.get("boxed"));
            p.sendMessageToBack(new MessageObject("whole", "x", 1, "y", 2));
            MessageObject w = pipe.recv(REPLY);
            assertEquals("whole", w.getString("command"));
            assertEquals(2, w.getInt("n"));
            p.stop();
            assertEquals("postRun", pipe.recv(REPLY).command());
            assertNull(pipe.recv(REPLY));
        }
    }

    @Test
    void badCommandsAnswerAnErrorAndTheBackendKeepsServing() {
        try (EchoProcess p = new EchoProcess("errors")) {
            Pipe pipe = p.getPipe();
            p.start();
            assertEquals("preRun", pipe.recv(REPLY).command());

            p.sendMessageToBack(new MessageObject("nosuch", "x", 1));
            assertError(pipe.recv(REPLY), "nosuch", "nosuch");
            p.sendMessageToBack(new MessageObject("add", "a", 1, "c", 2));
            assertError(pipe.recv(REPLY), "add", "c");
            p.sendMessageToBack(new MessageObject("add", "a", "one", "b", 2));
            assertError(pipe.recv(REPLY), "add", "a");
            p.sendMessageToBack(new MessageObject("add", "a", 1.5, "b", 2));
            assertError(pipe.recv(REPLY), "add", "a");
            p.sendMessageToBack(new MessageObject("fail", "why", "on purpose"));
            assertError(pipe.recv(REPLY), "fail", "on purpose");

            p.sendMessageToBack(new MessageObject("add", "a", 1, "b", 2));
            assertEquals(3L, pipe.recv(REPLY).getLong("value"), "still serving after five errors");
            p.stop();
            assertEquals(OptionalInt.of(0), p.exitCode());
        }
    }

    private static void assertError(MessageObject m, String command, String mentioned) {
        assertNotNull(m, "no error message");
        assertEquals(MessageProcess.ERROR_COMMAND, m.command(), m.toString());
        assertEquals(command, m.getString("command"), m.toString());
        assertTrue(m.getString("reason").contains(mentioned), m.toString());
    }

    @Test
    void pipeTimeoutsAndWaitStopWithTimeout() {
        try (EchoProcess p = new EchoProcess("timeouts")) {
            Pipe pipe = p.getPipe();
            assertThrows(IllegalStateException.class, () -> p.sendMessageToBack(new MessageObject("add")));
            p.start();
            assertThrows(IllegalStateException.class, p::start, "start twice");
            assertEquals("preRun", pipe.recv(REPLY).command());
            assertNull(pipe.recv(Duration.ofMillis(50)), "nothing sent");
            assertFalse(pipe.poll());
            p.sendMessageToBack(new MessageObject("sleep", "millis", 1500));
            p.requestStop();
            assertFalse(p.waitStop(Duration.ofMillis(100)), "the backend is still in c__sleep");
            assertTrue(p.isAlive());
            assertTrue(p.waitStop(REPLY));
            assertFalse(p.isAlive());
            assertEquals(OptionalInt.of(0), p.exitCode());
            assertEquals("slept", pipe.recv().command(), "sent before the stop: still readable after it");
            assertEquals("postRun", pipe.recv().command());
            assertTrue(pipe.poll(), "end of stream counts as ready");
            assertNull(pipe.recv());
            assertThrows(IllegalArgumentException.class, () -> p.sendMessageToBack(new MessageObject("__stop__")));
        }
    }

    /** An overridden loop that also serves another source: listening makes run() poll. */
    static final class ListeningProcess extends MessageProcess {
        private transient int ticks;

        ListeningProcess(String name) {
            super(name);
            listening = true;
        }

        @Override
        protected void readPipes__(Duration timeout) {
            assertEquals(Duration.ZERO, timeout);
            ticks++;
            super.readPipes__(timeout);
            if (ticks == 1000) {
                send_out__(new MessageObject("ticked"));
            }
            LockSupportSleep.micros(50);
        }

        void c__ticks() {
            send_out__(new MessageObject("ticks", "n", ticks));
        }
    }

    @Test
    void listeningPollsWithZeroTimeout() {
        try (ListeningProcess p = new ListeningProcess("listen")) {
            p.start();
            assertEquals("ticked", p.getPipe().recv(REPLY).command());
            p.sendMessageToBack(new MessageObject("ticks"));
            assertTrue(p.getPipe().recv(REPLY).getInt("n") > 1000);
            p.stop();
        }
    }

    /** SyncIndex against a backend that dies in the handler: PeerGoneException, not a hang. */
    static final class DyingProcess extends MessageProcess {
        private final EventGroup eg = new EventGroup(4);

        DyingProcess(String name) {
            super(name);
        }

        void c__die(int sync_index) {
            Runtime.getRuntime().halt(9);
        }

        @Override
        public void close() {
            super.close();
            eg.close();
        }
    }

    @Test
    void aBackendThatDiesReleasesWaitersAndEndsTheStream() {
        try (DyingProcess p = new DyingProcess("dying")) {
            p.start();
            long t0 = System.nanoTime();
            assertThrows(ipc.sync.PeerGoneException.class, () -> {
                try (SyncIndex sync = new SyncIndex(p.eg)) {
                    p.sendMessageToBack(new MessageObject("die", "sync_index", sync.index()));
                }
            });
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(waitedMs < 10_000, "waited " + waitedMs + " ms");
            assertNull(p.getPipe().recv(REPLY), "end of stream");
            assertFalse(p.isAlive());
            assertEquals(OptionalInt.of(9), p.exitCode());
            assertTrue(p.eg.toString().matches("<EventGroup: f0 f1 f2 f3>"), "the slot is free again: " + p.eg);
            assertThrows(IllegalStateException.class, () -> p.sendMessageToBack(new MessageObject("die")));
        }
    }
}
