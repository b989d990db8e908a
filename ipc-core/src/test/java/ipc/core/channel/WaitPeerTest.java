package ipc.core.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ipc.sync.CurrentCpu;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

class WaitPeerTest {

    private final MemorySegment control = Arena.ofAuto().allocate(ChannelDescriptor.SIZE, 64);
    private final WaitPeer frontend = WaitPeer.of(control, true);
    private final WaitPeer backend = WaitPeer.of(control, false);

    @Test
    void aPeerThatHasNotWaitedYetCountsAsSharingTheCore() {
        WaitPeer.clear(control);
        assertEquals(WaitPeer.UNKNOWN_CPU, frontend.where());
        assertEquals(WaitPeer.UNKNOWN_CPU, backend.where());
        assertEquals(WaitPeer.UNKNOWN_CPU, WaitPeer.UNKNOWN.where());
        WaitPeer.UNKNOWN.announce(); // no segment: nothing to write, no failure
    }

    @Test
    void eachSideAnnouncesIntoItsOwnWordAndReadsTheOther() {
        WaitPeer.clear(control);
        frontend.announce();
        int frontendCpu = control.get(ValueLayout.JAVA_INT, ChannelDescriptor.FRONTEND_WAIT_CPU_OFFSET);
        assertTrue(frontendCpu >= 0, "frontendCpu=" + frontendCpu);
        assertEquals(CurrentCpu.UNKNOWN, control.get(ValueLayout.JAVA_INT, ChannelDescriptor.BACKEND_WAIT_CPU_OFFSET));
        backend.announce();
        assertTrue(control.get(ValueLayout.JAVA_INT, ChannelDescriptor.BACKEND_WAIT_CPU_OFFSET) >= 0);
    }

    @Test
    void yieldsOnlyToAPeerOnTheCallersCore() {
        WaitPeer.clear(control);
        // A CPU number no machine has: the peer is elsewhere, so no yield.
        control.set(ValueLayout.JAVA_INT, ChannelDescriptor.BACKEND_WAIT_CPU_OFFSET, 1 << 20);
        assertEquals(WaitPeer.APART, frontend.where());
        // The peer announced this thread's own CPU: yield. The thread may migrate between the two
        // reads, so it is enough that most tries agree.
        int agreed = 0;
        for (int i = 0; i < 100; i++) {
            control.set(ValueLayout.JAVA_INT, ChannelDescriptor.BACKEND_WAIT_CPU_OFFSET, CurrentCpu.id());
            if (frontend.where() == WaitPeer.SHARED) {
                agreed++;
            }
        }
        assertTrue(agreed >= 50, "agreed=" + agreed);
    }

    @Test
    void aWaiterParksAfterSixteenYieldsToASharerThenAfterTwiceAsManyUntilSeenApart() {
        assertEquals(16, WaitPeer.FIRST_PARK_AFTER);
        assertEquals(15, yieldsBeforePark(frontend));
        assertEquals(31, yieldsBeforePark(frontend)); // that park did not separate them: twice as many
        assertEquals(63, yieldsBeforePark(frontend));
        frontend.apart();                             // seen on another core: from the start again
        assertEquals(15, yieldsBeforePark(frontend));
        for (int i = 0; i < 20; i++) {
            yieldsBeforePark(frontend);
        }
        assertEquals(WaitPeer.MAX_PARK_AFTER - 1, yieldsBeforePark(frontend)); // capped
    }

    @Test
    void noParkWithoutAChannelToKnowThePeerBy() {
        for (int i = 0; i < 10_000; i++) {
            assertFalse(WaitPeer.UNKNOWN.yieldedToSharer());
        }
    }

    /** The yields to a sharer that return false before one returns true. */
    private static int yieldsBeforePark(WaitPeer peer) {
        int yields = 0;
        while (!peer.yieldedToSharer()) {
            yields++;
        }
        return yields;
    }
}
