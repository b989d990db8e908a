package ipc.core;

import ipc.core.launch.BackendLauncher;
import ipc.core.launch.BackendLauncherTest;
import ipc.core.dispatch.Dispatcher;
import ipc.core.fork.ForkState;
import ipc.core.frame.FrameCodec;
import ipc.core.frame.FrameReader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ipc.sync.EventGroup;
import ipc.sync.SharedEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pieces together across two JVMs: state captured here, carried as one frame in a file,
 * rebuilt in a JVM the launcher starts, whose handler then runs from a frame.
 */
class ForkAcrossJvmTest {

    /** Stands in for MessageProcess. */
    static class Boundary {
        protected Duration timeout = Duration.ofSeconds(1);
    }

    /** A user's process whose constructor must not run twice: it creates a file with CREATE_NEW. */
    static class Worker extends Boundary {
        private final Path marker;
        private final Map<String, List<Integer>> table;
        private final EventGroup events;
        private String greeting;

        Worker(Path marker, String greeting, EventGroup events) {
            try {
                this.marker = Files.createFile(marker);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            this.table = Map.of("primes", List.of(2, 3, 5));
            this.greeting = greeting;
            this.events = events;
        }

        void c__report(String to, int n, int done) throws IOException {
            Files.writeString(Path.of(to), greeting + " n=" + n + " table=" + table + " timeout=" + timeout
                + " marker=" + marker.getFileName());
            events.set(done);
        }
    }

    static final ForkState FORK = new ForkState(Boundary.class, List.of("timeout"));

    /** The backend: rebuilds the Worker from the state file, then dispatches the command frame. */
    public static final class BackendMain {
        public static void main(String[] args) throws IOException {
            MessageObject state = FrameCodec.decode(Files.readAllBytes(Path.of(args[0])));
            Object worker = FORK.restore(state.kwargs(), BackendMain.class.getClassLoader());
            byte[] command = Files.readAllBytes(Path.of(args[1]));
            new Dispatcher(worker).dispatch(new FrameReader().wrap(MemorySegment.ofArray(command)));
        }
    }

    @Test
    void aBackendJvmRebuildsTheObjectWithoutItsConstructorAndRunsAHandler(@TempDir Path dir) throws Exception {
        try (EventGroup events = new EventGroup(2)) {
            Worker worker = new Worker(dir.resolve("marker"), "hello", events);
            worker.greeting = "changed after construction";
            worker.timeout = Duration.ofMillis(5);
            Path stateFile = Files.write(dir.resolve("state.frame"),
                FrameCodec.encode(new MessageObject("fork-state", FORK.capture(worker))));
            SharedEvent done = events.reserve();
            Path report = dir.resolve("report.txt");
            Path commandFile = Files.write(dir.resolve("command.frame"), FrameCodec.encode(
                new MessageObject("report", "to", report.toString(), "n", 42, "done", done.index())));

            Process backend = BackendLauncher.forThisJvm(BackendMain.class.getName(), BackendLauncherTest.LEAN)
                .start(List.of(stateFile.toString(), commandFile.toString()), dir).process();

            assertTrue(done.await(Duration.ofSeconds(30)), "the backend's set() on the re-opened group did not arrive");
            assertTrue(backend.waitFor(30, TimeUnit.SECONDS), "backend did not exit");
            assertEquals(0, backend.exitValue(), "the backend failed (a second constructor run would throw"
                + " FileAlreadyExistsException); see its stderr above");
            assertEquals("changed after construction n=42 table={primes=[2, 3, 5]} timeout=PT0.005S marker=marker",
                Files.readString(report));
            events.release(done);
        }
    }
}
