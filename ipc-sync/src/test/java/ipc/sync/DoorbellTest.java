package ipc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ipc.sync.testing.ChildJvm;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs on the futex path and, in the fallback surefire execution, on timed parking. */
class DoorbellTest {
    private static final long HANG_NANOS = TimeUnit.SECONDS.toNanos(10);

    @TempDir
    Path tmp;

    private SharedMapping mapping;
    private MemorySegment seg;

    @BeforeEach
    void map() {
        mapping = SharedMapping.create(tmp.resolve("bells"), DoorbellPeer.FILE_BYTES);
        seg = mapping.segment();
    }

    @AfterEach
    void unmap() {
        mapping.close();
    }

    @Test
    void everyRingBumpsTheSequenceAndLeavesNoWaiterFlag() {
        Doorbell bell = new Doorbell(seg, 0);
        assertEquals(0, bell.sequenceAcquire());
        for (int i = 1; i <= 5; i++) {
            bell.ring();
            assertEquals(i, bell.sequenceAcquire());
        }
        assertEquals(5 << Doorbell.SEQUENCE_SHIFT, seg.get(ValueLayout.JAVA_INT, 0));
    }

    @Test
    void ringClearsTheWaiterFlag() {
        seg.set(ValueLayout.JAVA_INT, 0, (7 << Doorbell.SEQUENCE_SHIFT) | Doorbell.WAITERS_BIT);
        Doorbell bell = new Doorbell(seg, 0);
        assertEquals(7, bell.sequenceAcquire());
        bell.ring();
        assertEquals(8 << Doorbell.SEQUENCE_SHIFT, seg.get(ValueLayout.JAVA_INT, 0));
    }

    @Test
    void awaitReturnsAtOnceWhenTheSequenceHasMoved() {
        Doorbell bell = new Doorbell(seg, 0);
        int observed = bell.sequenceAcquire();
        bell.ring();
        long start = System.nanoTime();
        bell.awaitChange(observed, HANG_NANOS);
        assertTrue(System.nanoTime() - start < HANG_NANOS / 2);
    }

    @Test
    void awaitWaitsOutItsTimeoutWhenNobodyRings() {
        Doorbell bell = new Doorbell(seg, 0);
        long start = System.nanoTime();
        bell.awaitChange(bell.sequenceAcquire(), 20_000_000L);
        assertTrue(System.nanoTime() - start >= 20_000_000L, "returned early without a ring");
        bell.awaitChange(bell.sequenceAcquire(), 0);
    }

    @Test
    void aRingReleasesAParkedWaiter() throws Exception {
        Doorbell bell = new Doorbell(seg, 0);
        int observed = bell.sequenceAcquire();
        CompletableFuture<Long> waited = CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            bell.awaitChange(observed, HANG_NANOS);
            return System.nanoTime() - start;
        }, r -> Thread.ofPlatform().daemon().start(r));
        if (Futex.isAvailable()) { // wait until it has announced itself, so the ring must FUTEX_WAKE
            long deadline = System.nanoTime() + HANG_NANOS;
            while ((seg.get(ValueLayout.JAVA_INT, 0) & Doorbell.WAITERS_BIT) == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(Doorbell.WAITERS_BIT, seg.get(ValueLayout.JAVA_INT, 0) & Doorbell.WAITERS_BIT);
        }
        Thread.sleep(5);
        bell.ring();
        assertTrue(waited.get(10, TimeUnit.SECONDS) < HANG_NANOS, "waiter sat out its timeout: ring lost");
    }

    @Test
    void anInterruptEndsTheWaitAndStaysSet() throws Exception {
        Doorbell bell = new Doorbell(seg, 0);
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        Thread waiter = Thread.ofPlatform().start(() -> {
            bell.awaitChange(bell.sequenceAcquire(), HANG_NANOS);
            stillInterrupted.set(Thread.currentThread().isInterrupted());
        });
        Thread.sleep(20);
        waiter.interrupt();
        waiter.join(Duration.ofSeconds(5));
        assertFalse(waiter.isAlive(), "interrupt did not end the wait");
        assertTrue(stillInterrupted.get());
    }

    @Test
    void threadPingPongLosesNoRing() throws Exception {
        int rounds = 20_000;
        // No 100 ms re-check: a lost wake-up leaves its waiter parked until awaitCounter's 10 s
        // deadline, and the round fails, instead of costing a slice the run's bound may absorb.
        Doorbell ping = new Doorbell(seg, DoorbellPeer.PING_BELL).withParkSlice(DoorbellPeer.NO_SLICE);
        Doorbell pong = new Doorbell(seg, DoorbellPeer.PONG_BELL).withParkSlice(DoorbellPeer.NO_SLICE);
        CompletableFuture<Boolean> peer = CompletableFuture.supplyAsync(() -> {
            for (int round = 0; round < rounds; round++) {
                if (!DoorbellPeer.awaitCounter(seg, ping, 2 * round + 1)) {
                    return false;
                }
                DoorbellPeer.INT.setRelease(seg, DoorbellPeer.COUNTER, 2 * round + 2);
                pong.ring();
            }
            return true;
        }, r -> Thread.ofPlatform().daemon().start(r));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (int round = 0; round < rounds; round++) {
            DoorbellPeer.INT.setRelease(seg, DoorbellPeer.COUNTER, 2 * round + 1);
            ping.ring();
            assertTrue(DoorbellPeer.awaitCounter(seg, pong, 2 * round + 2), "no pong for 10 s: round=" + round);
            assertTrue(System.nanoTime() < deadline, "ping-pong too slow: round=" + round);
        }
        assertTrue(peer.get(10, TimeUnit.SECONDS));
    }

    @Test
    void processPingPongLosesNoRing() {
        int rounds = 2_000;
        try (ChildJvm child = ChildJvm.start(DoorbellPeer.class, mapping.path().toString(), Integer.toString(rounds))) {
            Doorbell ping = new Doorbell(seg, DoorbellPeer.PING_BELL).withParkSlice(DoorbellPeer.NO_SLICE);
            Doorbell pong = new Doorbell(seg, DoorbellPeer.PONG_BELL).withParkSlice(DoorbellPeer.NO_SLICE);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            for (int round = 0; round < rounds; round++) {
                DoorbellPeer.INT.setRelease(seg, DoorbellPeer.COUNTER, 2 * round + 1);
                ping.ring();
                assertTrue(DoorbellPeer.awaitCounter(seg, pong, 2 * round + 2), "no pong for 10 s: round=" + round);
                assertTrue(System.nanoTime() < deadline, "ping-pong too slow: round=" + round);
            }
            assertEquals(0, child.waitFor(Duration.ofSeconds(20)));
        }
    }

    @Test
    void badPlacementIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Doorbell(seg, 2));
        assertThrows(IllegalArgumentException.class, () -> new Doorbell(seg, seg.byteSize() - 2));
        assertThrows(IllegalArgumentException.class, () -> new Doorbell(seg, -4));
        assertThrows(IllegalArgumentException.class, () -> new Doorbell(MemorySegment.ofArray(new int[4]), 0));
    }
}
