package ipc.core.tutorial;

import ipc.core.MessageObject;
import ipc.core.MessageProcess;
import ipc.core.Pipe;
import ipc.core.Select;
import ipc.sync.EventGroup;
import ipc.sync.SyncIndex;
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
 * The seed tutorial's ping, ping_pong and ping2, ported line by line, with real backends.
 * Where the seed shows printed output, these tests assert the messages and events behind it.
 */
@Timeout(60)
class PingTutorialTest {

    private static final Duration REPLY = Duration.ofSeconds(20);

    /** ping: the demo pair {@code sendPing} / {@code c__ping} that every MessageProcess has. */
    static final class PingProcess extends MessageProcess {
        PingProcess(String name) {
            super(name);
        }
    }

    @Test
    void ping() {
        try (PingProcess p = new PingProcess("my-process")) {
            Pipe pipe = p.getPipe();
            p.start();
            p.sendPing(List.of("foo", "bar"));
            MessageObject pong = pipe.recv(REPLY);
            assertNotNull(pong, "no pong within " + REPLY);
            assertEquals("pong", pong.command());
            assertEquals(List.of(1, 2, 3), pong.get("lis"));
            p.stop();
            assertEquals(OptionalInt.of(0), p.exitCode());
            assertNull(pipe.recv(), "after stop the pipe is at end of stream");
        }
    }

    /** ping_pong: the backend answers through the pipe; the frontend selects on it. */
    static final class PingPongProcess extends MessageProcess {
        PingPongProcess(String name) {
            super(name);
        }

        void c__ping(String parameter) {
            logger.info("c__ping: got parameter {} - will do some", parameter);
            logger.info("c__ping: ..did that!");
            send_out__(new MessageObject("pong", "result", "pudding", "echo", parameter));
        }

        void ping(String parameter) {
            logger.info("ping: sending ping to backend");
            sendMessageToBack(new MessageObject("ping", "parameter", parameter));
        }
    }

    @Test
    void pingPong() {
        try (PingPongProcess p = new PingPongProcess("my-process")) {
            Pipe pipe = p.getPipe();
            p.start();
            p.ping("gotcha!");
            List<Pipe> ready = Select.safeSelect(List.of(pipe), REPLY);
            assertEquals(List.of(pipe), ready);
            MessageObject msg = pipe.recv();
            assertEquals("pong", msg.command());
            assertEquals("pudding", msg.get("result"));
            assertEquals("gotcha!", msg.get("echo"), "the handler got the frontend's parameter");
            p.stop();
            assertEquals(OptionalInt.of(0), p.exitCode());
        }
    }

    /** ping2: the frontend waits on an EventGroup event that the backend handler sets when done. */
    static final class SyncedProcess extends MessageProcess {
        private final EventGroup eg;

        SyncedProcess(String name) {
            super(name);
            this.eg = new EventGroup(10);
        }

        void c__ping(String parameter, int sync_index) {
            logger.info("c__ping: got parameter {} - will do some", parameter);
            sleep(Duration.ofMillis(300)); // do something time consuming
            send_out__(new MessageObject("done", "parameter", parameter));
            logger.info("c__ping: ..did that!");
            eg.set(sync_index); // tell the frontend that it's done
        }

        void ping(String parameter) {
            logger.info("ping: callin backend to do some stuff");
            try (SyncIndex sync = new SyncIndex(eg, REPLY)) {
                sendMessageToBack(new MessageObject("ping", "parameter", parameter, "sync_index", sync.index()));
            }
            logger.info("ping: backend seems to be ready");
        }

        EventGroup events() {
            return eg;
        }

        @Override
        public void close() {
            super.close();
            eg.close();
        }
    }

    @Test
    void ping2() {
        try (SyncedProcess p = new SyncedProcess("my-process")) {
            Pipe pipe = p.getPipe();
            p.start();
            assertFalse(pipe.poll(), "nothing sent yet");
            p.ping("gotcha!");
            // The event was set after the handler sent "done": the sync returned only after the work.
            assertTrue(pipe.poll(), "c__ping's message precedes the event the frontend waited for");
            assertEquals("gotcha!", pipe.recv().get("parameter"));
            assertTrue(p.events().toString().startsWith("<EventGroup: f0 f1"), p.events().toString());
            p.stop();
            assertEquals(OptionalInt.of(0), p.exitCode());
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
