package ipc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ipc.sync.testing.ChildJvm;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * EventGroup between real processes. Runs on the futex path and, in the fallback surefire
 * execution, on timed parking (the children inherit the switch).
 */
class EventGroupProcessTest {
    private static final Duration HANG = Duration.ofSeconds(20);
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    @TempDir
    Path tmp;

    @AfterEach
    void noFileOfOursLeftBehind() throws Exception {
        assertEquals(List.of(), EventGroupTest.ourEntries());
    }

    @Test
    void aSpawnedJvmSetsEventsTheFrontendWaitsOn() {
        try (EventGroup eg = new EventGroup(8)) {
            SharedEvent[] events = {eg.reserve(), eg.reserve(), eg.reserve()};
            // 200 ms delay: the frontend is parked (not spinning) when the sets arrive
            try (ChildJvm peer = ChildJvm.start(EventGroupPeer.class, "set", eg.name(), "200",
                Integer.toString(events[0].index()), Integer.toString(events[1].index()),
                Integer.toString(events[2].index()))) {
                for (SharedEvent e : events) {
                    assertTrue(e.await(HANG), "not set by the peer: " + e);
                }
                assertEquals(3, peer.waitFor(HANG), "every set took effect");
            }
            for (SharedEvent e : events) {
                eg.release(e);
            }
        }
    }

    @Test
    void fourProcessesTimesTenThousandNeverShareAReservation() throws Exception {
        int workers = 4;
        int rounds = 10_000;
        Path ownersFile = tmp.resolve("owners");
        // 4 slots for 4 workers that hold one each at most: every reserve contends, none fails
        try (EventGroup eg = new EventGroup(workers);
             SharedMapping owners = SharedMapping.create(ownersFile, EventGroupPeer.ownerOffset(workers))) {
            List<ChildJvm> children = new ArrayList<>();
            try {
                for (int i = 0; i < workers; i++) {
                    children.add(ChildJvm.start(EventGroupPeer.class, "stress", eg.name(), ownersFile.toString(),
                        Integer.toString(rounds)));
                }
                long deadline = System.nanoTime() + HANG.toNanos();
                while ((long) LONG.getAcquire(owners.segment(), EventGroupPeer.READY_COUNT) < workers) {
                    assertTrue(System.nanoTime() < deadline, "workers never got ready");
                    Thread.sleep(5);
                }
                LONG.setRelease(owners.segment(), EventGroupPeer.GO, 1L);
                for (ChildJvm child : children) {
                    assertEquals(0, child.waitFor(HANG), "worker pid=" + child.pid() + " failed (3: double grant)");
                }
            } finally {
                children.forEach(ChildJvm::close);
            }
            assertEquals("<EventGroup: f0 f1 f2 f3>", eg.toString());
            int reservations = 0;
            try (SharedMapping view = SharedMapping.open(ShmDirectory.root().resolve(eg.name()))) {
                for (int slot = 0; slot < workers; slot++) {
                    reservations += EventGroupDescriptor.generation(
                        view.segment().get(ValueLayout.JAVA_INT, EventGroupDescriptor.stateOffset(slot)));
                }
            }
            // each reservation bumped its slot's generation once (no slot nears the 32767 wrap)
            assertEquals(workers * rounds, reservations, "reservations lost or doubled");
        }
    }

    @Test
    void aLateSetFromAnotherProcessDoesNotWakeTheNextHolder() throws Exception {
        try (EventGroup eg = new EventGroup(1)) {
            SyncIndex timedOut = new SyncIndex(eg, Duration.ofMillis(20));
            int lateIndex = timedOut.index();
            assertThrows(SyncTimeoutException.class, timedOut::close);
            SharedEvent next = eg.reserve();
            CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(
                () -> next.await(HANG), r -> Thread.ofPlatform().daemon().start(r));
            EventGroupTest.awaitParkedWaiter(eg, next);
            try (ChildJvm peer = ChildJvm.start(EventGroupPeer.class, "set", eg.name(), "0",
                Integer.toString(lateIndex))) {
                assertEquals(0, peer.waitFor(HANG), "the late set took effect");
            }
            assertFalse(next.isSet());
            assertFalse(waiter.isDone(), "the next holder woke up");
            assertTrue(next.set());
            assertTrue(waiter.get(HANG.toSeconds(), TimeUnit.SECONDS));
            eg.release(next);
        }
    }

    @Test
    void aPeerThatDiesEndsTheWaitWithPeerGoneAndTheSlotIsReusable() throws Exception {
        try (EventGroup eg = new EventGroup(1)) {
            SyncIndex sync = new SyncIndex(eg);
            // the peer would set the event after a minute: it is killed first
            try (ChildJvm peer = ChildJvm.start(EventGroupPeer.class, "set", eg.name(), "60000",
                Integer.toString(sync.index()))) {
                peer.process().onExit().thenRun(() -> eg.abortWaiters("peer pid=" + peer.pid() + " exited"));
                CompletableFuture<Void> closer = CompletableFuture.runAsync(sync::close, r -> Thread.ofPlatform().daemon().start(r));
                EventGroupTest.awaitParkedWaiter(eg, sync.event());
                long killedAt = System.nanoTime();
                peer.process().destroyForcibly();
                ExecutionException ex = assertThrows(ExecutionException.class,
                    () -> closer.get(HANG.toSeconds(), TimeUnit.SECONDS));
                assertInstanceOf(PeerGoneException.class, ex.getCause());
                assertTrue(ex.getCause().getMessage().contains("pid=" + peer.pid()), ex.getCause().getMessage());
                assertTrue(System.nanoTime() - killedAt < TimeUnit.SECONDS.toNanos(1), "PeerGone took over a second");
            }
            assertEquals("<EventGroup: f0>", eg.toString());
            try (SyncIndex again = new SyncIndex(eg, HANG)) {
                again.event().set();
            }
        }
    }

    @Test
    void reserveTakesBackTheSlotsOfADeadHolder() throws Exception {
        try (EventGroup eg = new EventGroup(2)) {
            Path ready = tmp.resolve("held");
            try (ChildJvm holder = ChildJvm.start(EventGroupPeer.class, "hold", eg.name(), "2", ready.toString())) {
                EventGroupPeer.awaitAnnouncement(ready);
                assertEquals("<EventGroup: R0 R1>", eg.toString());
                assertThrows(NotEnoughEvents.class, eg::reserve, "a live holder's slots were taken");
                holder.process().destroyForcibly();
                holder.waitFor(HANG);
            }
            SharedEvent a = eg.reserve();
            SharedEvent b = eg.reserve();
            assertEquals("<EventGroup: R0 R1>", eg.toString());
            assertEquals(2, EventGroupDescriptor.generation(a.index()));
            eg.release(a);
            eg.release(b);
        }
    }

    @Test
    void aGroupWhoseCreatorDiedIsCleanedAsStale() throws Exception {
        Path ready = tmp.resolve("created");
        String name;
        try (ChildJvm creator = ChildJvm.start(EventGroupPeer.class, "create", "4", ready.toString())) {
            name = EventGroupPeer.awaitAnnouncement(ready);
            assertEquals(creator.pid(), ShmDirectory.ownerPid(Path.of(name)).orElseThrow());
            try (EventGroup view = EventGroup.open(name)) {
                assertFalse(view.isCreator());
                SharedEvent e = view.reserve();
                creator.process().destroyForcibly();
                creator.waitFor(HANG);
                ShmDirectory.cleanStale();
                assertFalse(Files.exists(ShmDirectory.root().resolve(name)), "stale group left behind");
                assertTrue(e.set(), "a mapped view outlives the unlink");
                view.release(e);
            }
        }
        assertThrows(IllegalStateException.class, () -> EventGroup.open(name));
    }
}
