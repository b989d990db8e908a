package ipc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ipc.sync.ShmDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A backend JVM that dies before it can say anything: start() reports it at once, nothing is left. */
@Timeout(60)
class StartFailureTest {

    static final class Plain extends MessageProcess {
        Plain(String name) {
            super(name);
        }
    }

    @Test
    void aBackendJvmThatCannotStartFailsStartWithItsExitCode() throws Exception {
        try (Plain p = new Plain("no-jvm")) {
            // The JVM refuses this heap size and exits 1 before main: no frame ever arrives.
            p.setJvmOptions(List.of("-Xmx1k"));
            long t0 = System.nanoTime();
            IllegalStateException e = assertThrows(IllegalStateException.class, p::start);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertTrue(e.getMessage().contains("backend exited during start"), e.getMessage());
            assertTrue(e.getMessage().contains("exitCode=1"), e.getMessage());
            // START_TIMEOUT is 60 s: far below it means the exit was noticed, not waited out.
            assertTrue(took.compareTo(Duration.ofSeconds(20)) < 0, "start() took " + took);
            assertFalse(p.isAlive());
        }
        assertTrue(channelsOfThisJvm().isEmpty(), "channel directories left: " + channelsOfThisJvm());
    }

    private static List<Path> channelsOfThisJvm() throws Exception {
        String prefix = "ch-" + ProcessHandle.current().pid() + "-";
        try (Stream<Path> entries = Files.list(ShmDirectory.root())) {
            return entries.filter(e -> e.getFileName().toString().startsWith(prefix)).toList();
        }
    }
}
