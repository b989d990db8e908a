package ipc.core.channel.chronicle;

import ipc.core.launch.BackendLauncherTest;
import ipc.core.ChildFrontend;
import ipc.core.MessageObject;
import ipc.core.MessageProcess;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ChronicleDefaults}, seen from outside a frontend JVM with slf4j-simple bound (a test
 * dependency) at its default INFO level, outside JUnit (Chronicle keeps some INFO lines to itself
 * when it finds JUnit on a stack): nothing of {@code net.openhft} is printed, and neither side runs
 * Chronicle's disk-space monitor thread; the user's own setting still wins.
 */
@Timeout(120)
class ChronicleDefaultsTest {
    private static final Duration RUN = Duration.ofSeconds(60);

    /** The thread chronicle-threads' DiskSpaceMonitor runs (DiskSpaceMonitor.DISK_SPACE_CHECKER_NAME). */
    static final String DISK_MONITOR_THREAD = "disk~space~checker";

    static boolean diskMonitorRuns() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().contains(DISK_MONITOR_THREAD));
    }

    static final class ThreadsProcess extends MessageProcess {
        ThreadsProcess(String name) {
            super(name);
        }

        void c__threads() {
            send_out__(new MessageObject("threads", "diskMonitor", diskMonitorRuns()));
        }
    }

    /** Starts one backend, asks it about its threads, prints both answers, stops it. */
    public static final class QuietMain {
        public static void main(String[] args) {
            try (ThreadsProcess p = new ThreadsProcess("quiet")) {
                p.setJvmOptions(BackendLauncherTest.LEAN);
                p.start();
                p.sendMessageToBack(new MessageObject("threads"));
                MessageObject reply = p.getPipe().recv(RUN);
                p.stop();
                System.out.println("backendDiskMonitor=" + (reply == null ? null : reply.get("diskMonitor"))
                    + " frontendDiskMonitor=" + diskMonitorRuns() + " exitCode=" + p.exitCode().orElse(-1));
            }
        }
    }

    @Test
    void noChronicleInfoLinesAndNoDiskMonitorThreadOnEitherSide(@TempDir Path dir) {
        try (ChildFrontend frontend = ChildFrontend.start(dir, false, List.of(), QuietMain.class)) {
            assertEquals(0, frontend.waitFor(RUN), frontend.dump());
            String all = frontend.stdout() + frontend.stderr();
            assertTrue(frontend.stdout().contains("backendDiskMonitor=false frontendDiskMonitor=false exitCode=0"),
                frontend.dump());
            assertFalse(all.contains("net.openhft"), "a dependency's line reached the user\n" + frontend.dump());
            assertFalse(all.contains("Chronicle core loaded"), frontend.dump());
        }
    }

    @Test
    void theUsersOwnSettingsWin(@TempDir Path dir) {
        List<String> user = List.of("-Dorg.slf4j.simpleLogger.log.net.openhft=info",
            "-Dchronicle.disk.monitor.disable=false");
        try (ChildFrontend frontend = ChildFrontend.start(dir, false, user, QuietMain.class)) {
            assertEquals(0, frontend.waitFor(RUN), frontend.dump());
            assertTrue(frontend.stderr().contains("INFO net.openhft.chronicle.core.Jvm - Chronicle core loaded from"),
                "-Dorg.slf4j.simpleLogger.log.net.openhft=info shows Chronicle's lines again\n" + frontend.dump());
            assertTrue(frontend.stdout().contains("frontendDiskMonitor=true"), frontend.dump());
        }
    }
}
