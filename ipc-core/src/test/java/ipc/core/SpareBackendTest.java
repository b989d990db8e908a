package ipc.core;

import ipc.core.launch.SpareBackend;
import ipc.core.launch.BackendLauncherTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ipc.sync.ShmDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spare backend ({@code -Dipc.spareBackend=true}): a start with the same command adopts the
 * pre-started JVM, a start with another command does not (and replaces it), a spare never
 * outlives its frontend (SIGKILLed), and nothing is left behind (processes, /dev/shm entries).
 */
class SpareBackendTest {
    /** Generous: a spare is a JVM start without the AOT cache (test class paths start with directories). */
    private static final Duration BOUND = Duration.ofSeconds(30);

    /** Answers "echo" with its pid. */
    static final class EchoProcess extends MessageProcess {
        EchoProcess(String name) {
            super(name);
        }

        void c__echo(int value) {
            send_out__(new MessageObject("echoed", "value", value, "pid", ProcessHandle.current().pid()));
        }
    }

    @BeforeEach
    void on() {
        System.setProperty(SpareBackend.PROPERTY, "true");
    }

    @AfterEach
    void off() {
        System.clearProperty(SpareBackend.PROPERTY);
        SpareBackend.stop();
    }

    @Test
    void aSecondStartWithTheSameCommandAdoptsTheSpare() {
        long spare;
        try (EchoProcess first = new EchoProcess("first")) {
            first.setJvmOptions(BackendLauncherTest.LEAN);
            first.start();
            spare = awaitSpare();
            assertNotEquals(first.pid().orElseThrow(), spare, "the spare is another JVM");
            try (EchoProcess second = new EchoProcess("second")) {
                second.setJvmOptions(BackendLauncherTest.LEAN);
                long begin = System.nanoTime();
                second.start();
                System.out.printf("start with the spare: %.1f ms%n", (System.nanoTime() - begin) / 1e6);
                assertEquals(spare, second.pid().orElseThrow(), "the second start adopted the spare");
                second.sendMessageToBack(new MessageObject("echo", "value", 7));
                MessageObject answer = second.getPipe().recv(BOUND);
                assertEquals(7, answer.getInt("value"));
                assertEquals(spare, answer.getLong("pid"), "the adopted spare serves the messages");
                second.stop();
                assertEquals(0, second.exitCode().orElseThrow(), "a clean stop, as any backend");
            }
        }
        SpareBackend.stop();
        assertTrue(ChildFrontend.awaitGone(spare, BOUND));
        assertNothingOf(spare);
    }

    @Test
    void aStartWithAnotherCommandDoesNotUseTheSpareAndReplacesIt() {
        try (EchoProcess first = new EchoProcess("first")) {
            first.setJvmOptions(BackendLauncherTest.LEAN);
            first.start();
            long spare = awaitSpare();
            try (EchoProcess other = new EchoProcess("other")) {
                other.setJvmOptions(List.of("-Xmx48m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
                other.start();
                long otherPid = other.pid().orElseThrow();
                assertNotEquals(spare, otherPid, "another command starts its own backend");
                long replacement = awaitSpare(); // installed after the old one was killed and its files removed
                assertNotEquals(spare, replacement, "a spare for the new command");
                assertTrue(ChildFrontend.awaitGone(spare, BOUND), "the spare of the old command is stopped");
                assertNothingOf(spare);
            }
        }
    }

    @Test
    void aSpareExitsWhenItsFrontendIsKilled(@TempDir Path dir) {
        long spare;
        long backend;
        try (ChildFrontend frontend = ChildFrontend.start(dir, false, List.of("-D" + SpareBackend.PROPERTY + "=true"),
                SpareFrontendMain.class)) {
            String line = frontend.awaitLine("PIDS ", BOUND);
            String[] parts = line.split(" ");
            backend = Long.parseLong(parts[2].substring("backend=".length()));
            spare = Long.parseLong(parts[3].substring("spare=".length()));
            assertTrue(ChildFrontend.isRunning(spare), "the spare runs\n" + frontend.dump());
            assertTrue(frontend.process().toHandle().destroyForcibly(), "SIGKILL the frontend");
            long killed = System.nanoTime();
            assertTrue(ChildFrontend.awaitGone(spare, BOUND), "the spare left with its frontend\n" + frontend.dump());
            System.out.printf("spare gone %.0f ms after its frontend's SIGKILL%n", (System.nanoTime() - killed) / 1e6);
            assertTrue(ChildFrontend.awaitGone(backend, BOUND), "the backend left with its frontend");
        }
        assertNothingOf(spare);
    }

    /** A frontend with one backend and its spare: prints their pids, then sleeps until killed. */
    public static final class SpareFrontendMain {
        public static void main(String[] args) throws InterruptedException {
            EchoProcess process = new EchoProcess("with-spare");
            process.setJvmOptions(BackendLauncherTest.LEAN);
            process.start();
            long spare = awaitSpare();
            // let the spare warm up and block on its stdin, the state it spends its life in
            Thread.sleep(3000);
            System.out.println("PIDS frontend=" + ProcessHandle.current().pid() + " backend="
                + process.pid().orElseThrow() + " spare=" + spare);
            Thread.sleep(Duration.ofMinutes(2));
        }
    }

    static long awaitSpare() {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (System.nanoTime() - deadline < 0) {
            OptionalLong pid = SpareBackend.pid();
            if (pid.isPresent()) {
                return pid.getAsLong();
            }
            ChildFrontend.sleep(Duration.ofMillis(10));
        }
        throw new AssertionError("no spare backend within " + BOUND);
    }

    /** No entry under the root named with this pid (its scratch channel, its bell). */
    private static void assertNothingOf(long pid) {
        try (Stream<Path> entries = Files.list(ShmDirectory.root())) {
            List<Path> left = entries.filter(e -> ShmDirectory.ownerPid(e).orElse(-1) == pid).toList();
            assertTrue(left.isEmpty(), "left behind by pid=" + pid + ": " + left);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertFalse(ChildFrontend.isRunning(pid), "pid=" + pid + " still runs");
    }
}
