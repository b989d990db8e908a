package ipc.core;

import ipc.core.frame.FrameCodec;
import ipc.core.frame.FrameHandler;
import ipc.core.frame.FrameReader;
import ipc.core.channel.SelectBell;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Select.safeSelect over many pipes. 100 backends would swamp a 2-core machine, so the many-pipe
 * cases use {@link Pipe}s attached to an in-memory {@link Pipe.Source} that rings this JVM's
 * {@link SelectBell} the way a backend's channel writer does; {@code SelectWithBackendsTest} runs
 * the same contract over real backends.
 */
@Timeout(60)
class SelectTest {
    /** Generous bounds that only catch hangs or a missed wake-up; the measured values are printed. */
    static final Duration HANG = Duration.ofSeconds(10);

    /** An in-memory backend: frames queued by {@link #send}, which rings the frontend bell like a channel write. */
    static final class FakeSource implements Pipe.Source {
        private final ConcurrentLinkedQueue<byte[]> frames = new ConcurrentLinkedQueue<>();
        private final FrameReader reader = new FrameReader();
        private volatile boolean exited;

        void send(MessageObject m) {
            frames.add(FrameCodec.encode(m));
            SelectBell.frontend().ring();
        }

        void exit() {
            exited = true;
            SelectBell.frontend().ring(); // as Frontend.onBackendExit does
        }

        @Override
        public boolean poll(FrameHandler handler) {
            byte[] f = frames.poll();
            if (f == null) {
                return false;
            }
            handler.onFrame(reader.wrap(MemorySegment.ofArray(f)));
            return true;
        }

        @Override
        public boolean hasNext() {
            return !frames.isEmpty();
        }

        @Override
        public boolean producerExited() {
            return exited;
        }
    }

    private final List<Thread> started = new ArrayList<>();

    @AfterEach
    void joinThreads() throws InterruptedException {
        for (Thread t : started) {
            t.interrupt();
            t.join(HANG.toMillis());
        }
    }

    static Pipe[] pipes(FakeSource[] sources) {
        Pipe[] pipes = new Pipe[sources.length];
        for (int i = 0; i < sources.length; i++) {
            sources[i] = new FakeSource();
            pipes[i] = new Pipe("fake-" + i);
            pipes[i].attach(sources[i]);
        }
        return pipes;
    }

    /** Runs safeSelect on a platform thread of its own and hands back its result and how it waited. */
    record Outcome(List<Pipe> ready, long wallNanos, long cpuNanos, boolean interruptedAfter) {
    }

    private ArrayBlockingQueue<Outcome> selectInThread(List<Pipe> pipes, Duration timeout, CountDownLatch entered) {
        ArrayBlockingQueue<Outcome> result = new ArrayBlockingQueue<>(1);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Thread t = Thread.ofPlatform().name("selector").start(() -> {
            entered.countDown();
            long cpu0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            List<Pipe> ready = Select.safeSelect(pipes, timeout);
            long wall = System.nanoTime() - t0;
            long cpu = mx.getCurrentThreadCpuTime() - cpu0;
            result.add(new Outcome(ready, wall, cpu, Thread.currentThread().isInterrupted()));
        });
        started.add(t);
        return result;
    }

    @Test
    void returnsExactlyTheReadyPipesOfAHundred() {
        FakeSource[] sources = new FakeSource[100];
        Pipe[] pipes = pipes(sources);
        List<Pipe> all = Arrays.asList(pipes);
        assertEquals(List.of(), Select.safeSelect(all, Duration.ZERO));
        sources[7].send(new MessageObject("x"));
        sources[42].send(new MessageObject("y"));
        sources[99].send(new MessageObject("z"));
        assertEquals(List.of(pipes[7], pipes[42], pipes[99]), Select.safeSelect(all, Duration.ZERO));
        assertEquals(List.of(pipes[7], pipes[42], pipes[99]), Select.safeSelect(all, Duration.ofSeconds(1)));
        assertEquals("y", pipes[42].recv(Duration.ZERO).command());
        assertEquals(List.of(pipes[7], pipes[99]), Select.safeSelect(all, null), "null waits only when nothing is ready");
        pipes[7].recv();
        pipes[99].recv();
        assertEquals(List.of(), Select.safeSelect(all, Duration.ZERO));
        assertEquals(List.of(), Select.safeSelect(List.of(), Duration.ZERO), "no pipes: nothing ready");
    }

    @Test
    void zeroOnlyPolls() {
        FakeSource[] sources = new FakeSource[100];
        List<Pipe> all = Arrays.asList(pipes(sources));
        long t0 = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            assertEquals(List.of(), Select.safeSelect(all, Duration.ZERO));
        }
        long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0) / 100;
        System.out.println("select ZERO over 100 idle pipes: " + micros + " us per call");
        assertTrue(micros < 100_000, "a ZERO select never waits: " + micros + " us");
    }

    @Test
    void timesOutEmptyWhenNothingArrives() {
        FakeSource[] sources = new FakeSource[100];
        List<Pipe> all = Arrays.asList(pipes(sources));
        long t0 = System.nanoTime();
        assertEquals(List.of(), Select.safeSelect(all, Duration.ofMillis(200)));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(millis >= 200 && millis < HANG.toMillis(), "waited its timeout: " + millis + " ms");
    }

    @Test
    void wakesPromptlyAfterParking() throws Exception {
        FakeSource[] sources = new FakeSource[100];
        Pipe[] pipes = pipes(sources);
        CountDownLatch entered = new CountDownLatch(1);
        ArrayBlockingQueue<Outcome> result = selectInThread(Arrays.asList(pipes), HANG, entered);
        entered.await();
        Thread.sleep(300); // long past the spin and yield phases: the selector is parked on the bell
        long sent = System.nanoTime();
        sources[57].send(new MessageObject("late"));
        Outcome o = result.poll(HANG.toSeconds() + 5, TimeUnit.SECONDS);
        long wakeMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - sent);
        assertEquals(List.of(pipes[57]), o.ready());
        System.out.println("select over 100 pipes woke " + wakeMicros + " us after the ring (parked 300 ms)");
        assertTrue(wakeMicros < 2_000_000, "woke well before the 10 s timeout: " + wakeMicros + " us");
    }

    @Test
    void nullWaitsUntilAMessage() throws Exception {
        FakeSource[] sources = new FakeSource[100];
        Pipe[] pipes = pipes(sources);
        CountDownLatch entered = new CountDownLatch(1);
        ArrayBlockingQueue<Outcome> result = selectInThread(Arrays.asList(pipes), null, entered);
        entered.await();
        assertNull(result.poll(1200, TimeUnit.MILLISECONDS), "null timeout: still waiting after 1.2 s");
        sources[3].send(new MessageObject("finally"));
        Outcome o = result.poll(HANG.toSeconds(), TimeUnit.SECONDS);
        assertEquals(List.of(pipes[3]), o.ready());
    }

    @Test
    void idleSelectUsesAlmostNoCpu() throws Exception {
        FakeSource[] sources = new FakeSource[100];
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (!mx.isCurrentThreadCpuTimeSupported()) {
            return;
        }
        CountDownLatch entered = new CountDownLatch(1);
        ArrayBlockingQueue<Outcome> result = selectInThread(Arrays.asList(pipes(sources)), Duration.ofSeconds(1), entered);
        Outcome o = result.poll(HANG.toSeconds(), TimeUnit.SECONDS);
        assertEquals(List.of(), o.ready());
        double share = (double) o.cpuNanos() / o.wallNanos();
        System.out.printf("idle select over 100 pipes: cpu %.1f ms in %.1f ms wall (%.2f%%)%n",
            o.cpuNanos() / 1e6, o.wallNanos() / 1e6, share * 100);
        assertTrue(o.wallNanos() >= TimeUnit.SECONDS.toNanos(1));
        assertTrue(share < 0.20, "an idle select parks: cpu share " + share);
    }

    @Test
    void interruptReturnsEmptyAndKeepsTheStatus() throws Exception {
        FakeSource[] sources = new FakeSource[100];
        CountDownLatch entered = new CountDownLatch(1);
        ArrayBlockingQueue<Outcome> result = selectInThread(Arrays.asList(pipes(sources)), null, entered);
        entered.await();
        Thread.sleep(200);
        long t0 = System.nanoTime();
        started.getLast().interrupt();
        Outcome o = result.poll(HANG.toSeconds(), TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(List.of(), o.ready());
        assertTrue(o.interruptedAfter(), "the interrupt status is kept for the loop to test");
        System.out.println("select returned " + millis + " ms after the interrupt");

        // an already interrupted thread: returns at once, still interrupted
        AtomicReference<Outcome> again = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            Thread.currentThread().interrupt();
            long s = System.nanoTime();
            List<Pipe> r = Select.safeSelect(Arrays.asList(pipes(new FakeSource[3])), null);
            again.set(new Outcome(r, System.nanoTime() - s, 0, Thread.currentThread().isInterrupted()));
        });
        t.join(HANG.toMillis());
        assertEquals(List.of(), again.get().ready());
        assertTrue(again.get().interruptedAfter());
    }

    @Test
    void endOfStreamCountsAsReady() throws Exception {
        FakeSource[] sources = new FakeSource[10];
        Pipe[] pipes = pipes(sources);
        CountDownLatch entered = new CountDownLatch(1);
        ArrayBlockingQueue<Outcome> result = selectInThread(Arrays.asList(pipes), HANG, entered);
        entered.await();
        Thread.sleep(100);
        sources[4].send(new MessageObject("last"));
        sources[4].exit();
        Outcome o = result.poll(HANG.toSeconds() + 5, TimeUnit.SECONDS);
        assertEquals(List.of(pipes[4]), o.ready());
        assertEquals("last", pipes[4].recv().command(), "what was sent before the exit is read first");
        assertEquals(List.of(pipes[4]), Select.safeSelect(Arrays.asList(pipes), Duration.ZERO), "then end of stream is ready");
        assertNull(pipes[4].recv(), "and recv returns null at once");
        assertTrue(pipes[4].poll());
    }

    @Test
    void rejectsANegativeTimeoutAndANullPipe() {
        Pipe[] pipes = pipes(new FakeSource[2]);
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
            () -> Select.safeSelect(Arrays.asList(pipes), Duration.ofMillis(-1)));
        assertTrue(negative.getMessage().contains("timeout=PT-0.001S"), negative.getMessage());
        List<Pipe> withNull = new ArrayList<>(Arrays.asList(pipes));
        withNull.add(null);
        IllegalArgumentException nullPipe = assertThrows(IllegalArgumentException.class,
            () -> Select.safeSelect(withNull, Duration.ZERO));
        assertTrue(nullPipe.getMessage().contains("null"), nullPipe.getMessage());
        assertFalse(Thread.currentThread().isInterrupted());
    }
}
