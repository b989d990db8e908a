package ipc.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import static ipc.core.FaultTest.HANG;
import static ipc.core.FaultTest.REPLY;
import static ipc.core.FaultTest.lean;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults around a backend's start and stop, with real backends: a postRun__ that throws, an
 * object the backend cannot rebuild (a field whose codec fails there), a backend killed while
 * start() waits for it, one that never finishes postRun__, and the SharedMemory a dead backend
 * created. (preRun__ that throws, close() of a hung backend: LifecycleTest.) Each ends with a
 * clear report (an error message and exit code, or an exception from start()), never a hang, and
 * with no file of the process left (no shm entry: {@link ShmLeakCheck}). Signals during the run:
 * {@link FaultTest}.
 */
@Timeout(120)
class StartStopFaultTest extends ShmLeakCheck {
    // ------------------------------------------------------------------ lifecycle hooks that throw

    static final class PostRunFailsProcess extends MessageProcess {
        PostRunFailsProcess(String name) {
            super(name);
        }

        void c__echo(long seq) {
            send_out__(new MessageObject("echo", "seq", seq));
        }

        @Override
        protected void postRun__() {
            throw new UnsupportedOperationException("flush failed");
        }
    }

    /** postRun__ throws: what was sent before stays readable, then the error, end of stream, exit 3. */
    @Test
    void postRunThatThrowsIsReportedAfterTheRepliesWithExitCode3() {
        try (PostRunFailsProcess p = lean(new PostRunFailsProcess("postrun"))) {
            Pipe pipe = p.getPipe();
            p.start();
            p.sendMessageToBack(new MessageObject("echo", "seq", 7));
            p.stop();
            assertEquals(7L, pipe.recv(REPLY).getLong("seq"));
            MessageObject error = pipe.recv(REPLY);
            assertEquals("postRun__", error.getString("command"), error.toString());
            assertTrue(error.getString("reason").contains("flush failed"), error.toString());
            assertNull(pipe.recv(HANG));
            assertEquals(OptionalInt.of(BackendMain.EXIT_RUN_FAILED), p.exitCode());
        }
    }

    // ------------------------------------------------------------------ backend cannot rebuild

    /** A segment the frontend holds but has unlinked: the backend cannot open it by name. */
    static final class UnlinkedSegmentProcess extends MessageProcess {
        private final SharedMemory shared;

        UnlinkedSegmentProcess(String name, String shmName) {
            super(name);
            shared = SharedMemory.create(shmName, 64);
            shared.unlink();
        }

        @Override
        public void close() {
            super.close();
            shared.close();
        }
    }

    /** A record whose canonical constructor accepts only the JVM it was made in. */
    record PinnedToPid(long pid) {
        PinnedToPid {
            if (pid != ProcessHandle.current().pid()) {
                throw new IllegalArgumentException("made in another process: pid=" + pid);
            }
        }
    }

    static final class PinnedProcess extends MessageProcess {
        private final PinnedToPid pinned = new PinnedToPid(ProcessHandle.current().pid());

        PinnedProcess(String name) {
            super(name);
        }
    }

    /**
     * A field that the frontend captures but the backend cannot rebuild: start() throws naming
     * the field and the cause, no backend is left running, no file is left.
     */
    @Test
    void aBackendThatCannotRebuildMakesStartThrowWithTheReason() {
        String shmName = "fault-unlinked-" + ProcessHandle.current().pid() + "-1";
        long children = ProcessHandle.current().children().count();
        try (UnlinkedSegmentProcess p = lean(new UnlinkedSegmentProcess("unlinked", shmName))) {
            long t0 = System.nanoTime();
            IllegalStateException e = assertThrows(IllegalStateException.class, p::start);
            System.out.printf("rebuild failure reported by start() after %d ms: %s%n", Signals.millisSince(t0),
                e.getMessage());
            assertTrue(e.getMessage().contains("backend could not start"), e.getMessage());
            assertTrue(e.getMessage().contains("shared"), "names the field: " + e.getMessage());
            assertTrue(e.getMessage().contains("no shared memory of that name: name=" + shmName), e.getMessage());
            assertFalse(p.isAlive());
        }
        try (PinnedProcess p = lean(new PinnedProcess("pinned"))) {
            IllegalStateException e = assertThrows(IllegalStateException.class, p::start);
            assertTrue(e.getMessage().contains("pinned"), "names the field: " + e.getMessage());
            assertTrue(e.getMessage().contains("made in another process"), e.getMessage());
            assertFalse(p.isAlive());
        }
        assertEquals(children, ProcessHandle.current().children().count(), "no backend left running");
    }

    /** A backend whose postRun__ never returns. */
    static final class HangingStopProcess extends MessageProcess {
        HangingStopProcess(String name) {
            super(name);
        }

        @Override
        protected void postRun__() {
            send_out__(new MessageObject("postRun"));
            while (true) {
                LockSupport.park();
            }
        }
    }

    /**
     * stop() waits for a backend stuck in postRun__ until it is SIGKILLed, then returns with the
     * exit code 137 and the stream ended. (close() on such a backend kills it after its grace:
     * LifecycleTest.closeKillsABackendThatDoesNotStopWithinTheGrace.)
     */
    @Test
    void stopReturnsWhenABackendHungInPostRunIsKilled() {
        try (HangingStopProcess p = lean(new HangingStopProcess("hung-stop"))) {
            p.start();
            AtomicReference<Throwable> stopped = new AtomicReference<>(new AssertionError("stop() still running"));
            Thread stopper = Thread.ofPlatform().name("stopper").start(() -> {
                try {
                    p.stop();
                    stopped.set(null);
                } catch (Throwable t) {
                    stopped.set(t);
                }
            });
            assertEquals("postRun", p.getPipe().recv(REPLY).command());
            LockSupportSleep.micros(200_000);
            assertTrue(stopper.isAlive(), "stop() waits for the backend");
            Signals.kill(p);
            Signals.joinOrFail(stopper, HANG, "stop()");
            assertNull(stopped.get());
            assertEquals(OptionalInt.of(Signals.SIGKILL_EXIT), p.exitCode());
            assertNull(p.getPipe().recv(HANG));
        }
    }

    /** A record whose rebuild in the backend takes a while: a window to kill the backend in start(). */
    record SlowToRebuild(long pid) {
        SlowToRebuild {
            if (pid != ProcessHandle.current().pid()) {
                LockSupport.parkNanos(60_000_000_000L);
            }
        }
    }

    static final class SlowStartProcess extends MessageProcess {
        private final SlowToRebuild slow = new SlowToRebuild(ProcessHandle.current().pid());

        SlowStartProcess(String name) {
            super(name);
        }
    }

    /** The backend is SIGKILLed while start() waits for it: start() throws naming the exit code; nothing is left. */
    @Test
    void aBackendKilledDuringStartMakesStartThrow() throws Exception {
        try (SlowStartProcess p = lean(new SlowStartProcess("slow-start"))) {
            Set<Long> before = childPids();
            AtomicReference<Throwable> started = new AtomicReference<>();
            Thread starter = Thread.ofPlatform().name("starter").start(() -> {
                try {
                    p.start();
                } catch (Throwable t) {
                    started.set(t);
                }
            });
            ProcessHandle backend = null;
            long deadline = System.nanoTime() + REPLY.toNanos();
            while (backend == null && System.nanoTime() - deadline < 0) {
                Thread.sleep(20);
                backend = ProcessHandle.current().children().filter(c -> !before.contains(c.pid())).findFirst()
                    .orElse(null);
            }
            assertNotNull(backend, "no backend spawned");
            Thread.sleep(500); // let it get into the JVM start, or the rebuild
            long killedAt = System.nanoTime();
            backend.destroyForcibly();
            Signals.joinOrFail(starter, HANG, "start()");
            System.out.printf("backend killed during start: start() threw %d ms after the kill%n",
                Signals.millisSince(killedAt));
            IllegalStateException e = assertInstanceOf(IllegalStateException.class, started.get());
            assertTrue(e.getMessage().contains("backend exited during start"), e.getMessage());
            assertTrue(e.getMessage().contains("exitCode=" + Signals.SIGKILL_EXIT), e.getMessage());
            assertFalse(p.isAlive());
        }
    }

    private static Set<Long> childPids() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /** Creates a named segment in the backend and never closes it. */
    static final class CreatorProcess extends MessageProcess {
        private transient SharedMemory made;

        CreatorProcess(String name) {
            super(name);
        }

        void c__create(String shm_name) {
            made = SharedMemory.create(shm_name, 4096);
            send_out__(new MessageObject("created", "name", made.name()));
        }
    }

    /**
     * A segment whose creator (here a backend) was SIGKILLed, or exited without closing it, is
     * removed by the next start (the JVM has no resource tracker that would do it at the
     * creator's exit, as Python's does).
     */
    @Test
    void sharedMemoryOfADeadBackendIsRemovedOnTheNextStart() {
        String killed = "fault-made-" + ProcessHandle.current().pid() + "-1";
        String exited = "fault-made-" + ProcessHandle.current().pid() + "-2";
        try (CreatorProcess a = lean(new CreatorProcess("creator-killed"));
             CreatorProcess b = lean(new CreatorProcess("creator-exits"))) {
            a.start();
            b.start();
            a.sendMessageToBack(new MessageObject("create", "shm_name", killed));
            b.sendMessageToBack(new MessageObject("create", "shm_name", exited));
            assertEquals(killed, a.getPipe().recv(REPLY).getString("name"));
            assertEquals(exited, b.getPipe().recv(REPLY).getString("name"));
            Signals.kill(a);
            b.stop();
            assertNull(a.getPipe().recv(HANG));
            assertTrue(Files.exists(SharedMemory.fileOf(killed)), "left by the killed creator");
            assertTrue(Files.exists(SharedMemory.fileOf(exited)), "left by the creator that forgot close()");
        }
        try (FaultTest.EchoProcess next = lean(new FaultTest.EchoProcess("next-start"))) {
            next.start();
            assertFalse(Files.exists(SharedMemory.fileOf(killed)), "removed by the next start");
            assertFalse(Files.exists(SharedMemory.fileOf(exited)), "removed by the next start");
            IllegalStateException gone = assertThrows(IllegalStateException.class, () -> SharedMemory.open(killed));
            assertTrue(gone.getMessage().contains("no shared memory of that name"), gone.getMessage());
            next.stop();
        }
    }
}
