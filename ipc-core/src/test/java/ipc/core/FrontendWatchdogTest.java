package ipc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        Thread watchdog = FrontendWatchdog.start(frontend.pid(), Duration.ofMillis(20), gone::countDown);
        try {
            assertFalse(gone.await(200, TimeUnit.MILLISECONDS), "fired while the frontend was alive");

            frontend.destroyForcibly();
            assertTrue(gone.await(5, TimeUnit.SECONDS), "did not notice the frontend's death");
            watchdog.join(5_000);
            assertFalse(watchdog.isAlive());
            assertTrue(watchdog.isDaemon());
        } finally {
            frontend.destroyForcibly();
            watchdog.interrupt();
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
            // The watchdog polls every 200 ms and exits at once (~200-300 ms on a quiet machine);
            // the bound only catches a watchdog that does not fire: a loaded 2-core machine has
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
