package ipc.core;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backend to frontend, typed: {@code frontend__(api)} in the backend turns each call into an
 * ordinary message (command = method name, keys = parameter names); the frontend reads it with
 * {@code recv()} or has {@link Pipe#dispatch} call its own object's method of that name. An
 * unknown command fails naming it and keeps the message for the next recv(); dispatch of
 * primitives allocates nothing per message.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public class FrontendDispatchTest {
    private static final Duration REPLY = Duration.ofSeconds(20);

    public interface Events {
        void onValue(long seq, double px);

        void onText(String text);
    }

    public interface NotOneWay {
        long answer();
    }

    public static class Emitter extends MessageProcess {
        private transient Events events;

        public Emitter(String name) {
            super(name);
        }

        @Override
        protected void preRun__() {
            events = frontend__(Events.class);
        }

        void c__emit(long count) {
            for (long i = 0; i < count; i++) {
                events.onValue(i, i * 0.5);
            }
            events.onText("done " + count);
        }

        void c__say(String command) {
            send_out__(new MessageObject(command, "n", 1));
        }

        void c__tryNotOneWay() {
            try {
                frontend__(NotOneWay.class);
                send_out__(new MessageObject("accepted"));
            } catch (IllegalArgumentException e) {
                send_out__(new MessageObject("refused", "reason", e.getMessage()));
            }
        }
    }

    /** The frontend's handler: private methods, bound by name like c__ handlers. */
    static final class Listener {
        long values;
        long seqSum;
        double pxSum;
        String text;

        private void onValue(long seq, double px) {
            values++;
            seqSum += seq;
            pxSum += px;
        }

        private void onText(String text) {
            this.text = text;
        }
    }

    private Emitter process;

    @BeforeAll
    void start() {
        process = new Emitter("emitter");
        process.start();
    }

    @AfterAll
    void stop() {
        process.close();
    }

    @Test
    void recvSeesOrdinaryMessages() {
        process.sendMessageToBack(new MessageObject("emit", "count", 2));
        MessageObject first = process.getPipe().recv(REPLY);
        assertEquals("<MessageObject: onValue: {seq=0, px=0.0}>", first.toString());
        assertEquals(List.of("seq", "px"), List.copyOf(first.kwargs().keySet()));
        assertEquals(1L, process.getPipe().recv(REPLY).getLong("seq"));
        assertEquals("done 2", process.getPipe().recv(REPLY).getString("text"));
    }

    @Test
    void dispatchCallsTheHandlersMethods() {
        Listener listener = new Listener();
        process.sendMessageToBack(new MessageObject("emit", "count", 100));
        for (int i = 0; i < 101; i++) {
            assertTrue(process.getPipe().dispatch(listener, REPLY), "message " + i);
        }
        assertEquals(100, listener.values);
        assertEquals(99 * 100 / 2, listener.seqSum);
        assertEquals(99 * 100 / 2 * 0.5, listener.pxSum);
        assertEquals("done 100", listener.text);
        assertFalse(process.getPipe().dispatch(listener, Duration.ofMillis(50)), "timeout");
    }

    @Test
    void unknownCommandFailsAndKeepsTheMessage() {
        Listener listener = new Listener();
        process.sendMessageToBack(new MessageObject("say", "command", "nothingLikeIt"));
        process.sendMessageToBack(new MessageObject("emit", "count", 0));
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> process.getPipe().dispatch(listener, REPLY));
        assertTrue(e.getMessage().contains("nothingLikeIt"), e.getMessage());
        MessageObject kept = process.getPipe().recv(REPLY);
        assertEquals("nothingLikeIt", kept.command(), "the message was not lost");
        assertTrue(process.getPipe().dispatch(listener, REPLY));
        assertEquals("done 0", listener.text, "the next message in order");
        // an Object method is never called by name
        process.sendMessageToBack(new MessageObject("say", "command", "hashCode"));
        assertThrows(IllegalStateException.class, () -> process.getPipe().dispatch(listener, REPLY));
        assertEquals("hashCode", process.getPipe().recv(REPLY).command());
    }

    @Test
    void frontendProxyIsForVoidMethodsAndTheBackendOnly() {
        process.sendMessageToBack(new MessageObject("tryNotOneWay"));
        MessageObject answer = process.getPipe().recv(REPLY);
        assertEquals("refused", answer.command());
        assertTrue(answer.getString("reason").contains("answer"), answer.getString("reason"));
        assertThrows(IllegalStateException.class, () -> process.frontend__(Events.class), "in the frontend");
    }

    @Test
    void dispatchOfPrimitivesAllocatesNothingPerMessage() {
        Listener listener = new Listener();
        int perWindow = 2000;
        for (int warm = 0; warm < 15; warm++) {
            drain(listener, perWindow);
        }
        long overhead = Allocations.overhead();
        int clean = 0;
        StringBuilder windows = new StringBuilder();
        for (int w = 0; w < 10; w++) {
            process.sendMessageToBack(new MessageObject("emit", "count", perWindow));
            // the first message waits for the backend; count from the second on, all already there or flowing
            assertTrue(process.getPipe().dispatch(listener, REPLY));
            long before = Allocations.allocatedByThisThread();
            for (int i = 1; i < perWindow; i++) {
                if (!process.getPipe().dispatch(listener, REPLY)) {
                    throw new AssertionError("no message " + i);
                }
            }
            long bytes = Allocations.allocatedByThisThread() - before - overhead;
            assertTrue(process.getPipe().dispatch(listener, REPLY)); // "done"
            windows.append(bytes).append(' ');
            if (bytes == 0) {
                clean++;
            }
        }
        System.out.println("dispatch of " + (perWindow - 1) + " messages, bytes per window: " + windows);
        assertTrue(clean >= 5, "at least half the windows allocate nothing: " + windows);
    }

    private void drain(Listener listener, int count) {
        process.sendMessageToBack(new MessageObject("emit", "count", count));
        for (int i = 0; i <= count; i++) {
            assertTrue(process.getPipe().dispatch(listener, REPLY));
        }
    }

    @Test
    void dispatchAtEndOfStreamReturnsFalse() {
        try (Emitter shortLived = new Emitter("short-lived")) {
            shortLived.start();
            shortLived.sendMessageToBack(new MessageObject("emit", "count", 1));
            shortLived.stop();
            Listener listener = new Listener();
            assertTrue(shortLived.getPipe().dispatch(listener, REPLY));
            assertTrue(shortLived.getPipe().dispatch(listener, REPLY));
            assertFalse(shortLived.getPipe().dispatch(listener, REPLY), "end of stream");
            assertNull(shortLived.getPipe().recv(REPLY));
            assertNotNull(listener.text);
        }
    }
}
