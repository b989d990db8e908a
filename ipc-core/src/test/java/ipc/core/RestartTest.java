package ipc.core;

import ipc.core.channel.Channel;
import ipc.core.channel.ChannelDescriptor;
import ipc.core.tool.LiveProcess;

import ipc.sync.PeerGoneException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Supervised restart ({@link MessageProcess#setRestart}) with real processes: a backend that dies
 * mid-stream is started again and resumes at the message it died in, so every message is
 * handled and none that finished twice, checked message by message in a ledger that outlives
 * the backends (a shared segment); kills until the policy is used up; a requested stop and
 * close() never restart; the message that kills the backend twice in a row is skipped and comes
 * back as an "error"; typed calls in flight end with PeerGoneException and are not run again,
 * later ones reach the new backend.
 */
@Timeout(180)
public class RestartTest extends ShmLeakCheck {
    static final Duration REPLY = Duration.ofSeconds(30);
    static final RestartPolicy QUICK = RestartPolicy.backoff(3, Duration.ZERO, Duration.ofMillis(10));

    /**
     * Handles {@code work(seq)}: counts the start and the end of each handler in a ledger of the
     * shared segment (int per message, two arrays), and acknowledges on the pipe. It dies
     * ({@code halt(1)}) inside the handler, after the start was counted, at each message named
     * in the segment's die-at slots, once per slot.
     */
    static final class Worker extends MessageProcess implements Calls {
        static final int MESSAGES = 400;
        private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
        private static final long STARTED = 0;
        private static final long FINISHED = STARTED + 4L * MESSAGES;
        private static final long DIE_AT = FINISHED + 4L * MESSAGES;
        private static final int DIE_SLOTS = 4;
        private static final long CALLS = DIE_AT + 4L * DIE_SLOTS;
        private final SharedMemory ledger;
        private final String tag;

        Worker(String name, String tag) {
            super(name);
            this.tag = tag;
            ledger = SharedMemory.create("restart-" + ProcessHandle.current().pid() + "-" + name, CALLS + 8);
            for (int i = 0; i < DIE_SLOTS; i++) {
                INT.setRelease(ledger.segment(), DIE_AT + 4L * i, -1);
            }
        }

        void dieAt(int slot, int seq) {
            INT.setRelease(ledger.segment(), DIE_AT + 4L * slot, seq);
        }

        int started(int seq) {
            return (int) INT.getAcquire(ledger.segment(), STARTED + 4L * seq);
        }

        int finished(int seq) {
            return (int) INT.getAcquire(ledger.segment(), FINISHED + 4L * seq);
        }

        int calls() {
            return (int) INT.getAcquire(ledger.segment(), CALLS);
        }

        void c__work(int seq) {
            MemorySegment s = ledger.segment();
            INT.getAndAdd(s, STARTED + 4L * seq, 1);
            for (int i = 0; i < DIE_SLOTS; i++) {
                if (INT.compareAndSet(s, DIE_AT + 4L * i, seq, -1)) {
                    Runtime.getRuntime().halt(1);
                }
            }
            INT.getAndAdd(s, FINISHED + 4L * seq, 1);
            send_out__(new MessageObject("ack", "seq", seq, "tag", tag));
        }

        void c__poison() {
            Runtime.getRuntime().halt(7);
        }

        @Override
        public long add(long a, long b) {
            return a + b;
        }

        @Override
        public long dieInCall() {
            INT.getAndAdd(ledger.segment(), CALLS, 1);
            Runtime.getRuntime().halt(3);
            return 0;
        }

        @Override
        public void close() {
            super.close();
            ledger.close();
        }
    }

    public interface Calls {
        long add(long a, long b);

        long dieInCall();
    }

    private static Worker worker(String name, RestartPolicy policy) {
        Worker w = FaultTest.lean(new Worker(name, "t-" + name));
        w.setRestart(policy);
        return w;
    }

    private static MessageObject next(Pipe pipe) {
        MessageObject m = pipe.recv(REPLY);
        assertNotNull(m, "no message within " + REPLY);
        return m;
    }

    private static void expectRestarted(MessageObject m, int attempt, int exit) {
        assertEquals(MessageProcess.RESTARTED_COMMAND, m.command(), "expected restarted, got " + m);
        assertEquals(attempt, m.getInt("attempt"));
        assertEquals(exit, m.getInt("exit"));
    }

    /**
     * Deaths inside the handlers of messages 100 and 250 of 400 sent at once: the pipe gets every
     * ack exactly once and in order, with a "restarted" message (attempt, exit 1) just before the
     * ack of the message each backend died in; the ledger shows every message finished exactly
     * once and started twice only where a backend died. The state captured at start() (the tag)
     * survives the restarts.
     */
    @Test
    void deathsMidStreamLoseNothingAndRepeatNothingThatFinished() {
        try (Worker w = worker("stream", QUICK)) {
            w.dieAt(0, 100);
            w.dieAt(1, 250);
            Pipe pipe = w.getPipe();
            w.start();
            for (int seq = 0; seq < Worker.MESSAGES; seq++) {
                w.sendMessageToBack(new MessageObject("work", "seq", seq));
            }
            int attempt = 0;
            for (int seq = 0; seq < Worker.MESSAGES; seq++) {
                MessageObject m = next(pipe);
                if (seq == 100 || seq == 250) {
                    expectRestarted(m, ++attempt, 1);
                    m = next(pipe);
                }
                assertEquals("ack", m.command(), m.toString());
                assertEquals(seq, m.getInt("seq"), m.toString());
                assertEquals("t-stream", m.getString("tag"));
            }
            assertEquals(2, w.restarts());
            assertTrue(w.isAlive());
            for (int seq = 0; seq < Worker.MESSAGES; seq++) {
                assertEquals(1, w.finished(seq), "finished count of message " + seq);
                assertEquals(seq == 100 || seq == 250 ? 2 : 1, w.started(seq), "started count of message " + seq);
            }
            w.stop();
            assertEquals(OptionalInt.of(0), w.exitCode());
            assertNull(pipe.recv(REPLY), "end of stream after the stop");
            assertEquals(2, w.restarts());
        }
    }

    /**
     * SIGKILL from outside while the backend waits between messages: it is restarted, handles
     * nothing twice (the last message had finished), and the next message goes to the new backend.
     * The third kill uses up a policy of two restarts: end of stream and exit code 137, as without
     * supervision.
     */
    @Test
    void killsUntilThePolicyIsUsedUpThenEndOfStream() throws Exception {
        try (Worker w = worker("kills", RestartPolicy.backoff(2, Duration.ofMillis(20), Duration.ofMillis(40)))) {
            Pipe pipe = w.getPipe();
            w.start();
            int seq = 0;
            for (int kill = 1; kill <= 3; kill++) {
                w.sendMessageToBack(new MessageObject("work", "seq", seq));
                assertEquals(seq, next(pipe).getInt("seq"));
                seq++;
                awaitBetweenFrames(w); // the ack comes from inside the handler: kill only once it has returned
                long pid = w.pid().orElseThrow();
                ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
                handle.destroyForcibly();
                handle.onExit().get();
                if (kill <= 2) {
                    expectRestarted(next(pipe), kill, 137);
                    assertEquals(kill, w.restarts());
                    assertTrue(w.pid().orElseThrow() != pid, "a new backend");
                }
            }
            assertNull(pipe.recv(REPLY), "end of stream once the policy is used up");
            assertEquals(OptionalInt.of(137), w.exitCode());
            assertFalse(w.isAlive());
            assertEquals(2, w.restarts());
            for (int i = 0; i < seq; i++) {
                assertEquals(1, w.started(i), "message " + i + " handled once");
            }
            assertThrows(IllegalStateException.class, () -> w.sendMessageToBack(new MessageObject("work", "seq", 0)));
        }
    }

    /**
     * Waits until the backend has returned from its last handler (its progress words in the
     * control segment are equal): a kill between a handler's last send_out__ and its return runs
     * that message again, by design, which a test that kills right after an ack would hit now and then.
     */
    static void awaitBetweenFrames(MessageProcess p) throws InterruptedException {
        LiveProcess live = LiveProcess.find(p.toString());
        assertNotNull(live, "not listed: " + p);
        try (ipc.sync.SharedMapping control = ipc.sync.SharedMapping.open(live.directory().resolve(Channel.CONTROL))) {
            long deadline = System.nanoTime() + REPLY.toNanos();
            while (ChannelDescriptor.counterAcquire(control.segment(), ChannelDescriptor.F2B_RUNNING_OFFSET)
                != ChannelDescriptor.counterAcquire(control.segment(), ChannelDescriptor.F2B_DONE_OFFSET)) {
                assertTrue(System.nanoTime() < deadline, "the backend's handler did not return");
                Thread.sleep(1);
            }
        }
    }

    /** A requested stop is not a death: exit 0, no restart, end of stream. */
    @Test
    void aRequestedStopNeverRestarts() {
        try (Worker w = worker("stop", QUICK)) {
            Pipe pipe = w.getPipe();
            w.start();
            w.sendMessageToBack(new MessageObject("work", "seq", 0));
            w.stop();
            assertEquals(OptionalInt.of(0), w.exitCode());
            assertEquals(0, next(pipe).getInt("seq"));
            assertNull(pipe.recv(REPLY));
            assertEquals(0, w.restarts());
        }
    }

    /**
     * close() during a restart's delay: no backend is started, close() returns at once, and the
     * channel's files are gone ({@link ShmLeakCheck}).
     */
    @Test
    void closeDuringTheDelayStartsNoBackend() throws Exception {
        Worker w = worker("close", RestartPolicy.backoff(3, Duration.ofSeconds(60), Duration.ofSeconds(60)));
        try {
            w.start();
            ProcessHandle handle = ProcessHandle.of(w.pid().orElseThrow()).orElseThrow();
            handle.destroyForcibly();
            handle.onExit().get();
            long begin = System.nanoTime();
            w.close();
            long millis = (System.nanoTime() - begin) / 1_000_000;
            assertTrue(millis < 10_000, "close() took " + millis + " ms");
            assertEquals(0, w.restarts());
            assertFalse(w.isAlive());
        } finally {
            w.close();
        }
    }

    /**
     * The poison rule: a message whose handler kills the backend twice in a row is skipped the
     * second time and comes back as an "error" message naming its command; the backend moves on
     * to the next message.
     */
    @Test
    void aMessageThatKillsTheBackendTwiceIsSkippedAndReported() {
        try (Worker w = worker("poison", QUICK)) {
            Pipe pipe = w.getPipe();
            w.start();
            w.sendMessageToBack(new MessageObject("work", "seq", 0));
            w.sendMessageToBack(new MessageObject("poison"));
            w.sendMessageToBack(new MessageObject("work", "seq", 1));
            assertEquals(0, next(pipe).getInt("seq"));
            expectRestarted(next(pipe), 1, 7);
            expectRestarted(next(pipe), 2, 7);
            MessageObject error = next(pipe);
            assertEquals(MessageProcess.ERROR_COMMAND, error.command(), error.toString());
            assertEquals("poison", error.getString("command"), error.toString());
            assertTrue(error.getString("reason").contains("twice"), error.toString());
            assertEquals(1, next(pipe).getInt("seq"));
            assertEquals(2, w.restarts());
            assertEquals(1, w.started(0));
            assertEquals(1, w.started(1));
        }
    }

    /**
     * A typed call whose backend dies in it ends with PeerGoneException and is not run again by
     * the restarted backend (its caller has been told it failed); the next call waits for the new
     * backend and gets its answer.
     */
    @Test
    void aTypedCallInFlightGetsPeerGoneAndTheNextGoesToTheNewBackend() {
        try (Worker w = worker("typed", QUICK)) {
            Pipe pipe = w.getPipe();
            w.start();
            Calls calls = w.remote(Calls.class, REPLY);
            assertEquals(3, calls.add(1, 2));
            PeerGoneException gone = assertThrows(PeerGoneException.class, calls::dieInCall);
            assertTrue(gone.getMessage().contains("exitCode=3"), gone.getMessage());
            assertEquals(42, calls.add(40, 2));
            expectRestarted(next(pipe), 1, 3);
            assertEquals(1, w.calls(), "the call the backend died in ran once");
            assertEquals(1, w.restarts());
        }
    }

    /** setRestart only before start; a policy checks its arguments. */
    @Test
    void policyArgumentsAndTimingAreChecked() {
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
            () -> RestartPolicy.backoff(-1, Duration.ZERO, Duration.ZERO));
        assertTrue(negative.getMessage().contains("maxRestarts"), negative.getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> RestartPolicy.backoff(1, Duration.ofMillis(-1), Duration.ZERO));
        IllegalArgumentException order = assertThrows(IllegalArgumentException.class,
            () -> RestartPolicy.backoff(1, Duration.ofSeconds(2), Duration.ofSeconds(1)));
        assertTrue(order.getMessage().contains("max"), order.getMessage());
        RestartPolicy p = RestartPolicy.backoff(5, Duration.ofMillis(100), Duration.ofMillis(350));
        List<Long> delays = new ArrayList<>();
        for (int attempt = 1; attempt <= 5; attempt++) {
            delays.add(p.delayBefore(attempt).toMillis());
        }
        assertEquals(List.of(100L, 200L, 350L, 350L, 350L), delays);
        assertEquals(0, RestartPolicy.never().maxRestarts());
        try (Worker w = new Worker("late", "x")) {
            w.close();
            assertThrows(IllegalStateException.class, () -> w.setRestart(QUICK));
        }
    }
}
