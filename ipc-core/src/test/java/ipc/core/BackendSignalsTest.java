package ipc.core;

import ipc.core.launch.BackendLauncher;
import ipc.core.launch.BackendLauncherTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real JVM gets a real SIGINT (kill -INT by pid). */
class BackendSignalsTest {

    /** Long enough for the test to send the signal and look; the test kills it sooner. */
    private static final long PROBE_LIFETIME_MS = 20_000;
    /** A JVM that does not ignore SIGINT exits within tens of ms; 1 s is a wide margin. */
    private static final long SURVIVAL_CHECK_MS = 1_000;

    public static final class SigintProbeMain {
        public static void main(String[] args) throws Exception {
            if (args[1].equals("ignore")) {
                BackendSignals.ignoreSigint();
            }
            Files.createFile(Path.of(args[0]));   // ready: the disposition is set
            Thread.sleep(PROBE_LIFETIME_MS);
        }
    }

    @Test
    void aBackendThatIgnoresSigintSurvivesIt(@TempDir Path dir) throws Exception {
        Process probe = startProbe(dir, "ignore");
        try {
            sendSigint(probe.pid());

            assertFalse(probe.waitFor(SURVIVAL_CHECK_MS, TimeUnit.MILLISECONDS), "SIGINT ended the backend");
        } finally {
            probe.destroyForcibly();
            probe.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void withoutItSigintEndsTheJvm(@TempDir Path dir) throws Exception {
        Process probe = startProbe(dir, "default");
        try {
            sendSigint(probe.pid());

            assertTrue(probe.waitFor(10, TimeUnit.SECONDS), "SIGINT did not end the JVM");
            assertEquals(130, probe.exitValue(), "128 + SIGINT(2)");
        } finally {
            probe.destroyForcibly();
        }
    }

    private static Process startProbe(Path dir, String mode) throws Exception {
        Path ready = dir.resolve("ready");
        Process probe = BackendLauncher.forThisJvm(SigintProbeMain.class.getName(), BackendLauncherTest.LEAN)
            .start(List.of(ready.toString(), mode), dir).process();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.exists(ready)) {
            assertTrue(probe.isAlive(), () -> "probe exited early: exitValue=" + probe.exitValue());
            assertTrue(System.nanoTime() < deadline, "probe not ready within 30 s");
            Thread.sleep(10);
        }
        return probe;
    }

    private static void sendSigint(long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -INT " + pid);
    }
}
