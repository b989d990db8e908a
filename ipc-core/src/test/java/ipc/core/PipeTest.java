package ipc.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pipe's reading paths against a real backend: recv takes a message that is already there
 * directly and otherwise takes it in its wait condition; either way, mixed with poll and
 * safeSelect, every message arrives once and in order, and end of stream follows the last one.
 */
@Timeout(60)
class PipeTest {
    static final Duration REPLY = Duration.ofSeconds(20);

    static final class BurstProcess extends MessageProcess {
        BurstProcess(String name) {
            super(name);
        }

        /** Sends n numbered messages at once. */
        void c__burst(int n) {
            for (int i = 0; i < n; i++) {
                send_out__(new MessageObject("m", "i", i));
            }
        }

        /** Sends one message after a pause, so that the reader is waiting (spun out and parked) when it comes. */
        void c__later(int millis, int i) throws InterruptedException {
            Thread.sleep(millis);
            send_out__(new MessageObject("m", "i", i));
        }
    }

    @Test
    void everyMessageOnceAndInOrderWhateverTheReadingPath() {
        try (BurstProcess p = new BurstProcess("burst")) {
            Pipe pipe = p.getPipe();
            p.start();
            int n = 3000;
            p.sendMessageToBack(new MessageObject("burst", "n", n));
            for (int i = 0; i < n; i++) {
                MessageObject m = switch (i % 3) {
                    case 0 -> pipe.recv(REPLY);
                    case 1 -> pipe.poll(REPLY) ? pipe.recv(Duration.ZERO) : null;
                    default -> Select.safeSelect(List.of(pipe), REPLY).contains(pipe) ? pipe.recv() : null;
                };
                assertNotNull(m, "message " + i);
                assertEquals(i, m.getInt("i"), "order");
            }
            assertNull(pipe.recv(Duration.ofMillis(20)), "nothing beyond the burst");
            assertFalse(pipe.poll());
        }
    }

    @Test
    void aWaitingRecvGetsTheMessageThatArrivesAndEndOfStreamComesAfterTheLast() {
        try (BurstProcess p = new BurstProcess("later")) {
            Pipe pipe = p.getPipe();
            p.start();
            for (int i = 0; i < 3; i++) {
                p.sendMessageToBack(new MessageObject("later", "millis", 200, "i", i));
                MessageObject m = pipe.recv(REPLY);
                assertNotNull(m, "message " + i);
                assertEquals(i, m.getInt("i"));
                assertFalse(pipe.poll(), "taken in the wait, not left behind");
            }
            p.sendMessageToBack(new MessageObject("burst", "n", 2));
            p.stop();
            assertEquals(OptionalInt.of(0), p.exitCode());
            assertTrue(pipe.poll(), "sent before the stop: ready");
            assertEquals(0, pipe.recv().getInt("i"));
            assertEquals(1, pipe.recv().getInt("i"));
            assertTrue(pipe.poll(), "end of stream counts as ready");
            assertNull(pipe.recv(), "end of stream");
            assertNull(pipe.recv(REPLY), "end of stream again, at once");
        }
    }
}
