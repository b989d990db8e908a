package ipc.core;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Typed remote calls on an {@link AsyncBackMessageProcess} (a method returning a CompletionStage
 * answers when the stage completes, without holding the loop: a later synchronous call is
 * answered first) and through a {@link MainContext} that starts the process.
 */
@Timeout(120)
public class RemoteAsyncBackTest {

    public interface Slow {
        CompletionStage<Long> slowSquare(long v, int delayMillis);

        long now(long v);
    }

    public static class SlowProcess extends AsyncBackMessageProcess implements Slow {
        public SlowProcess(String name) {
            super(name);
        }

        @Override
        public CompletionStage<Long> slowSquare(long v, int delayMillis) {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return v * v;
            }, executor());
        }

        @Override
        public long now(long v) {
            return v + 1;
        }
    }

    @Test
    void stageMethodsAnswerWhenDoneWithoutHoldingTheLoop() throws Exception {
        try (SlowProcess p = new SlowProcess("slow")) {
            p.start();
            Slow slow = p.remote(Slow.class);
            CompletableFuture<Long> later = slow.slowSquare(12, 500).toCompletableFuture();
            long begin = System.nanoTime();
            assertEquals(8, slow.now(7));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
            assertTrue(millis < 400, "the synchronous call waited " + millis + " ms behind the stage");
            assertFalse(later.isDone(), "the stage takes 500 ms");
            assertEquals(144L, later.get(20, TimeUnit.SECONDS));
            assertNull(p.getPipe().recv(Duration.ofMillis(20)), "answers never reach the pipe");
        }
    }

    static final class Context extends MainContext {
        final RemoteCallTest.CalcProcess calc = new RemoteCallTest.CalcProcess("ctx-calc");

        @Override
        protected void startProcesses() {
            MessageProcess.startAll(calc);
        }

        @Override
        protected void startThreads() {
        }

        @Override
        public void close() {
            calc.close();
        }
    }

    @Test
    void throughMainContext() {
        try (Context context = new Context()) {
            context.start();
            RemoteCallTest.Calc calc = context.calc.remote(RemoteCallTest.Calc.class);
            assertEquals(42, calc.add(40, 2));
            assertEquals("hello ctx", calc.greet("ctx"));
        }
    }
}
