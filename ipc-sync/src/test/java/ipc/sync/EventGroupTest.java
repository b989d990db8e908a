package ipc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The EventGroup / SharedEvent contract within one JVM. Runs on the futex path and, in the
 * fallback surefire execution, on timed parking.
 */
class EventGroupTest {
    private static final Duration HANG = Duration.ofSeconds(10);

    @AfterEach
    void noFileOfOursLeftBehind() throws Exception {
        assertEquals(List.of(), ourEntries());
    }

    /** Entries under the root that this JVM created and has not removed. */
    static List<Path> ourEntries() throws Exception {
        String prefix = "eg-" + ProcessHandle.current().pid() + "-";
        try (Stream<Path> entries = Files.list(ShmDirectory.root())) {
            return entries.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        }
    }

    /** {@code event.await(timeout)} on a new daemon platform thread (a futex wait pins a virtual thread's carrier). */
    static CompletableFuture<Boolean> awaitOnThread(SharedEvent event, Duration timeout) {
        return CompletableFuture.supplyAsync(() -> event.await(timeout), r -> Thread.ofPlatform().daemon().start(r));
    }

    /** Starts a waiter on {@code event}, lets it park, sets the event, and checks that the waiter woke. */
    static void setWakesParkedWaiter(EventGroup group, SharedEvent event) throws Exception {
        CompletableFuture<Boolean> waiter = awaitOnThread(event, HANG);
        awaitParkedWaiter(group, event);
        event.set();
        assertTrue(waiter.get(HANG.toSeconds(), TimeUnit.SECONDS));
    }

    /** Waits until some thread has announced, in the slot's state word, that it parks (futex path). */
    static void awaitParkedWaiter(EventGroup group, SharedEvent event) throws Exception {
        if (!Futex.isAvailable()) {
            Thread.sleep(20); // fallback waiters announce nothing: give it time to reach its park
            return;
        }
        long offset = EventGroupDescriptor.stateOffset(EventGroupDescriptor.slot(event.index()));
        try (SharedMapping view = SharedMapping.open(ShmDirectory.root().resolve(group.name()))) {
            long deadline = System.nanoTime() + HANG.toNanos();
            while ((view.segment().get(ValueLayout.JAVA_INT, offset) & EventGroupDescriptor.WAITERS) == 0) {
                assertTrue(System.nanoTime() < deadline, "waiter never parked");
                Thread.sleep(1);
            }
        }
    }

    @Test
    void reserveHandsOutDistinctSlotsWithAGeneration() {
        try (EventGroup eg = new EventGroup(10)) {
            assertEquals(10, eg.size());
            assertTrue(eg.isCreator());
            Set<Integer> slots = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                SharedEvent e = eg.reserve();
                assertTrue(slots.add(EventGroupDescriptor.slot(e.index())), "slot handed out twice: " + e);
                assertEquals(1, EventGroupDescriptor.generation(e.index()));
                assertTrue(e.index() > 0);
                assertEquals(e.index(), eg.asIndex(e));
                assertEquals(e.index(), eg.fromIndex(e.index()).index());
            }
        }
    }

    @Test
    void toStringShowsEverySlotFreeOrReserved() {
        try (EventGroup eg = new EventGroup(3)) {
            assertEquals("<EventGroup: f0 f1 f2>", eg.toString());
            SharedEvent first = eg.reserve();
            eg.reserve();
            eg.release(first);
            assertEquals("<EventGroup: f0 R1 f2>", eg.toString());
        }
    }

    @Test
    void fullGroupThrowsNotEnoughEventsNamingTheSize() {
        try (EventGroup eg = new EventGroup(2)) {
            eg.reserve();
            SharedEvent second = eg.reserve();
            NotEnoughEvents e = assertThrows(NotEnoughEvents.class, eg::reserve);
            assertTrue(e.getMessage().contains("size=2"), e.getMessage());
            eg.release(second);
            assertEquals(EventGroupDescriptor.slot(second.index()), EventGroupDescriptor.slot(eg.reserve().index()));
        }
    }

    @Test
    void setThenAwaitAndClear() {
        try (EventGroup eg = new EventGroup(4)) {
            SharedEvent e = eg.reserve();
            assertFalse(e.isSet());
            assertFalse(e.await(Duration.ZERO));
            assertTrue(eg.set(e.index()));
            assertFalse(e.set(), "second set of a set event changes nothing");
            assertTrue(e.isSet());
            e.await();
            assertTrue(e.await(Duration.ofMillis(1)));
            assertTrue(e.clear());
            assertFalse(e.clear());
            assertFalse(e.isSet());
            assertFalse(e.await(Duration.ofMillis(5)));
            eg.release(e);
        }
    }

    @Test
    void awaitWithTimeoutReturnsFalseAfterTheTimeout() {
        try (EventGroup eg = new EventGroup(1)) {
            SharedEvent e = eg.reserve();
            long start = System.nanoTime();
            assertFalse(e.await(Duration.ofMillis(30)));
            assertTrue(System.nanoTime() - start >= 30_000_000L, "returned before its timeout");
            assertFalse(e.await(Duration.ofMillis(-5)));
            eg.release(e);
        }
    }

    /** Whether some waiter has announced, in the slot's state word, that it parks (one read). */
    static boolean waiterAnnounced(EventGroup group, SharedEvent event) {
        long offset = EventGroupDescriptor.stateOffset(EventGroupDescriptor.slot(event.index()));
        try (SharedMapping view = SharedMapping.open(ShmDirectory.root().resolve(group.name()))) {
            return (view.segment().get(ValueLayout.JAVA_INT, offset) & EventGroupDescriptor.WAITERS) != 0;
        }
    }

    @Test
    void theAwaitBudgetDecidesWhenAWaiterParks() throws Exception {
        // W is set only by a waiter that has finished its spins and yields: with a budget of ~80 s
        // of spinning it cannot appear within 100 ms; with (0, 0) it appears at the first wait.
        assumeTrue(Futex.isAvailable(), "futex path only: fallback waiters announce nothing");
        try (EventGroup eg = new EventGroup(1)) {
            eg.setAwaitBudget(Integer.MAX_VALUE, 0);
            SharedEvent spinning = eg.reserve();
            CompletableFuture<Boolean> spinner = awaitOnThread(spinning, HANG);
            Thread.sleep(100);
            assertFalse(waiterAnnounced(eg, spinning), "a waiter parked with spins left in its budget");
            spinning.set();
            assertTrue(spinner.get(HANG.toSeconds(), TimeUnit.SECONDS));
            eg.release(spinning);

            eg.setAwaitBudget(0, 0);
            SharedEvent parking = eg.reserve();
            setWakesParkedWaiter(eg, parking);
            eg.release(parking);
        }
    }

    @Test
    void aZeroAwaitBudgetKeepsTheAwaitContract() throws Exception {
        try (EventGroup eg = new EventGroup(1)) {
            eg.setAwaitBudget(0, 0);
            SharedEvent e = eg.reserve();
            long start = System.nanoTime();
            assertFalse(e.await(Duration.ofMillis(30)));
            assertTrue(System.nanoTime() - start >= 30_000_000L, "returned before its timeout");
            long[] plain = new long[1];
            CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(() -> {
                e.await();
                return plain[0];
            }, r -> Thread.ofPlatform().daemon().start(r));
            awaitParkedWaiter(eg, e);
            plain[0] = 42;
            assertTrue(e.set());
            assertEquals(42L, waiter.get(HANG.toSeconds(), TimeUnit.SECONDS));
            assertTrue(e.await(Duration.ZERO), "a set event returns at once");
            eg.release(e);
            assertThrows(IllegalStateException.class, e::await, "await on a released event must not hang");

            for (int[] bad : new int[][] {{-1, 0}, {0, -1}}) {
                IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> eg.setAwaitBudget(bad[0], bad[1]));
                assertTrue(ex.getMessage().contains("spins=" + bad[0] + " yields=" + bad[1]), ex.getMessage());
            }
        }
    }

    @Test
    void setWakesAParkedWaiterAndPublishesItsWrites() throws Exception {
        try (EventGroup eg = new EventGroup(2)) {
            SharedEvent e = eg.reserve();
            long[] plain = new long[1]; // a plain write before set must be seen after await
            CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(() -> {
                e.await();
                return plain[0];
            }, r -> Thread.ofPlatform().daemon().start(r));
            awaitParkedWaiter(eg, e);
            plain[0] = 42;
            eg.set(e.index());
            assertEquals(42L, waiter.get(HANG.toSeconds(), TimeUnit.SECONDS));
            eg.release(e);
        }
    }

    @Test
    void everySetWakesItsParkedWaiterAtOnce() throws Exception {
        // Each round waits until the waiter has announced that it parks, so the set must
        // FUTEX_WAKE it. A lost wake-up is not a hang (the park slice ends it) but costs 50 ms a
        // round: 200 rounds then take 10 s, past the bound; a clean run takes well under 1 s.
        assumeTrue(Futex.isAvailable(), "futex path only: fallback waiters announce nothing");
        try (EventGroup eg = new EventGroup(1)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            for (int round = 0; round < 200; round++) {
                SharedEvent e = eg.reserve();
                setWakesParkedWaiter(eg, e);
                eg.release(e);
                assertTrue(System.nanoTime() < deadline, "sets are not waking parked waiters: round=" + round);
            }
        }
    }

    @Test
    void manyWaitersOnOneEventAllWake() throws Exception {
        try (EventGroup eg = new EventGroup(1)) {
            SharedEvent e = eg.reserve();
            List<CompletableFuture<Boolean>> waiters = Stream.generate(() -> awaitOnThread(e, HANG)).limit(4).toList();
            awaitParkedWaiter(eg, e);
            e.set();
            for (CompletableFuture<Boolean> w : waiters) {
                assertTrue(w.get(HANG.toSeconds(), TimeUnit.SECONDS));
            }
            eg.release(e);
        }
    }

    @Test
    void aLateSetDoesNotTouchTheNextReservationOfTheSlot() {
        try (EventGroup eg = new EventGroup(1)) {
            SharedEvent old = eg.reserve();
            assertFalse(old.await(Duration.ofMillis(5)), "waiter gives up");
            eg.release(old);
            SharedEvent next = eg.reserve();
            assertEquals(EventGroupDescriptor.slot(old.index()), EventGroupDescriptor.slot(next.index()));
            assertNotEquals(old.index(), next.index());
            assertFalse(eg.set(old.index()), "late set took effect");
            assertFalse(old.isSet());
            assertFalse(next.isSet());
            assertFalse(next.await(Duration.ofMillis(5)));
            assertTrue(eg.set(next.index()));
            assertTrue(next.await(Duration.ZERO));
            eg.release(next);
        }
    }

    @Test
    void aLateSetDoesNotWakeTheNextHolderWhileItIsParked() throws Exception {
        try (EventGroup eg = new EventGroup(1)) {
            SharedEvent old = eg.reserve();
            eg.release(old);
            SharedEvent next = eg.reserve();
            CompletableFuture<Boolean> waiter = awaitOnThread(next, Duration.ofMillis(300));
            awaitParkedWaiter(eg, next);
            eg.set(old.index());
            assertFalse(waiter.get(HANG.toSeconds(), TimeUnit.SECONDS), "a late set woke the next holder");
            eg.release(next);
        }
    }

    @Test
    void generationsWrapAndSkipZero() {
        try (EventGroup eg = new EventGroup(1)) {
            int previous = 0;
            for (int i = 0; i < EventGroupDescriptor.MAX_GENERATION + 2; i++) {
                SharedEvent e = eg.reserve();
                int generation = EventGroupDescriptor.generation(e.index());
                assertTrue(generation >= 1 && generation <= EventGroupDescriptor.MAX_GENERATION, "gen=" + generation);
                assertEquals(previous == EventGroupDescriptor.MAX_GENERATION ? 1 : previous + 1, generation);
                assertTrue(e.index() > 0);
                previous = generation;
                eg.release(e);
            }
            assertEquals(2, previous);
        }
    }

    @Test
    void misuseErrorsNameWhatAndTheValue() {
        try (EventGroup eg = new EventGroup(4); EventGroup other = new EventGroup(4)) {
            SharedEvent e = eg.reserve();
            int badSlot = (1 << EventGroupDescriptor.GENERATION_SHIFT) | 7;
            for (int bad : new int[] {badSlot, 2, 0, -1, Integer.MIN_VALUE}) {
                IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> eg.set(bad));
                assertTrue(ex.getMessage().contains("index=" + bad), ex.getMessage());
                assertTrue(ex.getMessage().contains("size=4"), ex.getMessage());
                assertThrows(IllegalArgumentException.class, () -> eg.fromIndex(bad));
                assertThrows(IllegalArgumentException.class, () -> eg.release_ind(bad));
            }
            assertTrue(assertThrows(IllegalArgumentException.class, () -> eg.set(2)).getMessage()
                .contains("plain slot numbers are not indexes"));

            SharedEvent foreign = other.reserve();
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> eg.release(foreign));
            assertTrue(ex.getMessage().contains("another group"), ex.getMessage());
            assertThrows(IllegalArgumentException.class, () -> eg.asIndex(foreign));
            assertThrows(IllegalArgumentException.class, () -> eg.release(null));

            eg.release(e);
            IllegalStateException twice = assertThrows(IllegalStateException.class, () -> eg.release(e));
            assertTrue(twice.getMessage().contains("already released"), twice.getMessage());
            assertTrue(twice.getMessage().contains("index=" + e.index()), twice.getMessage());
            assertThrows(IllegalStateException.class, () -> eg.release_ind(e.index()));
            assertThrows(IllegalStateException.class, e::await, "await on a released event must not hang");
            assertThrows(IllegalStateException.class, () -> e.await(HANG));
        }
        for (int capacity : new int[] {0, -1, EventGroupDescriptor.MAX_CAPACITY + 1}) {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> new EventGroup(capacity));
            assertTrue(ex.getMessage().contains("capacity=" + capacity), ex.getMessage());
        }
    }

    @Test
    void releaseWhileAnotherThreadWaitsEndsThatWait() throws Exception {
        try (EventGroup eg = new EventGroup(1)) {
            SharedEvent e = eg.reserve();
            CompletableFuture<Void> waiter = CompletableFuture.runAsync(e::await, r -> Thread.ofPlatform().daemon().start(r));
            awaitParkedWaiter(eg, e);
            eg.release(e);
            ExecutionException ex = assertThrows(ExecutionException.class,
                () -> waiter.get(HANG.toSeconds(), TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, ex.getCause());
        }
    }

    @Test
    void abortWakesAParkedWaiterWithin100Millis() throws Exception {
        try (EventGroup eg = new EventGroup(2)) {
            SharedEvent e = eg.reserve();
            AtomicLong abortedAt = new AtomicLong();
            CompletableFuture<Long> waiter = CompletableFuture.supplyAsync(() -> {
                try {
                    e.await();
                    return -1L;
                } catch (PeerGoneException gone) {
                    assertTrue(gone.getMessage().contains("reason=backend pid=1 exited"), gone.getMessage());
                    return System.nanoTime() - abortedAt.get();
                }
            }, r -> Thread.ofPlatform().daemon().start(r));
            awaitParkedWaiter(eg, e);
            abortedAt.set(System.nanoTime());
            eg.abortWaiters("backend pid=1 exited");
            long latency = waiter.get(HANG.toSeconds(), TimeUnit.SECONDS);
            assertTrue(latency >= 0 && latency < 100_000_000L, "abort reached the waiter after ns=" + latency);
            // the slot is safe to reuse, and events obtained after the abort wait normally
            eg.release(e);
            SharedEvent fresh = eg.reserve();
            fresh.set();
            fresh.await();
            eg.release(fresh);
        }
    }

    @Test
    void abortRacingThePark() throws Exception {
        // abort right as waiters go to sleep, many times: each must end with PeerGone, whichever
        // side of the park the abort lands (the park slice bounds the unlucky case)
        try (EventGroup eg = new EventGroup(1)) {
            for (int round = 0; round < 30; round++) {
                SharedEvent e = eg.reserve();
                CompletableFuture<Void> waiter = CompletableFuture.runAsync(e::await, r -> Thread.ofPlatform().daemon().start(r));
                eg.abortWaiters("round " + round);
                ExecutionException ex = assertThrows(ExecutionException.class,
                    () -> waiter.get(HANG.toSeconds(), TimeUnit.SECONDS));
                assertInstanceOf(PeerGoneException.class, ex.getCause());
                eg.release(e);
            }
        }
    }

    @Test
    void openByNameSharesTheSlotsAndClosingOnlyUnmaps() throws Exception {
        try (EventGroup eg = new EventGroup(3)) {
            SharedEvent e = eg.reserve();
            try (EventGroup view = EventGroup.open(eg.name())) {
                assertFalse(view.isCreator());
                assertEquals(eg.name(), view.name());
                assertEquals(3, view.size());
                assertEquals(eg.toString(), view.toString());
                CompletableFuture<Void> waiter = CompletableFuture.runAsync(e::await, r -> Thread.ofPlatform().daemon().start(r));
                awaitParkedWaiter(eg, e);
                assertTrue(view.set(e.index()));
                waiter.get(HANG.toSeconds(), TimeUnit.SECONDS);
                view.release(e); // an event of the same group through another instance
                assertEquals("<EventGroup: f0 f1 f2>", eg.toString());
            }
            assertTrue(Files.exists(ShmDirectory.root().resolve(eg.name())), "closing a view deleted the file");
            eg.reserve();
        }
    }

    @Test
    void closeIsIdempotentDeletesOnTheCreatorAndRefusesLaterUse() {
        EventGroup eg = new EventGroup(2);
        SharedEvent e = eg.reserve();
        Path file = ShmDirectory.root().resolve(eg.name());
        assertTrue(Files.exists(file));
        eg.close();
        eg.close();
        assertTrue(eg.isClosed());
        assertFalse(Files.exists(file));
        assertTrue(eg.toString().contains("closed"));
        assertThrows(IllegalStateException.class, eg::reserve);
        assertThrows(IllegalStateException.class, () -> eg.set(e.index()));
        assertThrows(IllegalStateException.class, e::await);
        IllegalStateException gone = assertThrows(IllegalStateException.class, () -> EventGroup.open(eg.name()));
        assertTrue(gone.getMessage().contains(eg.name()), gone.getMessage());
    }

    @Test
    void closeEndsThisInstancesWaiters() throws Exception {
        EventGroup eg = new EventGroup(1);
        SharedEvent e = eg.reserve();
        CompletableFuture<Void> waiter = CompletableFuture.runAsync(e::await, r -> Thread.ofPlatform().daemon().start(r));
        awaitParkedWaiter(eg, e);
        eg.close();
        ExecutionException ex = assertThrows(ExecutionException.class, () -> waiter.get(HANG.toSeconds(), TimeUnit.SECONDS));
        assertTrue(ex.getCause() instanceof PeerGoneException || ex.getCause() instanceof IllegalStateException,
            String.valueOf(ex.getCause()));
    }

    @Test
    void openRefusesBadNamesAndForeignFiles() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> EventGroup.open("a/b"));
        assertThrows(IllegalArgumentException.class, () -> EventGroup.open(".."));
        assertThrows(IllegalArgumentException.class, () -> EventGroup.open(""));
        assertThrows(IllegalStateException.class, () -> EventGroup.open("eg-0-0"));
        String name = ShmDirectory.uniqueName("eg");
        try (SharedMapping junk = SharedMapping.create(ShmDirectory.root().resolve(name), 4096)) {
            IllegalStateException ex = assertThrows(IllegalStateException.class, () -> EventGroup.open(name));
            assertTrue(ex.getMessage().contains("magic=0x0"), ex.getMessage());
            junk.unlink();
        }
    }

    @Test
    void threadsNeverShareAReservation() throws Exception {
        // 4 threads x 5000 reserve/release on 2 slots: each holder marks the slot it got and
        // checks that nobody else marked it meanwhile
        int threads = 4;
        int rounds = 5_000;
        try (EventGroup eg = new EventGroup(2)) {
            AtomicInteger[] owner = {new AtomicInteger(-1), new AtomicInteger(-1)};
            AtomicInteger full = new AtomicInteger();
            List<CompletableFuture<Void>> workers = java.util.stream.IntStream.range(0, threads)
                .mapToObj(t -> CompletableFuture.runAsync(() -> {
                    for (int r = 0; r < rounds; r++) {
                        SharedEvent e;
                        try {
                            e = eg.reserve();
                        } catch (NotEnoughEvents busy) {
                            full.incrementAndGet();
                            Thread.yield();
                            continue;
                        }
                        int slot = EventGroupDescriptor.slot(e.index());
                        assertTrue(owner[slot].compareAndSet(-1, t), "double grant of slot " + slot);
                        e.set();
                        e.await();
                        assertTrue(owner[slot].compareAndSet(t, -1), "double grant of slot " + slot);
                        eg.release(e);
                    }
                })).toList();
            for (CompletableFuture<Void> w : workers) {
                w.get(30, TimeUnit.SECONDS);
            }
            assertEquals("<EventGroup: f0 f1>", eg.toString());
        }
    }
}
