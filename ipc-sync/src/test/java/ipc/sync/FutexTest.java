package ipc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FutexTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void futexPathOnly() {
        assumeTrue(Futex.isAvailable(), Futex.status());
    }

    @Test
    void availabilityFollowsTheProperty() {
        // this test JVM did not set ipc.sync.futex=false (the @BeforeEach assumption would skip it)
        assertEquals("available", Futex.status());
    }

    @Test
    void awaitReportsAChangedValueWithoutSleeping() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment word = arena.allocate(4, 4);
            word.set(ValueLayout.JAVA_INT, 0, 5);
            assertEquals(Futex.VALUE_CHANGED, Futex.await(word, 0, 4, Futex.NO_TIMEOUT));
        }
    }

    @Test
    void awaitTimesOut() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment word = arena.allocate(4, 4);
            long start = System.nanoTime();
            assertEquals(Futex.TIMED_OUT, Futex.await(word, 0, 0, 2_000_000L));
            long elapsed = System.nanoTime() - start;
            assertEquals(true, elapsed >= 2_000_000L, "returned before its timeout: " + elapsed);
            assertEquals(Futex.TIMED_OUT, Futex.await(word, 0, 0, 0));
        }
    }

    @Test
    void wakeWithoutWaitersWakesNobody() {
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(0, Futex.wake(arena.allocate(4, 4), 0, Integer.MAX_VALUE));
        }
    }

    @Test
    void wakeReleasesAWaiterOnASharedMapping() throws Exception {
        try (SharedMapping m = SharedMapping.create(tmp.resolve("w"), 4096)) {
            CompletableFuture<Integer> waiter = CompletableFuture.supplyAsync(
                () -> Futex.await(m.segment(), 64, 0, Futex.NO_TIMEOUT), r -> Thread.ofPlatform().daemon().start(r));
            int woken = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (woken == 0 && System.nanoTime() < deadline) { // until the waiter is in the kernel queue
                Thread.sleep(1);
                woken = Futex.wake(m.segment(), 64, 1);
            }
            assertEquals(1, woken);
            assertEquals(Futex.WOKEN, waiter.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void misuseIsRejectedWithTheOffset() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment words = arena.allocate(16, 8);
            assertThrows(IllegalArgumentException.class, () -> Futex.await(words, 2, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> Futex.await(words, 16, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> Futex.await(words, -4, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> Futex.wake(words, 13, 1));
            assertThrows(IllegalArgumentException.class, () -> Futex.wake(words, 0, -1));
            assertThrows(IllegalArgumentException.class,
                () -> Futex.wake(MemorySegment.ofArray(new int[4]), 0, 1));
        }
        Arena closed = Arena.ofShared();
        MemorySegment gone = closed.allocate(4, 4);
        closed.close();
        assertThrows(IllegalStateException.class, () -> Futex.wake(gone, 0, 1));
    }

    /**
     * A wake, a wait that finds the value changed and a wait that times out allocate nothing once
     * warm (capturing errno made the JDK allocate a 40-byte slice of the capture segment per call).
     */
    @Test
    void wakeAndWaitAllocateNothing() {
        com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        // 20 k calls of each compile them (C1 in the tests, C2 in a backend); 10 k are measured.
        int warmUp = 20_000;
        int measured = 10_000;
        MemorySegment word = Arena.global().allocate(4, 4);
        for (int i = 0; i < warmUp; i++) {
            callEach(word);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < measured; i++) {
            callEach(word);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // The measurement's own two calls may cost a few bytes; one 40-byte slice per call would be 1.2 MB.
        assertEquals(true, allocated < 1024, "allocated=" + allocated + " bytes over " + measured + " x 3 calls");
    }

    private static void callEach(MemorySegment word) {
        Futex.wake(word, 0, Integer.MAX_VALUE);
        Futex.await(word, 0, 1, Futex.NO_TIMEOUT);   // the word holds 0: VALUE_CHANGED at once
        Futex.await(word, 0, 0, 1_000L);             // 1 us: TIMED_OUT
    }
}
