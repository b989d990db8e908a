package ipc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs on the futex path and, in the fallback surefire execution, on timed parking. */
class ParkingIdleStrategyTest {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long TEN_SECONDS = TimeUnit.SECONDS.toNanos(10);

    @TempDir
    Path tmp;

    private SharedMapping mapping;
    private Doorbell bell;

    @BeforeEach
    void map() {
        mapping = SharedMapping.create(tmp.resolve("bell"), 4096);
        bell = new Doorbell(mapping.segment(), 0);
    }

    @AfterEach
    void unmap() {
        mapping.close();
    }

    @Test
    void theFirstIdleAfterAResetNeverParks() {
        ParkingIdleStrategy idle = new ParkingIdleStrategy(bell, 0, 0, TEN_SECONDS);
        long start = System.nanoTime();
        idle.idle();         // no earlier read of the sequence: must not park, or it could lose a ring
        idle.idle(1);        // work: reset
        idle.idle(0);        // again the first idle after a reset
        assertTrue(System.nanoTime() - start < TEN_SECONDS / 2, "an idle without an earlier read parked");
    }

    @Test
    void maxParkNanosBoundsOnePark() {
        ParkingIdleStrategy idle = new ParkingIdleStrategy(bell, 0, 0, 5_000_000L);
        idle.idle();
        long start = System.nanoTime();
        idle.idle(); // parks, nobody rings
        long parked = System.nanoTime() - start;
        assertTrue(parked >= 5_000_000L, "returned before maxParkNanos without a ring: " + parked);
        assertTrue(parked < TEN_SECONDS, "park not bounded: " + parked);
    }

    @Test
    void aRingBetweenPollAndParkIsNotLost() throws Exception {
        // Ping-pong: the producer publishes item i, rings, and waits for the consumer's ack of i,
        // so each item's ring is the only one that can wake the consumer. The consumer parks on
        // every empty poll (no spins, no yields) with a park bound of 10 s: a lost ring shows up
        // as one idle() that lasts seconds.
        long items = 5_000;
        CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
            for (long i = 1; i <= items; i++) {
                LONG.setRelease(mapping.segment(), 64L, i);
                bell.ring();
                while ((long) LONG.getAcquire(mapping.segment(), 128L) != i) {
                    Thread.yield();
                }
            }
        }, Thread::startVirtualThread);
        ParkingIdleStrategy idle = new ParkingIdleStrategy(bell, 0, 0, TEN_SECONDS);
        long seen = 0;
        long longestIdle = 0;
        // Doorbell parks in 100 ms slices, so a lost ring costs a slice per item rather than a
        // hang: 5000 items then take minutes, far past this bound (a clean run takes < 1 s).
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (seen < items) {
            long now = (long) LONG.getAcquire(mapping.segment(), 64L);
            int work = (int) (now - seen);
            if (work > 0) {
                seen = now;
                LONG.setRelease(mapping.segment(), 128L, seen);
            }
            long start = System.nanoTime();
            idle.idle(work);
            longestIdle = Math.max(longestIdle, System.nanoTime() - start);
            assertTrue(longestIdle < TEN_SECONDS / 2, "an idle() sat out its park: ring lost at seen=" + seen);
            assertTrue(System.nanoTime() < deadline, "too slow, rings lost: seen=" + seen);
        }
        producer.get(10, TimeUnit.SECONDS);
        assertEquals(items, seen);
    }

    @Test
    void badArgumentsAreRejectedWithTheirValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new ParkingIdleStrategy(bell, -1, 0, 1));
        assertTrue(e.getMessage().contains("spins=-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ParkingIdleStrategy(bell, 0, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ParkingIdleStrategy(bell, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ParkingIdleStrategy(null));
        assertEquals("parking", new ParkingIdleStrategy(bell).alias());
    }
}
