package ipc.core;

import ipc.core.channel.Channel;
import ipc.core.fork.ForkState;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import net.openhft.chronicle.core.io.AbstractCloseable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A backend closes its end of the channel (queues, tailer, appender) on every way out of
 * {@link BackendMain#run}: a clean stop, a failed rebuild, a failed preRun__. Before, it never did;
 * the JVM exit that follows hid it, except when a GC during the exit finalized the unreachable
 * queues and Chronicle's finalizer warned ({@code ClosedIllegalStateException ...
 * SingleChronicleQueue.finalize ... warnAndCloseIfNotClosed}). The backend runs here in the test's
 * JVM on a channel the test made, so Chronicle's closeable tracing sees both ends; the frontend end
 * is closed first, and whatever is still open then is the backend's.
 */
class BackendChannelCloseTest {
    private static final ForkState FORK_STATE = new ForkState(MessageProcess.class, MessageProcess.FORKED_FIELDS);

    static final class QuietProcess extends MessageProcess {
        QuietProcess(String name) {
            super(name);
        }
    }

    static final class FailingPreRunProcess extends MessageProcess {
        FailingPreRunProcess(String name) {
            super(name);
        }

        @Override
        protected void preRun__() {
            throw new IllegalStateException("on purpose");
        }
    }

    /** A fresh trace per test (ChronicleCloseablesCheck checks the class as a whole too). */
    @BeforeEach
    void trace() {
        AbstractCloseable.enableCloseableTracing();
    }

    @Test
    void aCleanStopClosesTheBackendsChannel() {
        assertEquals(0, runBackend(FORK_STATE.capture(new QuietProcess("quiet")), true));
        AbstractCloseable.assertCloseablesClosed();
    }

    @Test
    void aFailedRebuildClosesTheBackendsChannel() {
        Map<String, Object> state = Map.of(ForkState.KEY_CLASS, "ipc.core.NoSuchProcessClass", ForkState.KEY_FIELDS, Map.of());
        assertEquals(BackendMain.EXIT_START_FAILED, runBackend(state, false));
        AbstractCloseable.assertCloseablesClosed();
    }

    @Test
    void aFailedPreRunClosesTheBackendsChannel() {
        assertEquals(BackendMain.EXIT_RUN_FAILED, runBackend(FORK_STATE.capture(new FailingPreRunProcess("bad")), false));
        AbstractCloseable.assertCloseablesClosed();
    }

    /** Writes INIT (and STOP), runs the backend on this thread, closes the frontend's end; the exit code. */
    private static int runBackend(Map<String, Object> state, boolean stop) {
        try (Channel front = Channel.create()) {
            front.writer().write(new MessageObject(MessageProcess.INIT_COMMAND, "state", state, "ignoreSigint", false));
            if (stop) {
                front.writer().write(new MessageObject(MessageProcess.STOP_COMMAND));
            }
            return BackendMain.run(front.directory(), false);
        }
    }
}
