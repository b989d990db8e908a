package ipc.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AsyncBackMessageProcess with real backends: stages awaited in message order, the async hooks,
 * send_out__ from many backend threads at once, background work on executor() that lives across
 * messages and ends at stop, and a failing stage answered with an error while the backend serves on.
 */
@Timeout(90)
class AsyncBackMessageProcessTest {
    private static final Duration REPLY = Duration.ofSeconds(20);

    static final class AsyncProcess extends AsyncBackMessageProcess {
        AsyncProcess(String name) {
            super(name);
        }

        /** The loop waits for this stage before the first message: "preDone" comes first. */
        @Override
        protected CompletionStage<Void> asyncPre__() {
            return CompletableFuture.runAsync(() -> {
                sleep(100);
                send_out__(new MessageObject("preDone", "thread", Thread.currentThread().isVirtual()));
            }, executor());
        }

        /** Runs after the loop, while the executor still runs: "postDone" reaches the pipe before end of stream. */
        @Override
        protected CompletionStage<Void> asyncPost__() {
            return CompletableFuture.runAsync(() -> send_out__(new MessageObject("postDone")), executor());
        }

        /** Completes after {@code delayMillis} on the executor, then replies with {@code id}. */
        CompletionStage<Void> c__later(int id, int delayMillis) {
            return CompletableFuture.runAsync(() -> {
                sleep(delayMillis);
                send_out__(new MessageObject("reply", "id", id));
            }, executor());
        }

        /** Replies at once, on the loop thread. */
        void c__now(int id) {
            send_out__(new MessageObject("reply", "id", id));
        }

        /** A stage that fails on the executor after a while. */
        CompletionStage<Void> c__failLater(String why) {
            return CompletableFuture.runAsync(() -> {
                sleep(50);
                throw new IllegalStateException(why);
            }, executor());
        }

        /** {@code threads} virtual threads each send {@code perThread} messages; "flooded" after all of them. */
        CompletionStage<Void> c__flood(int threads, int perThread) {
            List<CompletableFuture<Void>> senders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                senders.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < perThread; i++) {
                        // the three longs say the same thing: a torn or mixed frame cannot keep them consistent
                        long stamp = (long) thread << 32 | i;
                        send_out__(new MessageObject("tick", "thread", thread, "seq", i,
                            "check", new long[] {stamp, ~stamp, stamp * 31}, "text", "t" + thread + "-" + i));
                    }
                }, executor()));
            }
            return CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new))
                .thenRun(() -> send_out__(new MessageObject("flooded")));
        }

        /**
         * Starts a background ticker that outlives this message: a tick every {@code periodMillis}
         * until the executor is shut down at stop, then "tickerStopped" (sent as the task ends).
         */
        void c__startTicker(int periodMillis) {
            executor().submit(() -> {
                int n = 0;
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        send_out__(new MessageObject("tick", "n", n++));
                        Thread.sleep(periodMillis);
                    }
                } catch (InterruptedException stopping) {
                    // shutdownNow at stop: the expected way out
                } finally {
                    send_out__(new MessageObject("tickerStopped", "ticks", n));
                }
            });
        }

        private static void sleep(int millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    @Test
    void repliesKeepMessageOrderWhileStagesCompleteOutOfOrder() {
        try (AsyncProcess p = new AsyncProcess("order")) {
            Pipe pipe = p.getPipe();
            p.start();
            MessageObject pre = pipe.recv(REPLY);
            assertEquals("preDone", pre.command(), "asyncPre__ completes before the first message runs");
            assertTrue(pre.getBoolean("thread"), "executor() runs tasks on virtual threads");

            long t0 = System.nanoTime();
            p.sendMessageToBack(new MessageObject("later", "id", 1, "delayMillis", 200));
            p.sendMessageToBack(new MessageObject("now", "id", 2));
            p.sendMessageToBack(new MessageObject("later", "id", 3, "delayMillis", 0));
            assertEquals(1, pipe.recv(REPLY).getInt("id"), "the 200 ms stage's reply comes first");
            long firstMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(2, pipe.recv(REPLY).getInt("id"), "the immediate reply waits for the stage before it");
            assertEquals(3, pipe.recv(REPLY).getInt("id"));
            assertTrue(firstMillis >= 200, "message 1's stage took its 200 ms: " + firstMillis);
            System.out.println("async order: first reply after " + firstMillis + " ms");

            // a failing stage: an error naming the command and the cause, and the backend serves on
            p.sendMessageToBack(new MessageObject("failLater", "why", "boom-42"));
            p.sendMessageToBack(new MessageObject("now", "id", 4));
            MessageObject error = pipe.recv(REPLY);
            assertEquals(MessageProcess.ERROR_COMMAND, error.command());
            assertEquals("failLater", error.getString("command"));
            assertTrue(error.getString("reason").contains("boom-42"), error.toString());
            assertEquals(4, pipe.recv(REPLY).getInt("id"), "the backend keeps serving after a failed stage");

            p.stop();
            assertEquals("postDone", pipe.recv(REPLY).command(), "asyncPost__ ran at stop");
            assertNull(pipe.recv(REPLY), "then end of stream");
            assertEquals(OptionalInt.of(0), p.exitCode());
        }
    }

    @Test
    void sendOutFromManyBackendThreadsLosesAndTearsNothing() {
        int threads = 8;
        int perThread = 2_000;
        try (AsyncProcess p = new AsyncProcess("flood")) {
            Pipe pipe = p.getPipe();
            p.start();
            assertEquals("preDone", pipe.recv(REPLY).command());
            long t0 = System.nanoTime();
            p.sendMessageToBack(new MessageObject("flood", "threads", threads, "perThread", perThread));
            int[] next = new int[threads];
            int received = 0;
            while (true) {
                MessageObject m = pipe.recv(REPLY);
                assertNotNull(m, "flood ended early after " + received + " messages");
                if (m.command().equals("flooded")) {
                    break;
                }
                assertEquals("tick", m.command(), m.toString());
                int thread = m.getInt("thread");
                int seq = m.getInt("seq");
                assertEquals(next[thread], seq, "thread " + thread + "'s messages arrive in its order, none lost");
                long stamp = (long) thread << 32 | seq;
                assertArrayEquals(new long[] {stamp, ~stamp, stamp * 31}, (long[]) m.get("check"), m.toString());
                assertEquals("t" + thread + "-" + seq, m.getString("text"));
                next[thread]++;
                received++;
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(threads * perThread, received);
            System.out.println("async flood: " + received + " messages from " + threads + " threads in " + millis + " ms");
            p.stop();
            assertEquals("postDone", pipe.recv(REPLY).command());
            assertNull(pipe.recv(REPLY));
            assertEquals(OptionalInt.of(0), p.exitCode(), "no Chronicle thread-safety failure in the backend");
        }
    }

    @Test
    void backgroundWorkRunsAcrossMessagesAndEndsAtStop() {
        try (AsyncProcess p = new AsyncProcess("ticker")) {
            Pipe pipe = p.getPipe();
            p.start();
            assertEquals("preDone", pipe.recv(REPLY).command());
            p.sendMessageToBack(new MessageObject("startTicker", "periodMillis", 20));
            int ticks = 0;
            int replies = 0;
            // the ticker keeps going while later messages are served
            for (int id = 10; id < 13; id++) {
                p.sendMessageToBack(new MessageObject("now", "id", id));
                int ticksBefore = ticks;
                while (true) {
                    MessageObject m = pipe.recv(REPLY);
                    assertNotNull(m);
                    if (m.command().equals("tick")) {
                        ticks++;
                    } else {
                        assertEquals(id, m.getInt("id"));
                        replies++;
                        break;
                    }
                }
                // wait for two more ticks after this reply: the task outlived the message
                while (ticks < ticksBefore + 2) {
                    MessageObject m = pipe.recv(REPLY);
                    assertNotNull(m);
                    assertEquals("tick", m.command());
                    ticks++;
                }
            }
            assertEquals(3, replies);

            long t0 = System.nanoTime();
            p.stop();
            long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertEquals(OptionalInt.of(0), p.exitCode());
            assertTrue(stopMillis < AsyncBackMessageProcess.EXECUTOR_SHUTDOWN_GRACE.toMillis(),
                "the ticker ended at its interrupt, not after the grace: " + stopMillis + " ms");
            System.out.println("async ticker: stop took " + stopMillis + " ms");

            // what the backend sent before it exited: ticks, the ticker's goodbye, postDone; then nothing
            boolean tickerStopped = false;
            boolean postDone = false;
            MessageObject m;
            while ((m = pipe.recv(REPLY)) != null) {
                switch (m.command()) {
                    case "tick" -> assertTrue(!tickerStopped, "no tick after the ticker stopped");
                    case "tickerStopped" -> tickerStopped = true;
                    case "postDone" -> postDone = true;
                    default -> throw new AssertionError("unexpected " + m);
                }
            }
            assertTrue(tickerStopped, "the background task was interrupted at stop");
            assertTrue(postDone);
            assertNull(pipe.recv(Duration.ofMillis(300)), "no more ticks: the backend is gone");
        }
    }
}
