package ipc.core;

import ipc.core.launch.BackendLauncher;
import ipc.core.launch.BackendLauncherTest;
import ipc.core.launch.FrontendWatchdog;
import ipc.core.launch.ProcessExitWait;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrontendWatchdogTest {

    /** A stand-in frontend: any process we can kill by pid; `sleep` is the cheapest. */
    private static Process fakeFrontend() throws Exception {
        return new ProcessBuilder("sleep", "60").start();
    }

    @Test
    void callsBackOnceTheWatchedProcessDiesAndNotBefore() throws Exception {
        Process frontend = fakeFrontend();
        CountDownLatch gone = new CountDownLatch(1);
        FrontendWatchdog.Watch watchdog = FrontendWatchdog.start(frontend.pid(), Duration.ofMillis(20), gone::countDown);
        try {
            assertFalse(gone.await(200, TimeUnit.MILLISECONDS), "fired while the frontend was alive");

            frontend.destroyForcibly();
            assertTrue(gone.await(5, TimeUnit.SECONDS), "did not notice the frontend's death");
            watchdog.thread().join(5_000);
            assertFalse(watchdog.thread().isAlive());
            assertTrue(watchdog.thread().isDaemon());
        } finally {
            frontend.destroyForcibly();
            watchdog.stop();
        }
    }

    @Test
    void aFrontendAlreadyGoneIsSeenAtOnce() throws Exception {
        Process frontend = fakeFrontend();
        frontend.destroyForcibly();
        frontend.waitFor();
        CountDownLatch gone = new CountDownLatch(1);

        FrontendWatchdog.start(frontend.pid(), Duration.ofHours(1), gone::countDown);

        assertTrue(gone.await(5, TimeUnit.SECONDS));
    }

    /**
     * The watch takes no CPU while the frontend lives: on Linux its thread sleeps in one poll(2)
     * on a pidfd and is never scheduled (the polling fallback, with its 200 ms period, woke 5 times
     * a second). Counted by the kernel: the thread's context switches over a second.
     */
    @Test
    void aWatchOnALiveFrontendNeverWakes() throws Exception {
        assumeTrue(ProcessExitWait.unavailableReason() == null, ProcessExitWait.unavailableReason());
        Process frontend = fakeFrontend();
        CountDownLatch gone = new CountDownLatch(1);
        FrontendWatchdog.Watch watchdog = FrontendWatchdog.start(frontend.pid(), FrontendWatchdog.PERIOD, gone::countDown);
        try {
            assertTrue(watchdog.blocking(), "pidfds are available here, yet the watch polls");
            Path status = threadStatus("ipc-frontend-watchdog-" + frontend.pid());
            Thread.sleep(100); // let it reach its poll
            long before = switches(status);
            Thread.sleep(1_000);
            long after = switches(status);
            assertEquals(before, after, "the watch thread was scheduled while its frontend lived");
            assertEquals(1, gone.getCount());
        } finally {
            watchdog.stop();
            watchdog.thread().join(5_000);
            frontend.destroyForcibly();
        }
        assertFalse(watchdog.thread().isAlive(), "stop() did not end the watch");
        assertEquals(1, gone.getCount(), "a stopped watch ran its callback");
    }

    @Test
    void aStoppedWatchNeverCallsBackEvenWhenTheFrontendDiesLater() throws Exception {
        Process frontend = fakeFrontend();
        CountDownLatch gone = new CountDownLatch(1);
        FrontendWatchdog.Watch watchdog = FrontendWatchdog.start(frontend.pid(), Duration.ofMillis(20), gone::countDown);
        watchdog.stop();
        watchdog.stop(); // idempotent
        frontend.destroyForcibly();
        frontend.waitFor();
        watchdog.thread().join(5_000);
        assertFalse(watchdog.thread().isAlive());
        assertFalse(gone.await(300, TimeUnit.MILLISECONDS), "a stopped watch ran its callback");
    }

    /** /proc/self/task/<tid>/status of this JVM's thread named {@code name} (its 15-character comm). */
    private static Path threadStatus(String name) throws Exception {
        String comm = name.length() > 15 ? name.substring(0, 15) : name;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    try {
                        if (Files.readString(task.resolve("comm")).strip().equals(comm)) {
                            return task.resolve("status");
                        }
                    } catch (java.io.IOException e) {
                        // a thread that ended meanwhile
                    }
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no thread named " + comm);
    }

    private static long switches(Path status) throws Exception {
        long total = 0;
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                total += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        return total;
    }

    public static final class WatchedBackendMain {
        public static void main(String[] args) throws Exception {
            FrontendWatchdog.exitWhenGone(Long.parseLong(args[0]));
            if (args.length > 2 && args[2].equals("stuck-hook")) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            Files.createFile(Path.of(args[1]));
            Thread.sleep(60_000);
        }
    }

    @Test
    void aRealBackendExitsWithinASecondOfItsFrontendsSigkill(@TempDir Path dir) throws Exception {
        assertBackendExitsWithinASecond(dir, "no-hook");
    }

    @Test
    void aShutdownHookThatHangsDoesNotKeepTheBackendAlive(@TempDir Path dir) throws Exception {
        assertBackendExitsWithinASecond(dir, "stuck-hook");
    }

    private static void assertBackendExitsWithinASecond(Path dir, String hook) throws Exception {
        Process frontend = fakeFrontend();
        Path ready = dir.resolve("ready");
        Process backend = BackendLauncher.forThisJvm(WatchedBackendMain.class.getName(), BackendLauncherTest.LEAN)
            .start(List.of(Long.toString(frontend.pid()), ready.toString(), hook), dir).process();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(ready)) {
                assertTrue(backend.isAlive(), "backend exited early");
                assertTrue(System.nanoTime() < deadline, "backend not ready within 30 s");
                Thread.sleep(10);
            }

            frontend.destroyForcibly();   // SIGKILL
            frontend.waitFor();
            long killedAt = System.nanoTime();
            assertTrue(backend.waitFor(5, TimeUnit.SECONDS), "backend outlived its frontend");
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);

            assertEquals(FrontendWatchdog.EXIT_FRONTEND_GONE, backend.exitValue());
            // The watchdog wakes at the frontend's exit (pidfd) and exits at once; the bound only catches a watchdog that does not fire: a loaded 2-core machine has
            // been seen to take 1.5 s to schedule the exit.
            System.out.println("FrontendWatchdogTest: backend exited " + tookMs + " ms after its frontend's SIGKILL (" + hook + ")");
            assertTrue(tookMs < 5_000, "backend exit took tookMs=" + tookMs);
        } finally {
            frontend.destroyForcibly();
            backend.destroyForcibly();
            backend.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
