package ipc.core;

import ipc.sync.EventGroup;
import ipc.sync.PeerGoneException;
import ipc.sync.SyncIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signals to a running backend, with real processes: SIGKILL mid-stream, mid-SyncIndex,
 * mid-handler and while it holds reservations; a SyncIndex against a backend already dead;
 * SIGSTOP then SIGCONT. Each ends with a clear report (end of stream, exit code 137,
 * PeerGoneException, an exception naming the exit), never a hang, nothing committed lost, and no
 * file of the process left (each test checks that no shm entry is left: {@link ShmLeakCheck}). Faults
 * around start and stop: {@link StartStopFaultTest}.
 *
 * <p>Bounds: {@link #HANG} only catches a hang; the measured times are logged.
 */
@Timeout(120)
class FaultTest extends ShmLeakCheck {
    static final Duration REPLY = Duration.ofSeconds(20);
    /** A fault must be reported well within this; it is only there to turn a hang into a failure. */
    static final Duration HANG = Duration.ofSeconds(10);
    /** api.md: a waiter on a dead peer's event is released "within a second"; asserted generously. */
    static final long PEER_GONE_BOUND_MS = 5_000;

    /**
     * The backends of these tests run lean, like the test JVMs (C1 only, 64 MB): a fault's
     * outcome does not depend on the JIT, and a backend's start costs a third less CPU.
     */
    static <P extends MessageProcess> P lean(P process) {
        process.setJvmOptions(LoadTest.LEAN_BACKENDS);
        return process;
    }

    // ------------------------------------------------------------------ SIGKILL mid-stream

    /**
     * Streams numbered messages until killed. Two counters in a shared segment: after each
     * send_out__ returns, the backend records how many it has committed, so the frontend can tell,
     * after the kill, how many the backend certainly sent; the frontend records how many it has
     * read, and the backend stays at most {@code window} ahead, so the backlog stays small.
     */
    static final class StreamProcess extends MessageProcess {
        private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
        private static final long COMMITTED = 0;
        private static final long READ = Long.BYTES;
        private final SharedMemory counters;

        StreamProcess(String name) {
            super(name);
            counters = SharedMemory.create("fault-stream-" + ProcessHandle.current().pid() + "-" + name, 2 * Long.BYTES);
        }

        void c__stream(int payload, int window) {
            MemorySegment c = counters.segment();
            byte[] bytes = new byte[payload];
            for (long seq = 0; ; seq++) {
                while (seq - (long) LONG.getAcquire(c, READ) >= window) {
                    Thread.yield();
                }
                send_out__(new MessageObject("item", "seq", seq, "payload", bytes));
                LONG.setRelease(c, COMMITTED, seq + 1);
            }
        }

        long committedCount() {
            return (long) LONG.getAcquire(counters.segment(), COMMITTED);
        }

        void read(long count) {
            LONG.setRelease(counters.segment(), READ, count);
        }

        @Override
        public void close() {
            super.close();
            counters.close();
        }
    }

    /**
     * SIGKILL while the backend writes as fast as the frontend reads, so the kill often lands
     * inside a write (with 64 KiB frames, most of the backend's time is spent inside one): the
     * frontend sees end of stream and exit code 137, and reads a gap-free prefix 0..k of the
     * numbers that holds every message the backend had committed (k + 1 >= committed, and at most
     * the one message in flight more). A frame cut short by the kill was never committed and is
     * not delivered.
     */
    @ParameterizedTest(name = "payload={0} B")
    @ValueSource(ints = {0, 64 * 1024})
    void sigkillMidStreamEndsTheStreamAndKeepsEverySentMessage(int payload) {
        try (StreamProcess p = lean(new StreamProcess("stream"))) {
            Pipe pipe = p.getPipe();
            p.start();
            int window = payload == 0 ? 1024 : 8;
            p.sendMessageToBack(new MessageObject("stream", "payload", payload, "window", window));
            long before = payload == 0 ? 5_000 : 200;
            long next = 0;
            while (next < before) {
                next = expectItem(pipe.recv(REPLY), next);
                p.read(next);
            }
            long killedAt = Signals.kill(p);
            long readAfterKill = 0;
            while (true) {
                MessageObject m = pipe.recv(HANG);
                if (m == null) {
                    break;
                }
                next = expectItem(m, next);
                readAfterKill++;
            }
            long eosMs = Signals.millisSince(killedAt);
            assertTrue(pipe.poll(), "end of stream (recv returned null because the stream ended, not a timeout)");
            assertFalse(p.isAlive());
            assertEquals(OptionalInt.of(Signals.SIGKILL_EXIT), p.exitCode());
            long committed = p.committedCount();
            assertTrue(next >= committed, "lost committed messages: read=" + next + " committed=" + committed);
            assertTrue(next <= committed + 1, "read more than was sent: read=" + next + " committed=" + committed);
            assertNull(pipe.recv(), "end of stream stays");
            System.out.printf("sigkill mid-stream, payload %d B: read %d messages (%d after the kill), committed %d,"
                + " end of stream %d ms after the kill%n", payload, next, readAfterKill, committed, eosMs);
            assertTrue(p.waitStop(HANG), "waitStop after a crash returns at once");
        }
    }

    private static long expectItem(MessageObject m, long expected) {
        assertNotNull(m, "no message within the bound, expected seq=" + expected);
        assertEquals("item", m.command(), m.toString());
        assertEquals(expected, m.getLong("seq"), "gap or reorder");
        return expected + 1;
    }

    // ------------------------------------------------------------------ SIGKILL mid-SyncIndex, mid-handler

    /** Handlers that block: one holds a SyncIndex without setting it, one spins, one sleeps. */
    static final class StuckProcess extends MessageProcess {
        private final EventGroup eg = new EventGroup(4);

        StuckProcess(String name) {
            super(name);
        }

        void c__hold(int sync_index) {
            send_out__(new MessageObject("holding", "sync_index", sync_index));
            while (true) {
                LockSupport.park(); // never sets the event
            }
        }

        /** Reserves every event of the group in the backend (its pid becomes their holder). */
        void c__reserveAll() {
            for (int i = 0; i < eg.size(); i++) {
                eg.reserve();
            }
            send_out__(new MessageObject("reserved", "group", eg.toString()));
        }

        void c__spin() {
            send_out__(new MessageObject("spinning"));
            long x = 0;
            while (x >= 0) {
                x = (x + 1) & Long.MAX_VALUE; // busy in user code, no safepoint-friendly sleep
            }
        }

        @Override
        public void close() {
            super.close();
            eg.close();
        }
    }

    /**
     * A frontend thread waits in SyncIndex.close() for an event whose index went to the backend;
     * the backend is SIGKILLed before it sets it: the waiter gets PeerGoneException (api.md:
     * within a second; asserted under {@link #PEER_GONE_BOUND_MS}, measured time logged), the slot
     * is free again, and the pipe ends.
     */
    @Test
    void sigkillMidSyncIndexReleasesTheWaiterWithPeerGone() throws Exception {
        try (StuckProcess p = lean(new StuckProcess("sync"))) {
            Pipe pipe = p.getPipe();
            p.start();
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            long[] endedAt = new long[1];
            Thread waiter = Thread.ofPlatform().name("sync-waiter").start(() -> {
                try (SyncIndex sync = new SyncIndex(p.eg)) {
                    p.sendMessageToBack(new MessageObject("hold", "sync_index", sync.index()));
                } catch (Throwable t) {
                    outcome.set(t);
                } finally {
                    endedAt[0] = System.nanoTime();
                }
            });
            MessageObject holding = pipe.recv(REPLY);
            assertNotNull(holding);
            assertEquals("holding", holding.command());
            Thread.sleep(300); // the waiter is past its spin and yield budget: parked in the kernel
            assertTrue(waiter.isAlive(), "the waiter waits");
            long killedAt = Signals.kill(p);
            Signals.joinOrFail(waiter, HANG, "SyncIndex waiter");
            long waitedMs = (endedAt[0] - killedAt) / 1_000_000;
            System.out.printf("sigkill mid-SyncIndex: PeerGoneException %d ms after the kill%n", waitedMs);
            PeerGoneException gone = assertInstanceOf(PeerGoneException.class, outcome.get());
            assertTrue(gone.getMessage().contains("exitCode=" + Signals.SIGKILL_EXIT), gone.getMessage());
            assertTrue(gone.getMessage().contains(p.toString()), gone.getMessage());
            assertTrue(waitedMs < PEER_GONE_BOUND_MS, "waited " + waitedMs + " ms");
            assertEquals("<EventGroup: f0 f1 f2 f3>", p.eg.toString(), "the slot is free again");
            assertNull(pipe.recv(HANG), "end of stream");
            assertTrue(pipe.poll());
            assertEquals(OptionalInt.of(Signals.SIGKILL_EXIT), p.exitCode());
        }
    }

    /**
     * The seed's SyncIndex pattern against a backend that has already died: the send fails
     * (IllegalStateException naming the exit) and the SyncIndex's close() does not wait for a set
     * that can never come (PeerGoneException, suppressed under the send's exception).
     */
    @Test
    void aSyncIndexAgainstADeadBackendFailsInsteadOfWaitingForever() {
        try (StuckProcess p = lean(new StuckProcess("dead-sync"))) {
            p.start();
            Signals.kill(p);
            assertNull(p.getPipe().recv(HANG), "end of stream");
            LockSupportSleep.micros(200_000); // the exit has been handled (waiters aborted) by now
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread user = Thread.ofPlatform().name("late-sync").start(() -> {
                try (SyncIndex sync = new SyncIndex(p.eg)) {
                    p.sendMessageToBack(new MessageObject("hold", "sync_index", sync.index()));
                } catch (Throwable t) {
                    outcome.set(t);
                }
            });
            Signals.joinOrFail(user, HANG, "SyncIndex against a dead backend");
            IllegalStateException notSent = assertInstanceOf(IllegalStateException.class, outcome.get());
            assertTrue(notSent.getMessage().contains("backend has exited"), notSent.getMessage());
            assertEquals(1, notSent.getSuppressed().length, "close() failed too, instead of waiting");
            assertInstanceOf(PeerGoneException.class, notSent.getSuppressed()[0]);
            assertEquals("<EventGroup: f0 f1 f2 f3>", p.eg.toString(), "the slot is free again");
        }
    }

    /**
     * SIGKILL while the backend is busy in a handler, with one frontend thread blocked in
     * recv() and one in safeSelect(null): both return (null, and the pipe as ready), the exit
     * code is 137, a send afterwards fails naming the exit, and close() is quick.
     */
    @Test
    void sigkillMidHandlerWakesBlockedReadersAndCloseWorks() {
        StuckProcess p = lean(new StuckProcess("handler"));
        try {
            Pipe pipe = p.getPipe();
            p.start();
            p.sendMessageToBack(new MessageObject("spin"));
            assertEquals("spinning", pipe.recv(REPLY).command());
            AtomicReference<Object> received = new AtomicReference<>("nothing yet");
            AtomicReference<List<Pipe>> selected = new AtomicReference<>();
            Thread reader = Thread.ofPlatform().name("blocked-recv").start(() -> received.set(pipe.recv()));
            Thread selector = Thread.ofPlatform().name("blocked-select")
                .start(() -> selected.set(Select.safeSelect(List.of(pipe), null)));
            LockSupportSleep.micros(300_000);
            assertTrue(reader.isAlive() && selector.isAlive(), "both wait while the handler runs");
            long killedAt = Signals.kill(p);
            Signals.joinOrFail(reader, HANG, "recv()");
            Signals.joinOrFail(selector, HANG, "safeSelect(null)");
            long wokeMs = Signals.millisSince(killedAt);
            assertNull(received.get(), "recv() returns null at end of stream");
            assertEquals(List.of(pipe), selected.get(), "an ended pipe is ready");
            assertEquals(OptionalInt.of(Signals.SIGKILL_EXIT), p.exitCode());
            IllegalStateException notSent = assertThrows(IllegalStateException.class,
                () -> p.sendMessageToBack(new MessageObject("spin")));
            assertTrue(notSent.getMessage().contains("exitCode=" + Signals.SIGKILL_EXIT),
                notSent.getMessage());
            long closeStart = System.nanoTime();
            p.close();
            long closeMs = Signals.millisSince(closeStart);
            System.out.printf("sigkill mid-handler: blocked readers woke within %d ms of the kill, close() took %d ms%n",
                wokeMs, closeMs);
            assertTrue(closeMs < HANG.toMillis(), "close took " + closeMs + " ms");
            assertNull(pipe.recv(), "still at end of stream after close");
        } finally {
            p.close();
        }
    }

    /**
     * A backend that dies holding reservations of an EventGroup it shares with the frontend: the
     * frontend's next reserve() finds every slot taken by a dead holder and takes them back.
     */
    @Test
    void reservationsOfAKilledBackendAreTakenBack() {
        try (StuckProcess p = lean(new StuckProcess("holder"))) {
            p.start();
            p.sendMessageToBack(new MessageObject("reserveAll"));
            assertEquals("<EventGroup: R0 R1 R2 R3>", p.getPipe().recv(REPLY).getString("group"));
            Signals.kill(p);
            assertNull(p.getPipe().recv(HANG));
            List<ipc.sync.SharedEvent> again = new java.util.ArrayList<>();
            for (int i = 0; i < p.eg.size(); i++) {
                again.add(p.eg.reserve());
            }
            assertEquals("<EventGroup: R0 R1 R2 R3>", p.eg.toString());
            again.forEach(p.eg::release);
        }
    }

    // ------------------------------------------------------------------ SIGSTOP / SIGCONT

    static final class EchoProcess extends MessageProcess {
        EchoProcess(String name) {
            super(name);
        }

        void c__echo(long seq) {
            send_out__(new MessageObject("echo", "seq", seq));
        }
    }

    /**
     * SIGSTOP the backend twice, once while it streams replies and once while it is parked idle;
     * while it is stopped the frontend keeps sending, sees no end of stream and no exit code;
     * after SIGCONT every message is answered, in order, nothing lost.
     */
    @Test
    void sigstopThenSigcontLosesNothing() throws Exception {
        int perPhase = 2_000;
        try (EchoProcess p = lean(new EchoProcess("stopped"))) {
            Pipe pipe = p.getPipe();
            p.start();
            long sent = 0;
            long received = 0;
            for (int phase = 0; phase < 2; phase++) {
                for (int i = 0; i < perPhase; i++) {
                    p.sendMessageToBack(new MessageObject("echo", "seq", sent++));
                }
                if (phase == 0) {
                    received = expectEchoes(pipe, received, 100); // busy: replies are flowing
                } else {
                    received = expectEchoes(pipe, received, sent); // all answered; the backend parks
                    Thread.sleep(200);
                }
                Signals.stop(p);
                try {
                    for (int i = 0; i < perPhase; i++) {
                        p.sendMessageToBack(new MessageObject("echo", "seq", sent++));
                    }
                    // whatever it wrote before it stopped, then silence that is not an end of stream
                    while (pipe.recv(Duration.ofMillis(500)) instanceof MessageObject m) {
                        assertEquals(received++, m.getLong("seq"));
                    }
                    assertTrue(received < sent, "the stopped backend cannot have answered everything");
                    assertFalse(pipe.poll(), "a stopped backend is not an ended stream");
                    assertTrue(p.isAlive());
                    assertEquals(OptionalInt.empty(), p.exitCode());
                } finally {
                    Signals.cont(p);
                }
                received = expectEchoes(pipe, received, sent);
            }
            assertEquals(4L * perPhase, received);
            p.stop();
            assertEquals(OptionalInt.of(0), p.exitCode());
            assertNull(pipe.recv(REPLY));
        }
    }

    private static long expectEchoes(Pipe pipe, long received, long until) {
        while (received < until) {
            MessageObject m = pipe.recv(REPLY);
            assertNotNull(m, "no echo within " + REPLY + ", expected seq=" + received);
            assertEquals(received, m.getLong("seq"), "gap or reorder");
            received++;
        }
        return received;
    }
}
