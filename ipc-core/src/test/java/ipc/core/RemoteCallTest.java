package ipc.core;

import ipc.core.remote.RemoteDispatcher;

import ipc.sync.PeerGoneException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Typed remote calls ({@link MessageProcess#remote}) against one shared backend: every result
 * type, one-way calls in order with messages, the backend's exception, a timeout followed by a
 * call that must get its own answer, many threads at once, futures, answers kept off the pipe,
 * and the interface checks. Death mid-call has its own backend ({@link #killedMidCall}).
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public class RemoteCallTest {
    private static final Duration REPLY = Duration.ofSeconds(20);

    public enum Side { BUY, SELL }

    public interface Calc {
        long add(long a, long b);

        double price(long instrument, int qty);

        boolean positive(int v);

        byte half(byte b);

        short twice(short s);

        char upper(char c);

        float third(float f);

        String greet(String name);

        List<Integer> range(int n);

        Map<String, Object> describe(String key, long value);

        int[] squares(int[] values);

        Side flip(Side side);

        String nothing();

        void tick(long seq);

        long ticks();

        long divide(long a, long b);

        long sleepThen(long millis, long value);

        CompletableFuture<Double> priceLater(long instrument, int qty);

        CompletionStage<String> failLater(String why);

        long exitNow(int code);

        /** Overloads: their frames carry the descriptor, "__c:scale(J)" and "__c:scale(JJ)". */
        long scale(long x);

        long scale(long x, long by);

        /** A default method: runs in the backend too, where the class may override it. */
        default String where() {
            return "frontend";
        }
    }

    public interface Other {
        void unused();
    }

    public interface BadParameter {
        void take(Thread t);
    }

    public interface BadReturn {
        Object give();
    }

    public static class CalcProcess extends MessageProcess implements Calc, BadParameter, BadReturn {
        private transient long ticks;
        private transient long bumps;

        public CalcProcess(String name) {
            super(name);
        }

        @Override
        public long add(long a, long b) {
            return a + b;
        }

        @Override
        public double price(long instrument, int qty) {
            return instrument * 0.5 + qty;
        }

        @Override
        public boolean positive(int v) {
            return v > 0;
        }

        @Override
        public byte half(byte b) {
            return (byte) (b / 2);
        }

        @Override
        public short twice(short s) {
            return (short) (s * 2);
        }

        @Override
        public char upper(char c) {
            return Character.toUpperCase(c);
        }

        @Override
        public float third(float f) {
            return f / 3;
        }

        @Override
        public String greet(String name) {
            return "hello " + name;
        }

        @Override
        public List<Integer> range(int n) {
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(i);
            }
            return out;
        }

        @Override
        public Map<String, Object> describe(String key, long value) {
            return Map.of(key, value, "pid", ProcessHandle.current().pid());
        }

        @Override
        public int[] squares(int[] values) {
            int[] out = new int[values.length];
            for (int i = 0; i < values.length; i++) {
                out[i] = values[i] * values[i];
            }
            return out;
        }

        @Override
        public Side flip(Side side) {
            return side == Side.BUY ? Side.SELL : Side.BUY;
        }

        @Override
        public String nothing() {
            return null;
        }

        @Override
        public void tick(long seq) {
            if (seq != ticks + bumps) {
                throw new IllegalStateException("out of order: seq=" + seq + " ticks=" + ticks + " bumps=" + bumps);
            }
            ticks++;
        }

        /** A message between ticks: its sequence number must follow the ticks and bumps before it. */
        void c__bump(long seq) {
            if (seq != ticks + bumps) {
                throw new IllegalStateException("out of order: seq=" + seq + " ticks=" + ticks + " bumps=" + bumps);
            }
            bumps++;
        }

        @Override
        public long ticks() {
            return ticks + bumps;
        }

        @Override
        public long divide(long a, long b) {
            return a / b;
        }

        @Override
        public long sleepThen(long millis, long value) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return value;
        }

        @Override
        public CompletableFuture<Double> priceLater(long instrument, int qty) {
            return CompletableFuture.supplyAsync(() -> {
                sleepThen(50, 0);
                return price(instrument, qty);
            });
        }

        @Override
        public CompletionStage<String> failLater(String why) {
            return CompletableFuture.supplyAsync(() -> {
                throw new IllegalArgumentException(why);
            });
        }

        @Override
        public String where() {
            return "backend " + ProcessHandle.current().pid();
        }

        /** Sends a message on the pipe, so that the tests can check that answers stay off it. */
        void c__say(String text) {
            send_out__(new MessageObject("said", "text", text));
        }

        @Override
        public long scale(long x) {
            return x * 10;
        }

        @Override
        public long scale(long x, long by) {
            return x * by;
        }

        /** Exits the backend (as a handler that calls System.exit would) with the call unanswered. */
        @Override
        public long exitNow(int code) {
            System.exit(code);
            return 0;
        }

        @Override
        public void take(Thread t) {
        }

        @Override
        public Object give() {
            return null;
        }
    }

    private CalcProcess process;
    private Calc calc;

    @BeforeAll
    void start() {
        process = new CalcProcess("calc");
        process.start();
        calc = process.remote(Calc.class);
    }

    @AfterAll
    void stop() {
        process.close();
    }

    @Test
    void everyResultType() {
        assertEquals(5, calc.add(2, 3));
        assertEquals(42 * 0.5 + 100, calc.price(42, 100));
        assertTrue(calc.positive(3));
        assertFalse(calc.positive(-3));
        assertEquals((byte) -4, calc.half((byte) -8));
        assertEquals((short) 30000, calc.twice((short) 15000));
        assertEquals('Q', calc.upper('q'));
        assertEquals(1f / 3, calc.third(1f));
        assertEquals("hello \u00e9t\u00e9", calc.greet("\u00e9t\u00e9"));
        assertEquals(List.of(0, 1, 2, 3), calc.range(4));
        assertEquals(7L, calc.describe("seven", 7).get("seven"));
        assertArrayEquals(new int[] {1, 4, 9}, calc.squares(new int[] {1, 2, 3}));
        assertEquals(Side.SELL, calc.flip(Side.BUY));
        assertNull(calc.nothing());
        assertEquals(Long.MAX_VALUE, calc.add(Long.MAX_VALUE - 1, 1));
        assertEquals(70, calc.scale(7));
        assertEquals(21, calc.scale(7, 3));
        RemoteDispatcher table = RemoteDispatcher.of(CalcProcess.class);
        assertTrue(table.find("__c:scale(J)") != null && table.find("__c:scale(JJ)") != null, "overloads: long form");
        assertTrue(table.find("__c:add") != null && table.find("__c:add(JJ)") == null, "a unique name: short form");
        long backendPid = (Long) calc.describe("x", 0).get("pid");
        assertEquals(process.pid().getAsLong(), backendPid, "the method ran in the backend");
        assertEquals("backend " + backendPid, calc.where(), "a default method overridden by the class runs there too");
    }

    @Test
    void oneWayCallsAndMessagesKeepTheirOrder() {
        long base = calc.ticks();
        for (long i = 0; i < 1000; i++) {
            if (i % 3 == 0) {
                process.sendMessageToBack(new MessageObject("bump", "seq", base + i));
            } else {
                calc.tick(base + i);
            }
        }
        assertEquals(base + 1000, calc.ticks(), "every one-way call and message ran, in order");
        assertNoPipeMessage();
    }

    @Test
    void backendExceptionSurfacesAndTheBackendServesOn() {
        RemoteException e = assertThrows(RemoteException.class, () -> calc.divide(1, 0));
        assertEquals("java.lang.ArithmeticException", e.remoteClass());
        assertTrue(e.getMessage().contains("/ by zero"), e.getMessage());
        assertEquals(3, calc.divide(9, 3));
        assertNoPipeMessage();
    }

    @Test
    void timeoutThenTheNextCallGetsItsOwnAnswer() {
        Calc fast = process.remote(Calc.class, Duration.ofMillis(100));
        long begin = System.nanoTime();
        RemoteTimeoutException e = assertThrows(RemoteTimeoutException.class, () -> fast.sleepThen(600, 1));
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
        assertTrue(waited >= 100 && waited < 5000, "waited " + waited + " ms for a 100 ms timeout");
        assertTrue(e.getMessage().contains("sleepThen"), e.getMessage());
        // The backend is still sleeping: this call's answer comes after the late one, which must be dropped.
        assertEquals(2, calc.sleepThen(0, 2));
        assertEquals(3, calc.add(1, 2));
        assertTrue(process.remoteCalls().dropped() >= 1, "the late answer was dropped");
        assertNoPipeMessage();
    }

    @Test
    void manyThreadsEachGetTheirOwnAnswers() throws Exception {
        int threads = 6;
        int calls = 2000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long id = (long) t << 32;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < calls; i++) {
                        long got = calc.add(id, i);
                        if (got != id + i) {
                            throw new AssertionError("thread " + (id >> 32) + " call " + i + " got " + got);
                        }
                        if (i % 100 == 0) {
                            assertEquals(List.of(0, 1), calc.range(2));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertNoPipeMessage();
    }

    @Test
    void futuresCompleteWithTheValueOrTheError() throws Exception {
        CompletableFuture<Double> later = calc.priceLater(10, 1);
        CompletableFuture<Double> second = calc.priceLater(20, 2);
        assertEquals(3, calc.add(1, 2), "the loop served on while the futures ran");
        assertEquals(6.0, later.get(20, TimeUnit.SECONDS));
        assertEquals(12.0, second.get(20, TimeUnit.SECONDS));
        ExecutionException e = assertThrows(ExecutionException.class,
            () -> calc.failLater("nope").toCompletableFuture().get(20, TimeUnit.SECONDS));
        RemoteException remote = assertInstanceOf(RemoteException.class, e.getCause());
        assertEquals("java.lang.IllegalArgumentException", remote.remoteClass());
        assertTrue(remote.getMessage().contains("nope"), remote.getMessage());
        Calc fast = process.remote(Calc.class, Duration.ofMillis(20));
        CompletableFuture<Double> slow = fast.priceLater(1, 1);
        ExecutionException timedOut = assertThrows(ExecutionException.class, () -> slow.get(20, TimeUnit.SECONDS));
        assertInstanceOf(RemoteTimeoutException.class, timedOut.getCause());
        assertNoPipeMessage();
    }

    @Test
    void answersNeverReachThePipe() {
        for (int i = 0; i < 50; i++) {
            process.sendMessageToBack(new MessageObject("say", "text", "m" + i));
            assertEquals(i, calc.add(i, 0));
        }
        for (int i = 0; i < 50; i++) {
            MessageObject m = process.getPipe().recv(REPLY);
            assertEquals("said", m.command());
            assertEquals("m" + i, m.getString("text"));
        }
        assertNoPipeMessage();
    }

    @Test
    void interruptedCallIsCancelledAndTheLateAnswerDropped() throws Exception {
        Thread caller = Thread.currentThread();
        Thread interrupter = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException ignored) {
                return;
            }
            caller.interrupt();
        });
        assertThrows(CancellationException.class, () -> calc.sleepThen(400, 1));
        assertTrue(Thread.interrupted(), "the interrupt status is kept");
        interrupter.join();
        assertEquals(9, calc.sleepThen(0, 9));
    }

    @Test
    void interfaceChecks() {
        IllegalArgumentException parameter = assertThrows(IllegalArgumentException.class,
            () -> process.remote(BadParameter.class));
        assertTrue(parameter.getMessage().contains("take") && parameter.getMessage().contains("java.lang.Thread"),
            parameter.getMessage());
        IllegalArgumentException returned = assertThrows(IllegalArgumentException.class,
            () -> process.remote(BadReturn.class));
        assertTrue(returned.getMessage().contains("give") && returned.getMessage().contains("java.lang.Object"),
            returned.getMessage());
        IllegalArgumentException notImplemented = assertThrows(IllegalArgumentException.class,
            () -> process.remote(Other.class));
        assertTrue(notImplemented.getMessage().contains(Other.class.getName()), notImplemented.getMessage());
        assertThrows(IllegalArgumentException.class, () -> process.remote(Runnable.class));
        assertThrows(IllegalArgumentException.class, () -> process.remote(Calc.class, Duration.ZERO));
        try (CalcProcess notStarted = new CalcProcess("not-started")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> notStarted.remote(Calc.class));
            assertTrue(e.getMessage().contains("before start"), e.getMessage());
        }
    }

    @Test
    void killedMidCall() throws Exception {
        try (CalcProcess victim = new CalcProcess("victim")) {
            victim.start();
            Calc remote = victim.remote(Calc.class);
            assertEquals(2, remote.add(1, 1));
            CompletableFuture<Long> waiting = CompletableFuture.supplyAsync(() -> remote.sleepThen(30_000, 1));
            Thread.sleep(300);
            CompletableFuture<Double> future = remote.priceLater(1, 1); // queued behind the sleep
            long killedAt = System.nanoTime();
            ProcessHandle.of(victim.pid().getAsLong()).orElseThrow().destroyForcibly();
            ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(10, TimeUnit.SECONDS));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            assertInstanceOf(PeerGoneException.class, e.getCause());
            assertTrue(millis < 1000, "PeerGoneException " + millis + " ms after the kill");
            ExecutionException f = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
            assertInstanceOf(PeerGoneException.class, f.getCause());
            assertThrows(PeerGoneException.class, () -> remote.add(1, 1), "a call after the death");
        }
    }

    @Test
    void backendExitingMidCall() {
        try (CalcProcess leaver = new CalcProcess("leaver")) {
            leaver.start();
            Calc remote = leaver.remote(Calc.class);
            long begin = System.nanoTime();
            PeerGoneException e = assertThrows(PeerGoneException.class, () -> remote.exitNow(3));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
            assertTrue(e.getMessage().contains("exitCode=3"), e.getMessage());
            assertTrue(millis < 5000, "PeerGoneException after " + millis + " ms");
            assertNull(leaver.getPipe().recv(REPLY), "end of stream");
            assertEquals(3, leaver.exitCode().orElseThrow());
        }
    }

    private void assertNoPipeMessage() {
        assertNull(process.getPipe().recv(Duration.ofMillis(20)), "nothing on the pipe");
    }

    @SuppressWarnings("unused")
    private static void unused() throws TimeoutException {
    }
}
