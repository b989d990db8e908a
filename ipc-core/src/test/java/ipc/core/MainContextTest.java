package ipc.core;

import ipc.sync.ShmDirectory;
import ipc.sync.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * MainContext: the explicit start step (processes before threads, once), stopThread (interrupt,
 * join, close), a close that runs on an interrupted thread and still stops its backend cleanly,
 * and a real SIGINT to a frontend JVM running call() (first: the loop ends and every process is
 * closed; second: exit at once).
 */
@Timeout(120)
class MainContextTest {
    private static final Duration HANG = Duration.ofSeconds(30);

    /** Records what ran, in order, and on which thread. */
    static class Recording extends MainContext {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());

        @Override
        protected void startProcesses() {
            events.add("processes");
        }

        @Override
        protected void startThreads() {
            events.add("threads");
        }

        @Override
        public void close() {
            events.add("close:" + Thread.currentThread().getName());
        }
    }

    /** A loop that records how it ended and does not close by itself, so stopThread's close stands alone. */
    static final class LoopRecording extends Recording {
        @Override
        public void call() {
            start();
            events.add("call");
            try {
                while (true) {
                    Thread.sleep(10);
                }
            } catch (InterruptedException e) {
                events.add("interrupted");
            }
            events.add("loopEnded");
        }
    }

    @Test
    void startRunsProcessesThenThreadsOnceWhoeverCallsIt() throws Exception {
        Recording r = new Recording();
        int callers = 4;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                r.start();
            }));
        }
        go.countDown();
        for (Thread t : threads) {
            t.join(HANG.toMillis());
        }
        r.start();
        assertEquals(List.of("processes", "threads"), r.events);
    }

    @Test
    void runAsThreadStartsBeforeCallAndStopThreadInterruptsJoinsThenCloses() throws Exception {
        LoopRecording r = new LoopRecording();
        r.start(); // explicit start first: call()'s own start() is then a no-op
        Thread loop = r.runAsThread();
        assertEquals(List.of("processes", "threads"), List.copyOf(r.events).subList(0, 2), "started before the thread runs");
        long deadline = System.nanoTime() + HANG.toNanos();
        while (!r.events.contains("call") && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThrows(IllegalStateException.class, () -> {
            Thread other = Thread.ofPlatform().unstarted(r::runAsThread);
            Throwable[] failure = new Throwable[1];
            other.setUncaughtExceptionHandler((t, e) -> failure[0] = e);
            other.start();
            other.join();
            if (failure[0] != null) {
                throw failure[0];
            }
        }, "a second runAsThread while the first runs");
        r.stopThread();
        assertFalse(loop.isAlive(), "stopThread joined the loop thread");
        assertEquals(List.of("processes", "threads", "call", "interrupted", "loopEnded",
            "close:" + Thread.currentThread().getName()), r.events, "interrupt, join, then close on the caller");
    }

    @Test
    void theDefaultCallLoopsUntilInterruptedThenCloses() throws Exception {
        Recording r = new Recording();
        Thread loop = r.runAsThread();
        Thread.sleep(100);
        assertTrue(loop.isAlive(), "the default call() runs until interrupted");
        r.stopThread();
        assertFalse(loop.isAlive());
        assertEquals(List.of("processes", "threads", "close:" + loop.getName(), "close:" + Thread.currentThread().getName()),
            r.events, "call() closes as its loop ends, and stopThread closes again (close is idempotent by contract)");
    }

    static final class EchoProcess extends MessageProcess {
        EchoProcess(String name) {
            super(name);
        }

        void c__echo(int id) {
            send_out__(new MessageObject("echo", "id", id));
        }
    }

    /** One real backend; close() runs in call()'s finally, on the interrupted loop thread. */
    static final class OneProcess extends MainContext {
        final EchoProcess echo = new EchoProcess("main-context-echo");
        volatile boolean closedWhileInterrupted;

        @Override
        protected void startProcesses() {
            echo.start();
        }

        @Override
        protected void startThreads() {
        }

        @Override
        public void close() {
            closedWhileInterrupted |= Thread.currentThread().isInterrupted();
            echo.close();
        }
    }

    @Test
    void closeOnTheInterruptedLoopThreadStillStopsTheBackendCleanly() {
        OneProcess ctx = new OneProcess();
        ctx.runAsThread();
        assertTrue(ctx.echo.isAlive(), "startProcesses ran before runAsThread returned");
        ctx.echo.sendMessageToBack(new MessageObject("echo", "id", 5));
        assertEquals(5, ctx.echo.getPipe().recv(HANG).getInt("id"));
        long t0 = System.nanoTime();
        ctx.stopThread();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.println("stopThread with one backend: " + millis + " ms");
        assertTrue(ctx.closedWhileInterrupted, "call()'s close ran with the interrupt status set");
        assertFalse(ctx.echo.isAlive());
        assertEquals(OptionalInt.of(0), ctx.echo.exitCode(), "stopped on request, not killed after the grace");
        assertTrue(millis < Frontend.CLOSE_GRACE.toMillis(), "no grace timeout: " + millis + " ms");
    }

    // ------------------------------------------------------------------ real SIGINT in a child JVM

    /** A child JVM whose stdout lines are collected (ChildJvm inherits IO; here we read it). */
    private static final class FrontendJvm implements AutoCloseable {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        FrontendJvm(String... args) throws IOException {
            List<String> cmd = ChildJvm.command(List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                ChildJvm.FORWARDED_PROPERTIES, MainContextSigintMain.class, List.of(), args);
            process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Thread.ofPlatform().daemon().name("child-stdout").start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        System.out.println("[frontend " + process.pid() + "] " + line);
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the child is gone
                }
            });
        }

        String awaitLine(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + HANG.toNanos();
            while (System.nanoTime() < deadline) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line != null && line.startsWith(prefix)) {
                    return line;
                }
                if (line == null && !process.isAlive() && lines.isEmpty()) {
                    break;
                }
            }
            throw new AssertionError("child pid=" + process.pid() + " did not print " + prefix);
        }

        void sigint() throws IOException, InterruptedException {
            assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).start().waitFor());
        }

        @Override
        public void close() {
            ChildJvm.destroyAndWait(process);
        }
    }

    private static String field(String line, String key) {
        for (String part : line.split(" ")) {
            if (part.startsWith(key + "=")) {
                return part.substring(key.length() + 1);
            }
        }
        throw new AssertionError("no " + key + " in " + line);
    }

    private static List<String> filesOf(long pid, List<String> shmNames) throws IOException {
        try (Stream<Path> entries = Files.list(ShmDirectory.root())) {
            return entries.map(p -> p.getFileName().toString())
                .filter(n -> n.contains("-" + pid + "-") || shmNames.stream().anyMatch(s -> n.equals("shm." + s + ".seg")))
                .toList();
        }
    }

    private static void awaitGone(List<Long> pids) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (long pid : pids) {
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "backend pid=" + pid + " is gone");
        }
    }

    @Test
    void sigintEndsCallClosesEveryProcessAndLeavesNothing() throws Exception {
        try (FrontendJvm child = new FrontendJvm("clean", "2")) {
            String started = child.awaitLine("STARTED");
            long pid = child.process.pid();
            List<Long> backends = Arrays.stream(field(started, "backends").split(",")).map(Long::parseLong).toList();
            List<String> shm = List.of(field(started, "shm").split(","));
            assertEquals(2, backends.size());
            assertFalse(filesOf(pid, shm).isEmpty(), "the running frontend has channel, bell and shm files");

            long t0 = System.nanoTime();
            child.sigint();
            String closed = child.awaitLine("CLOSED");
            String returned = child.awaitLine("CALL RETURNED");
            assertTrue(child.process.waitFor(HANG.toSeconds(), TimeUnit.SECONDS), "the frontend JVM exits");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.println("SIGINT to exit of a frontend with 2 backends: " + millis + " ms");
            assertEquals(0, child.process.exitValue(), "main returned normally after call()");
            assertEquals("true", field(closed, "interrupted"), "close ran on the loop thread the SIGINT interrupted");
            assertTrue(closed.contains("worker-0=0") && closed.contains("worker-1=0"), "each backend stopped cleanly: " + closed);
            assertEquals("true", field(returned, "interruptedBySigint"));
            awaitGone(backends);
            assertEquals(List.of(), filesOf(pid, shm), "no channel, bell or shared memory file remains");
        }
    }

    @Test
    void aSecondSigintExitsAtOnce() throws Exception {
        try (FrontendJvm child = new FrontendJvm("hang", "1")) {
            String started = child.awaitLine("STARTED");
            long pid = child.process.pid();
            List<Long> backends = Arrays.stream(field(started, "backends").split(",")).map(Long::parseLong).toList();
            List<String> shm = List.of(field(started, "shm").split(","));
            child.sigint();
            assertNotNull(child.awaitLine("CLOSING"));
            assertTrue(child.process.isAlive(), "the first SIGINT only ended the loop; close() hangs");
            long t0 = System.nanoTime();
            child.sigint();
            assertTrue(child.process.waitFor(HANG.toSeconds(), TimeUnit.SECONDS));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            System.out.println("second SIGINT to exit: " + millis + " ms");
            assertEquals(MainContext.EXIT_ON_SECOND_SIGINT, child.process.exitValue());
            assertTrue(millis < 10_000, "exits at once: " + millis + " ms");
            // close() never ran: the backend follows its frontend (watchdog) and the stale sweep takes the files
            awaitGone(backends);
            ShmDirectory.cleanStale();
            SharedMemory.cleanStale();
            assertEquals(List.of(), filesOf(pid, shm), "crash leftovers are swept once their creator is gone");
        }
    }
}
