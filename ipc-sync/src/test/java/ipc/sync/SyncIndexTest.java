package ipc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Runs on the futex path and, in the fallback surefire execution, on timed parking. */
class SyncIndexTest {
    @AfterEach
    void noFileOfOursLeftBehind() throws Exception {
        assertEquals(List.of(), EventGroupTest.ourEntries());
    }

    @Test
    void closeWaitsForTheSetThenReleases() throws Exception {
        try (EventGroup eg = new EventGroup(1)) {
            int index;
            CompletableFuture<Boolean> setter;
            try (SyncIndex sync = new SyncIndex(eg)) {
                index = sync.index();
                assertEquals(index, sync.event().index());
                assertEquals("<EventGroup: R0>", eg.toString());
                setter = CompletableFuture.supplyAsync(() -> {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return eg.set(index);
                }, r -> Thread.ofPlatform().daemon().start(r));
            }
            assertTrue(setter.get(10, TimeUnit.SECONDS));
            assertEquals("<EventGroup: f0>", eg.toString());
            assertFalse(eg.set(index), "the released reservation is dead");
        }
    }

    @Test
    void timeoutThrowsReleasesAndALateSetIsIgnored() {
        try (EventGroup eg = new EventGroup(1)) {
            SyncIndex sync = new SyncIndex(eg, Duration.ofMillis(20));
            int index = sync.index();
            SyncTimeoutException e = assertThrows(SyncTimeoutException.class, sync::close);
            assertTrue(e.getMessage().contains("index=" + index), e.getMessage());
            assertTrue(e.getMessage().contains("timeout=PT0.02S"), e.getMessage());
            assertEquals("<EventGroup: f0>", eg.toString());
            sync.close(); // idempotent: no second wait, no double release

            try (SyncIndex next = new SyncIndex(eg, Duration.ofMillis(50))) {
                assertFalse(eg.set(index), "late set took effect");
                assertFalse(next.event().isSet());
                assertTrue(eg.set(next.index()));
            }
        }
    }

    @Test
    void closeOnAGroupThatParksAtOnceWaitsForTheSet() throws Exception {
        try (EventGroup eg = new EventGroup(1)) {
            eg.setAwaitBudget(0, 0);
            SyncIndex sync = new SyncIndex(eg);
            CompletableFuture<Void> closer = CompletableFuture.runAsync(sync::close, r -> Thread.ofPlatform().daemon().start(r));
            EventGroupTest.awaitParkedWaiter(eg, sync.event());
            assertFalse(closer.isDone(), "close returned before the set");
            assertTrue(eg.set(sync.index()));
            closer.get(10, TimeUnit.SECONDS);
            assertEquals("<EventGroup: f0>", eg.toString(), "slot not released after the set");
        }
    }

    @Test
    void peerGoneReleasesAndRethrows() throws Exception {
        try (EventGroup eg = new EventGroup(1)) {
            SyncIndex sync = new SyncIndex(eg);
            CompletableFuture<Void> closer = CompletableFuture.runAsync(sync::close, r -> Thread.ofPlatform().daemon().start(r));
            EventGroupTest.awaitParkedWaiter(eg, sync.event());
            eg.abortWaiters("peer died");
            var ex = assertThrows(java.util.concurrent.ExecutionException.class, () -> closer.get(10, TimeUnit.SECONDS));
            assertTrue(ex.getCause() instanceof PeerGoneException, String.valueOf(ex.getCause()));
            assertEquals("<EventGroup: f0>", eg.toString(), "slot not released after PeerGone");
        }
    }

    @Test
    void aFullGroupFailsAtConstructionAndBadTimeoutsAreRefused() {
        try (EventGroup eg = new EventGroup(1); SyncIndex held = new SyncIndex(eg, Duration.ZERO)) {
            assertThrows(NotEnoughEvents.class, () -> new SyncIndex(eg));
            assertThrows(IllegalArgumentException.class, () -> new SyncIndex(eg, Duration.ofMillis(-1)));
            assertThrows(IllegalArgumentException.class, () -> new SyncIndex(eg, null));
            assertThrows(IllegalArgumentException.class, () -> new SyncIndex(null));
            held.event().set();
        }
    }
}
