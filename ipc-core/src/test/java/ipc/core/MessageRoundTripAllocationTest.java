package ipc.core;

import ipc.core.frame.MessageAccess;
import ipc.core.frame.FrameDescriptor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The MessageObject round trip through the public API with a real backend
 * ({@code sendMessageToBack} -> {@code c__echo(long seq)} -> {@code send_out__} ->
 * {@code getPipe().recv()}) allocates nothing beyond the MessageObject that {@code recv()}
 * returns: on the frontend at most the bytes of that one message per round trip, in the backend's
 * loop thread 0 bytes per message. Both sides send prebuilt messages, so what is measured is the
 * library's path, not the building of the user's message.
 *
 * <p>Measured with ThreadMXBean: on this thread around each window of round trips, and in the
 * backend by its loop thread itself ({@code c__stats}, which reads its allocated bytes before it
 * builds its answer and marks them again after sending it, so the answer counts in no window).
 * Chronicle allocates when a side rolls to a new cycle file (about 30 KB each side, once per
 * second of traffic) or maps the next chunk (about 1 KB, rare at this frame size): a window that
 * held one is over its bound by kilobytes, so at least half of the windows must be within it,
 * and the average over all of them is printed beside it.
 */
@Timeout(120)
class MessageRoundTripAllocationTest {
    /** Round trips before measuring: enough for the backend's C2 and this JVM's C1 to compile the path. */
    private static final int WARM_UP = 30_000;
    /** 20 windows of 1000 round trips: 20 k round trips measured, a window far shorter than a second between rolls. */
    private static final int WINDOWS = 20;
    private static final int ROUND_TRIPS_PER_WINDOW = 1_000;
    /**
     * Distinct prebuilt messages, sent in turn: a power of two, indexed by mask. Their sequence
     * numbers start far above the JDK's Long cache (-128..127), so every decoded value is a new
     * box, the worst case a reply of one long costs.
     */
    static final int DISTINCT = 1 << 10;
    static final long FIRST_SEQ = 1L << 40;
    static final String ECHO = "echo";
    static final String SEQ = "seq";
    static final Duration REPLY = Duration.ofSeconds(20);
    /**
     * The stats request. Its command shares StringBytesCache's slot 31 with the key "seq": with a
     * direct-mapped cache the two evicted each other at every stats, 24 B on each side.
     */
    static final MessageObject STATS = new MessageObject("stats");

    /** Answers each {@code echo(seq)} with the prebuilt message carrying the same seq. */
    static final class EchoProcess extends MessageProcess {
        private transient MessageObject[] replies;
        private transient com.sun.management.ThreadMXBean threads;
        private transient long handled;
        private transient long handledMark;
        private transient long allocatedMark;

        EchoProcess(String name) {
            super(name);
        }

        @Override
        protected void preRun__() {
            replies = prebuilt();
            threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            allocatedMark = threads.getCurrentThreadAllocatedBytes();
        }

        void c__echo(long seq) {
            send_out__(replies[(int) (seq - FIRST_SEQ) & (DISTINCT - 1)]);
            handled++;
        }

        /** Bytes this (the loop) thread allocated and messages it handled since the last stats. */
        void c__stats() {
            long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedMark;
            long messages = handled - handledMark;
            send_out__(new MessageObject("stats", "messages", messages, "allocated", allocated));
            handledMark = handled;
            allocatedMark = threads.getCurrentThreadAllocatedBytes();
        }
    }

    static MessageObject[] prebuilt() {
        MessageObject[] messages = new MessageObject[DISTINCT];
        for (int i = 0; i < DISTINCT; i++) {
            messages[i] = new MessageObject(ECHO, SEQ, FIRST_SEQ + i);
        }
        return messages;
    }

    @Test
    void echoRoundTripAllocatesOnlyTheReceivedMessage() {
        MessageObject[] requests = prebuilt();
        long messageBytes = bytesOfOneReceivedEcho();
        try (EchoProcess process = new EchoProcess("alloc-echo")) {
            Pipe pipe = process.getPipe();
            process.start();
            long checksum = 0;
            long sent = 0;
            for (int i = 0; i < WARM_UP; i++) {
                checksum += roundTrip(process, pipe, requests, sent++);
            }
            stats(process, pipe);
            long overhead = Allocations.overhead();
            List<Long> frontend = new ArrayList<>();
            List<Long> backend = new ArrayList<>();
            for (int w = 0; w < WINDOWS; w++) {
                long before = Allocations.allocatedByThisThread();
                for (int i = 0; i < ROUND_TRIPS_PER_WINDOW; i++) {
                    checksum += roundTrip(process, pipe, requests, sent++);
                }
                frontend.add(Allocations.allocatedByThisThread() - before - overhead);
                MessageObject stats = stats(process, pipe);
                assertEquals(ROUND_TRIPS_PER_WINDOW, stats.getLong("messages"));
                backend.add(stats.getLong("allocated"));
            }
            assertTrue(checksum != 0);
            long frontendBound = messageBytes * ROUND_TRIPS_PER_WINDOW;
            String report = "bytes per window of " + ROUND_TRIPS_PER_WINDOW + " round trips: frontend=" + frontend
                + " (bound " + frontendBound + ": " + messageBytes + " B, one received message, per round trip;"
                + " average " + average(frontend) + " B per round trip) backend=" + backend + " (bound 0; average "
                + average(backend) + " B per message)";
            System.out.println(report);
            assertTrue(within(frontend, frontendBound), report);
            assertTrue(within(backend, 0), report);
        }
    }

    private static long roundTrip(EchoProcess process, Pipe pipe, MessageObject[] requests, long n) {
        MessageObject request = requests[(int) n & (DISTINCT - 1)];
        process.sendMessageToBack(request);
        MessageObject reply = pipe.recv(REPLY);
        if (reply == null) { // not assertNotNull(reply, message): its message would be built, and counted, every time
            throw new AssertionError("no echo: exitCode=" + process.exitCode());
        }
        long seq = reply.getLong(SEQ);
        if (seq != FIRST_SEQ + (n & (DISTINCT - 1))) {
            throw new AssertionError("echo out of order: n=" + n + " reply=" + reply);
        }
        return seq;
    }

    private static MessageObject stats(EchoProcess process, Pipe pipe) {
        process.sendMessageToBack(STATS);
        MessageObject stats = pipe.recv(REPLY);
        assertNotNull(stats, () -> "no stats: exitCode=" + process.exitCode());
        assertEquals("stats", stats.command());
        return stats;
    }

    /** At least half of the windows within the bound (the others held a roll or a new chunk). */
    private static boolean within(List<Long> windows, long bound) {
        return windows.stream().filter(bytes -> bytes <= bound).count() >= windows.size() / 2;
    }

    private static double average(List<Long> windows) {
        return windows.stream().mapToLong(Long::longValue).sum() / (double) (windows.size() * ROUND_TRIPS_PER_WINDOW);
    }

    /**
     * What one received echo necessarily is, measured here in this JVM (so it holds under any
     * object layout): the MessageObject, its values array and the boxed Long. Its command and key
     * strings and its key and tag arrays are the same objects in every message of that shape,
     * cached by the reader.
     */
    static long bytesOfOneReceivedEcho() {
        int count = 10_000;
        MessageObject[] keep = new MessageObject[count];
        String[] keys = {SEQ};
        byte[] tags = {FrameDescriptor.TYPE_LONG};
        for (int round = 0; round < 3; round++) {
            long overhead = Allocations.overhead();
            long before = Allocations.allocatedByThisThread();
            for (int i = 0; i < count; i++) {
                keep[i] = MessageAccess.messages().create(ECHO, keys, tags, new Object[] {FIRST_SEQ + i});
            }
            long allocated = Allocations.allocatedByThisThread() - before - overhead;
            if (round == 2) {
                return allocated / count;
            }
        }
        throw new AssertionError("unreachable");
    }
}
