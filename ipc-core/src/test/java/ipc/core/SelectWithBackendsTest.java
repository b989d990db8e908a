package ipc.core;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Select.safeSelect over the pipes of 5 real backends (each its own JVM, ringing this JVM's one
 * select bell): only the ready pipes come back, a parked select wakes promptly, an idle one uses
 * almost no CPU, and a backend's end of stream counts as ready (the last test stops one). The 100-pipe cases are in
 * {@link SelectTest}.
 */
@Timeout(120)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SelectWithBackendsTest {
    private static final Duration HANG = Duration.ofSeconds(20);
    private static final List<EchoProcess> processes = new ArrayList<>();
    private static final List<Pipe> pipes = new ArrayList<>();

    static final class EchoProcess extends MessageProcess {
        EchoProcess(String name) {
            super(name);
        }

        void c__echo(int id) {
            send_out__(new MessageObject("echo", "id", id));
        }
    }

    @BeforeAll
    static void startBackends() {
        for (int i = 0; i < 5; i++) {
            EchoProcess p = new EchoProcess("select-" + i);
            processes.add(p);
            pipes.add(p.getPipe());
        }
        processes.parallelStream().forEach(MessageProcess::start);
    }

    @AfterAll
    static void closeBackends() {
        processes.forEach(MessageProcess::close);
    }

    @Test
    void returnsOnlyThePipesWithAMessage() {
        assertEquals(List.of(), Select.safeSelect(pipes, Duration.ZERO));
        processes.get(1).sendMessageToBack(new MessageObject("echo", "id", 1));
        processes.get(3).sendMessageToBack(new MessageObject("echo", "id", 3));
        List<Pipe> ready = new ArrayList<>();
        long deadline = System.nanoTime() + HANG.toNanos();
        while (ready.size() < 2 && System.nanoTime() < deadline) {
            for (Pipe p : Select.safeSelect(pipes, HANG)) {
                assertTrue(p == pipes.get(1) || p == pipes.get(3), "only a pipe with a message: " + p);
                assertEquals(pipes.indexOf(p), p.recv(Duration.ZERO).getInt("id"));
                ready.add(p);
            }
        }
        assertEquals(2, ready.size());
        assertEquals(List.of(), Select.safeSelect(pipes, Duration.ZERO), "everything was read");
    }

    @Test
    void parkedSelectWakesPromptlyAndIdleUsesAlmostNoCpu() throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        ArrayBlockingQueue<long[]> idle = new ArrayBlockingQueue<>(1);
        Thread.ofPlatform().start(() -> {
            long cpu0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            List<Pipe> r = Select.safeSelect(pipes, Duration.ofSeconds(1));
            idle.add(new long[] {r.size(), System.nanoTime() - t0, mx.getCurrentThreadCpuTime() - cpu0});
        });
        long[] o = idle.poll(HANG.toSeconds(), TimeUnit.SECONDS);
        assertEquals(0, o[0]);
        double share = (double) o[2] / o[1];
        System.out.printf("idle select over 5 backends: cpu %.1f ms in %.1f ms wall (%.2f%%)%n",
            o[2] / 1e6, o[1] / 1e6, share * 100);
        assertTrue(share < 0.20, "an idle select parks: cpu share " + share);

        ArrayBlockingQueue<List<Pipe>> woke = new ArrayBlockingQueue<>(1);
        Thread.ofPlatform().start(() -> woke.add(Select.safeSelect(pipes, HANG)));
        Thread.sleep(300); // parked by now
        long sent = System.nanoTime();
        processes.get(2).sendMessageToBack(new MessageObject("echo", "id", 2));
        List<Pipe> ready = woke.poll(HANG.toSeconds() + 5, TimeUnit.SECONDS);
        long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - sent);
        assertEquals(List.of(pipes.get(2)), ready);
        assertEquals(2, pipes.get(2).recv(Duration.ZERO).getInt("id"));
        System.out.println("select over 5 backends: message round trip seen " + micros + " us after send (parked 300 ms)");
        assertTrue(micros < 3_000_000, "well before the 20 s timeout: " + micros + " us");
    }

    /** Last: it stops backend 4 (one JVM fewer than starting a sixth for it). */
    @Test
    @Order(Integer.MAX_VALUE)
    void aStoppedBackendsPipeIsReadyAtEndOfStream() {
        EchoProcess last = processes.get(4);
        Pipe pipe = pipes.get(4);
        last.sendMessageToBack(new MessageObject("echo", "id", 4));
        last.requestStop();
        assertEquals(List.of(pipe), Select.safeSelect(pipes, HANG));
        assertEquals(4, pipe.recv(Duration.ZERO).getInt("id"), "what it sent before stopping comes first");
        List<Pipe> ready = Select.safeSelect(pipes, HANG); // parks until the exit rings the bell
        assertEquals(List.of(pipe), ready, "end of stream wakes the select and counts as ready");
        assertFalse(last.isAlive());
        assertNull(pipe.recv(Duration.ZERO));
        last.waitStop();
        assertEquals(OptionalInt.of(0), last.exitCode());
        assertEquals(List.of(pipe), Select.safeSelect(pipes, Duration.ZERO), "and stays ready after waitStop");
    }
}
