package ipc.core;

import ipc.core.channel.Channel;
import ipc.core.channel.ChannelOptions;
import ipc.core.channel.ChannelTest;
import ipc.core.frame.FrameCodec;
import ipc.core.frame.FrameDescriptor;
import ipc.core.channel.ring.FrameRing;

import ipc.sync.PeerGoneException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The RING transport's own rules, both sides in this JVM (the behaviour of processes on it is
 * the contract suite: the process tests run again with {@code -Dipc.transport=ring}, see
 * ipc-core/pom.xml): frames of every size cross in order over many wraps of a small ring; a
 * full ring makes the writer wait and loses nothing; a frame that can never fit is refused
 * naming both sizes, with nothing written; a writer waiting on a full ring whose reader is gone
 * gets PeerGoneException; a parked reader is woken by each write (no re-check hides a lost
 * wake-up); the files are owner-only.
 */
@Timeout(60)
class RingTest {
    private static final Duration NO_SLICE = Duration.ofHours(1);
    private Channel front;
    private Channel back;

    private void open(int capacity) {
        System.setProperty(FrameRing.CAPACITY_PROPERTY, Integer.toString(capacity));
        try {
            front = Channel.create(ChannelOptions.defaults().withTransport(Transport.RING), NO_SLICE);
        } finally {
            System.clearProperty(FrameRing.CAPACITY_PROPERTY);
        }
        back = Channel.open(front.directory(), NO_SLICE);
        assertEquals(Transport.RING, front.transport());
        assertEquals(Transport.RING, back.transport());
    }

    @AfterEach
    void close() {
        if (back != null) {
            back.close();
        }
        if (front != null) {
            front.close();
        }
    }

    private static MessageObject sized(int i) {
        byte[] payload = new byte[(i * 37) % 700];
        for (int k = 0; k < payload.length; k++) {
            payload[k] = (byte) (i + k);
        }
        return new MessageObject("m", "i", i, "payload", payload);
    }

    /** 20 000 frames of 0-700 bytes through a 4 KiB ring, written and read in turns: over a thousand wraps. */
    @Test
    void framesOfEverySizeCrossInOrderOverManyWraps() {
        open(4096);
        ChannelTest.Collector c = new ChannelTest.Collector();
        int sent = 0;
        int total = 20_000;
        while (c.frames.size() < total) {
            for (int k = 0; k < 3 && sent < total; k++) {
                front.writer().write(sized(sent++));
            }
            while (back.reader().poll(c)) {
                // drain
            }
        }
        for (int i = 0; i < total; i++) {
            MessageObject m = c.frames.get(i);
            assertEquals(i, m.getInt("i"));
            assertArrayEquals(sized(i).getBytes("payload"), m.getBytes("payload"));
        }
        assertTrue(c.bad.isEmpty(), c.bad.toString());
        assertFalse(back.reader().hasNext());
    }

    /**
     * A writer thread sends 5 000 frames into an 8 KiB ring whose reader starts only after 300 ms:
     * the writer waits while the ring is full (it has not finished when the reader starts), and
     * the reader gets every frame, in order.
     */
    @Test
    void aFullRingMakesTheWriterWaitAndLosesNothing() throws Exception {
        open(8192);
        int total = 5_000;
        AtomicInteger written = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < total; i++) {
                    front.writer().write(sized(i));
                    written.incrementAndGet();
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        Thread.sleep(300);
        int before = written.get();
        assertTrue(before < total, "the writer must wait for room: written=" + before);
        ChannelTest.Collector c = new ChannelTest.Collector();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (c.frames.size() < total && System.nanoTime() < deadline) {
            back.reader().poll(c, Duration.ofMillis(100));
        }
        writer.join(10_000);
        assertEquals(null, failure.get());
        assertEquals(total, c.frames.size());
        for (int i = 0; i < total; i++) {
            assertEquals(i, c.frames.get(i).getInt("i"));
        }
    }

    /** A frame larger than the ring can ever hold: IllegalArgumentException naming both sizes; nothing written. */
    @Test
    void aFrameThatCanNeverFitIsRefusedNamingBothSizes() {
        open(4096);
        MessageObject big = new MessageObject("big", "payload", new byte[5000]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> front.writer().write(big));
        int frameBytes = FrameCodec.frameLength(big, FrameDescriptor.DEFAULT_MAX_FRAME_BYTES);
        assertTrue(e.getMessage().contains(frameBytes + " bytes") && e.getMessage().contains("ring of 4096 bytes"),
            e.getMessage());
        assertFalse(back.reader().hasNext(), "nothing written");
        front.writer().write(new MessageObject("small"));
        ChannelTest.Collector c = new ChannelTest.Collector();
        assertTrue(back.reader().poll(c));
        assertEquals("small", c.frames.get(0).command());
    }

    /** A writer waiting on a full ring whose reader is gone for good gets PeerGoneException. */
    @Test
    void aWriterWaitingOnAFullRingGetsPeerGoneWhenItsReaderIsGone() throws Exception {
        open(4096);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; ; i++) {
                    front.writer().write(sized(i));
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        Thread.sleep(200);
        assertTrue(writer.isAlive(), "waiting for room");
        front.markPeerGone();
        writer.join(10_000);
        assertFalse(writer.isAlive());
        PeerGoneException gone = assertInstanceOf(PeerGoneException.class, failure.get());
        assertTrue(gone.getMessage().contains("ring is full"), gone.getMessage());
    }

    /** 200 parks in a row, each ended by a write of another thread: with hour-long park slices, no wake may be lost. */
    @Test
    void everyParkedPollIsWokenByItsWrite() throws Exception {
        open(4096);
        int rounds = 200;
        java.util.concurrent.Semaphore go = new java.util.concurrent.Semaphore(0);
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < rounds; i++) {
                go.acquireUninterruptibly();
                java.util.concurrent.locks.LockSupport.parkNanos(2_000_000); // the reader is past its spin: parked
                front.writer().write(new MessageObject("wake", "i", i));
            }
        });
        ChannelTest.Collector c = new ChannelTest.Collector();
        for (int i = 0; i < rounds; i++) {
            go.release();
            long start = System.nanoTime();
            assertTrue(back.reader().poll(c, Duration.ofSeconds(20)), "round " + i);
            long waited = System.nanoTime() - start;
            assertTrue(waited < TimeUnit.SECONDS.toNanos(5), "round " + i + " woken after " + waited + " ns");
        }
        writer.join();
        assertEquals(rounds, c.frames.size());
    }

    /** Both directions, and the files are owner-only. */
    @Test
    void bothDirectionsAndOwnerOnlyFiles() throws Exception {
        open(4096);
        back.writer().write(new MessageObject("up", "n", 1));
        ChannelTest.Collector c = new ChannelTest.Collector();
        assertTrue(front.reader().poll(c));
        assertEquals(1, c.frames.get(0).getInt("n"));
        List<String> modes = new ArrayList<>();
        for (String name : List.of(Channel.F2B_RING, Channel.B2F_RING, Channel.CONTROL)) {
            Path file = front.directory().resolve(name);
            modes.add(name + " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
        assertEquals(List.of(Channel.F2B_RING + " rw-------", Channel.B2F_RING + " rw-------", Channel.CONTROL
            + " rw-------"), modes);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(front.directory())));
    }

    /** A journal needs Chronicle: refused on a RING channel, and by start() of a journaled RING process. */
    @Test
    void aJournalIsRefusedOnTheRing() throws Exception {
        Path dir = Files.createTempDirectory("ring-journal");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Channel.create(
                ChannelOptions.defaults().withTransport(Transport.RING).asJournal(dir.resolve("j"))));
            assertTrue(e.getMessage().contains("CHRONICLE"), e.getMessage());
            try (JournalTest.LedgerProcess p = new JournalTest.LedgerProcess("ring-journal")) {
                p.setJournal(dir.resolve("j2"));
                p.setTransport(Transport.RING);
                assertEquals(Transport.RING, p.getTransport());
                IllegalStateException refused = assertThrows(IllegalStateException.class, p::start);
                assertTrue(refused.getMessage().contains("setJournal needs the CHRONICLE transport"), refused.getMessage());
                assertFalse(p.isAlive());
            }
        } finally {
            ipc.sync.ShmDirectory.deleteRecursively(dir);
        }
    }
}
