package ipc.core;

import ipc.core.launch.BackendLauncherTest;
import ipc.core.channel.Channel;
import ipc.core.channel.SelectBell;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MessageProcess's lifecycle with real backends, in every order a user may call it: before
 * start, stop twice, calls after stop and after close, close while running (clean and hung),
 * crashes (halt in a handler, SIGKILL from outside), and end of stream after a crash. Each test
 * checks that close() leaves no file of this JVM or of the backend in ShmDirectory.root().
 */
@Timeout(120)
class LifecycleTest {
    private static final Duration REPLY = Duration.ofSeconds(20);
    /** Backends here live for a second or two: small heap, C1 only (two shared cores). */
    private static final List<String> LEAN = BackendLauncherTest.LEAN;
    private static final long THIS_PID = ProcessHandle.current().pid();
    /** 128 + SIGKILL(9): what a JVM killed by SIGKILL reports. */
    private static final int KILLED = 137;

    static final class LifeProcess extends MessageProcess {
        LifeProcess(String name) {
            super(name);
        }

        void c__echo(int n) {
            send_out__(new MessageObject("echo", "n", n));
        }

        /** Sends count messages, then dies without a stop: what a crash after some output looks like. */
        void c__emitThenHalt(int count, int code) {
            for (int i = 0; i < count; i++) {
                send_out__(new MessageObject("m", "i", i));
            }
            Runtime.getRuntime().halt(code);
        }

        /** Never returns on its own: the loop cannot see a stop request. */
        void c__hang() throws InterruptedException {
            send_out__(new MessageObject("hanging"));
            Thread.sleep(Duration.ofMinutes(10));
        }
    }

    /** This JVM's entries before the test, after its one SelectBell file exists (it lives until JVM exit). */
    private Set<String> before;

    @BeforeEach
    void snapshotFiles() {
        SelectBell.frontend();
        before = ShmEntries.ownedBy(THIS_PID);
    }

    private static LifeProcess newProcess(String name) {
        LifeProcess p = new LifeProcess(name);
        p.setJvmOptions(LEAN);
        return p;
    }

    @Test
    void everyCallBeforeStartAndAfterCloseWithoutStart() {
        LifeProcess p = newProcess("never-started");
        assertFalse(p.isAlive());
        assertEquals(OptionalInt.empty(), p.exitCode());
        assertTrue(p.pid().isEmpty());
        assertMessage(assertThrows(IllegalStateException.class, p::waitStop), "waitStop before start");
        assertMessage(assertThrows(IllegalStateException.class, () -> p.waitStop(Duration.ZERO)), "before start");
        assertMessage(assertThrows(IllegalStateException.class, p::stop), "before start");
        assertMessage(assertThrows(IllegalStateException.class, () -> p.sendMessageToBack(new MessageObject("echo"))),
            "sendMessageToBack before start");
        p.requestStop(); // nothing to stop: no-op
        assertNull(p.getPipe().recv(Duration.ofMillis(10)), "no backend, no message");

        p.close();
        p.close();
        assertFalse(p.isAlive());
        assertEquals(OptionalInt.empty(), p.exitCode());
        assertMessage(assertThrows(IllegalStateException.class, p::start), "state=CLOSED");
        assertMessage(assertThrows(IllegalStateException.class, p::ignoreSIGINT), "state=CLOSED");
        assertThrows(IllegalStateException.class, () -> p.sendMessageToBack(new MessageObject("echo")));
        assertEquals(before, ShmEntries.ownedBy(THIS_PID), "a process never started creates no file");
    }

    @Test
    void stopTwiceAndEveryCallAfterStop() throws Exception {
        Set<String> channelsBefore = ShmEntries.channelsOfThisJvm();
        LifeProcess p = newProcess("stop-twice");
        p.start();
        assertTrue(p.isAlive());
        assertEquals(OptionalInt.empty(), p.exitCode(), "no exit code while it runs");
        long backendPid = p.pid().orElseThrow();
        Set<String> channels = new HashSet<>(ShmEntries.channelsOfThisJvm());
        channels.removeAll(channelsBefore);
        assertEquals(1, channels.size(), "one channel directory per process: " + channels);
        String channel = channels.iterator().next();
        assertTrue(Files.isRegularFile(ipc.sync.ShmDirectory.root().resolve(channel).resolve(Channel.CONTROL)));

        p.sendMessageToBack(new MessageObject("echo", "n", 1));
        assertFalse(p.waitStop(Duration.ZERO), "still running");
        p.requestStop();
        p.requestStop(); // idempotent
        assertMessage(assertThrows(IllegalStateException.class, () -> p.sendMessageToBack(new MessageObject("echo"))),
            "after requestStop");
        assertTrue(p.waitStop(REPLY));
        p.stop(); // second stop: returns at once
        p.waitStop();
        assertTrue(p.waitStop(Duration.ZERO));
        assertFalse(p.isAlive());
        assertEquals(OptionalInt.of(0), p.exitCode(), "a clean stop");
        assertFalse(ProcessHandle.of(backendPid).map(ProcessHandle::isAlive).orElse(false));
        assertFalse(Files.exists(ipc.sync.ShmDirectory.root().resolve(channel)), "waitStop removed the channel");

        IllegalStateException afterStop = assertThrows(IllegalStateException.class,
            () -> p.sendMessageToBack(new MessageObject("echo", "n", 2)));
        assertMessage(afterStop, "process=<LifeProcess.stop-twice>");
        assertMessage(afterStop, "command=echo");

        assertEquals(1, p.getPipe().recv(REPLY).getInt("n"), "sent before the stop: still readable");
        assertNull(p.getPipe().recv(), "then end of stream");
        p.close();
        p.close();
        p.stop(); // after close: nothing left to do, no error
        assertEquals(OptionalInt.of(0), p.exitCode());
        assertMessage(assertThrows(IllegalStateException.class, () -> p.sendMessageToBack(new MessageObject("echo"))),
            "after close");
        assertNoFilesLeft(backendPid);
    }

    @Test
    void closeWhileRunningStopsTheBackendAndKeepsWhatItSent() {
        LifeProcess p = newProcess("close-running");
        p.start();
        long backendPid = p.pid().orElseThrow();
        p.sendMessageToBack(new MessageObject("echo", "n", 7));
        p.close();
        assertFalse(p.isAlive());
        assertEquals(OptionalInt.of(0), p.exitCode(), "close asks the backend to stop; it exits cleanly");
        assertEquals(7, p.getPipe().recv(REPLY).getInt("n"), "the reply sent before close is still readable");
        assertNull(p.getPipe().recv(), "then end of stream");
        assertNoFilesLeft(backendPid);
    }

    @Test
    void closeKillsABackendThatDoesNotStopWithinTheGrace() {
        LifeProcess p = newProcess("close-hung");
        p.start();
        long backendPid = p.pid().orElseThrow();
        p.sendMessageToBack(new MessageObject("hang"));
        assertEquals("hanging", p.getPipe().recv(REPLY).command());
        long t0 = System.nanoTime();
        p.close();
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.println("close() of a hung backend took " + tookMs + " ms (grace " + Frontend.CLOSE_GRACE + ")");
        assertTrue(tookMs >= Frontend.CLOSE_GRACE.toMillis() - 50, "killed before the grace ended: " + tookMs + " ms");
        assertFalse(p.isAlive());
        assertEquals(OptionalInt.of(KILLED), p.exitCode(), "SIGKILL after the grace");
        assertNull(p.getPipe().recv(), "end of stream");
        assertNoFilesLeft(backendPid);
    }

    @Test
    void aBackendKilledFromOutsideIsSeenAsDead() {
        LifeProcess p = newProcess("sigkilled");
        p.start();
        long backendPid = p.pid().orElseThrow();
        p.sendMessageToBack(new MessageObject("echo", "n", 3));
        assertEquals(3, p.getPipe().recv(REPLY).getInt("n"));
        assertTrue(ProcessHandle.of(backendPid).orElseThrow().destroyForcibly(), "SIGKILL pid=" + backendPid);
        assertNull(p.getPipe().recv(REPLY), "end of stream");
        assertFalse(p.isAlive());
        assertEquals(OptionalInt.of(KILLED), p.exitCode());
        p.stop(); // stop after a crash: the backend is already gone, this only frees its files
        assertEquals(OptionalInt.of(KILLED), p.exitCode());
        assertMessage(assertThrows(IllegalStateException.class, () -> p.sendMessageToBack(new MessageObject("echo"))),
            "backend has exited");
        p.close();
        assertNoFilesLeft(backendPid);
    }

    static final class FailingPreRunProcess extends MessageProcess {
        FailingPreRunProcess(String name) {
            super(name);
        }

        @Override
        protected void preRun__() {
            throw new IllegalStateException("no configuration here");
        }
    }

    @Test
    void aPreRunThatThrowsEndsTheBackendWithRunFailedAndSaysWhy() {
        FailingPreRunProcess p = new FailingPreRunProcess("bad-prerun");
        p.setJvmOptions(LEAN);
        p.start(); // start returns once the object is rebuilt, before preRun__
        long backendPid = p.pid().orElseThrow();
        MessageObject error = p.getPipe().recv(REPLY);
        assertNotNull(error);
        assertEquals(MessageProcess.ERROR_COMMAND, error.command());
        assertEquals("preRun__", error.getString("command"));
        assertMessage(new IllegalStateException(error.getString("reason")), "no configuration here");
        assertNull(p.getPipe().recv(REPLY), "then end of stream");
        assertEquals(OptionalInt.of(BackendMain.EXIT_RUN_FAILED), p.exitCode());
        p.close();
        assertNoFilesLeft(backendPid);
    }

    /** Loads in the frontend, fails to load in a backend: a rebuild failure only the backend sees. */
    static final class UnloadableInBackendProcess extends MessageProcess {
        static {
            if (Boolean.getBoolean("lifecycle.test.failInBackend")) {
                throw new IllegalStateException("refuses to initialise in this JVM");
            }
        }

        UnloadableInBackendProcess(String name) {
            super(name);
        }
    }

    @Test
    void aBackendThatCannotRebuildTheObjectFailsStartAndLeavesNothing() {
        UnloadableInBackendProcess p = new UnloadableInBackendProcess("unloadable");
        List<String> options = new java.util.ArrayList<>(LEAN);
        options.add("-Dlifecycle.test.failInBackend=true");
        p.setJvmOptions(options);
        IllegalStateException e = assertThrows(IllegalStateException.class, p::start);
        assertMessage(e, "backend could not start: process=<UnloadableInBackendProcess.unloadable>");
        assertMessage(e, "refuses to initialise in this JVM");
        assertFalse(p.isAlive());
        assertEquals(before, ShmEntries.ownedBy(THIS_PID), "a failed start removes its channel");
        p.close();
    }

    /** Enough messages to take a while to read, so the backend is dead before the reader is done. */
    private static final int BURST = 2_000;

    @Test
    void endOfStreamComesAfterEveryMessageTheBackendSentWhileReadingLive() {
        LifeProcess p = newProcess("burst-live");
        p.start();
        long backendPid = p.pid().orElseThrow();
        p.sendMessageToBack(new MessageObject("emitThenHalt", "count", BURST, "code", 5));
        for (int i = 0; i < BURST; i++) {
            MessageObject m = p.getPipe().recv(REPLY);
            assertNotNull(m, "message " + i + " of " + BURST + " lost");
            assertEquals(i, m.getInt("i"));
        }
        assertNull(p.getPipe().recv(REPLY), "end of stream after the last message");
        assertTrue(p.getPipe().poll(), "end of stream counts as ready");
        assertFalse(p.isAlive());
        assertEquals(OptionalInt.of(5), p.exitCode(), "the code the handler halted with");
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> p.sendMessageToBack(new MessageObject("echo")));
        assertMessage(e, "backend has exited");
        assertMessage(e, "exitCode=5");
        p.close();
        assertEquals(OptionalInt.of(5), p.exitCode(), "close keeps the crash's exit code");
        assertNoFilesLeft(backendPid);
    }

    @Test
    void endOfStreamComesAfterEveryMessageTheBackendSentWhenReadAfterItsFilesAreGone() {
        LifeProcess p = newProcess("burst-after");
        p.start();
        long backendPid = p.pid().orElseThrow();
        p.sendMessageToBack(new MessageObject("emitThenHalt", "count", BURST, "code", 5));
        assertTrue(p.waitStop(REPLY), "the backend halted");
        p.close();
        assertNoFilesLeft(backendPid); // the messages now live only in the pipe's memory
        for (int i = 0; i < BURST; i++) {
            MessageObject m = p.getPipe().recv(Duration.ZERO);
            assertNotNull(m, "message " + i + " of " + BURST + " lost");
            assertEquals(i, m.getInt("i"));
        }
        assertNull(p.getPipe().recv(), "end of stream after the last message");
        assertEquals(OptionalInt.of(5), p.exitCode());
    }

    private void assertNoFilesLeft(long backendPid) {
        assertEquals(before, ShmEntries.ownedBy(THIS_PID), "files of this JVM left after close");
        assertEquals(Set.of(), ShmEntries.ownedBy(backendPid), "files of the backend left after close");
    }

    private static void assertMessage(Throwable e, String part) {
        assertTrue(e.getMessage().contains(part), "expected \"" + part + "\" in: " + e.getMessage());
    }
}
