package ipc.core.channel;

import ipc.core.frame.FrameCodec;
import ipc.core.frame.FrameDescriptor;
import ipc.core.frame.FrameException;
import ipc.core.frame.FrameHandler;
import ipc.core.frame.FrameReader;
import ipc.core.MessageObject;
import ipc.core.channel.chronicle.QueueDirection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Both sides of a channel in this JVM (the two-process case is {@link TwoJvmChannelTest}). */
public class ChannelTest {
    private Channel front;
    private Channel back;

    @BeforeEach
    void open() {
        front = Channel.create();
        back = Channel.open(front.directory());
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

    /** Collects what a reader delivers. */
    public static final class Collector implements FrameHandler {
        public final List<MessageObject> frames = new ArrayList<>();
        public final List<FrameException> bad = new ArrayList<>();

        @Override
        public void onFrame(FrameReader frame) {
            frames.add(frame.toMessageObject());
        }

        @Override
        public void onBadFrame(FrameException error) {
            bad.add(error);
        }
    }

    private static Collector drain(Channel side) {
        Collector c = new Collector();
        while (side.reader().poll(c)) {
            // keep reading
        }
        return c;
    }

    @Test
    void framesCrossInBothDirectionsInOrder() {
        for (int i = 0; i < 100; i++) {
            front.writer().write(new MessageObject("f2b", "i", i, "s", "x" + i));
            back.writer().write(new MessageObject("b2f", "i", (long) i, "l", List.of(i)));
        }
        Collector atBack = drain(back);
        Collector atFront = drain(front);
        assertEquals(100, atBack.frames.size());
        assertEquals(100, atFront.frames.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(new MessageObject("f2b", "i", i, "s", "x" + i), atBack.frames.get(i));
            assertEquals(new MessageObject("b2f", "i", (long) i, "l", List.of(i)), atFront.frames.get(i));
        }
        assertTrue(atBack.bad.isEmpty() && atFront.bad.isEmpty());
    }

    enum Side { BUY, SELL }

    @Test
    void everyValueTypeCrossesTheChannel() {
        MessageObject all = new MessageObject("all", "null", null, "bool", false, "byte", (byte) -7,
            "short", Short.MIN_VALUE, "int", -1, "long", Long.MIN_VALUE, "float", Float.NaN, "double", -0.0,
            "char", '\u20ac', "string", "gr\u00fc\u00dfe \ud83d\ude80", "bytes", new byte[] {0, -1, 127},
            "ints", new int[] {Integer.MAX_VALUE}, "longs", new long[] {}, "doubles", new double[] {Math.PI},
            "enum", Side.SELL, "list", List.of(List.of(), "x", 2L), "map", java.util.Map.of("k", List.of(true)));
        front.writer().write(all);
        back.writer().write(all);
        assertEquals(all, drain(back).frames.get(0));
        assertEquals(all, drain(front).frames.get(0));
    }

    @Test
    void sidesAndStateAreRecorded() {
        assertTrue(front.isCreator());
        assertFalse(back.isCreator());
        assertEquals(ProcessHandle.current().pid(), front.frontendPid());
        assertEquals(ProcessHandle.current().pid(), front.backendPidAcquire());
        assertEquals(Channel.State.ATTACHED, back.stateAcquire());
    }

    @Test
    void aSecondBackendIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Channel.open(front.directory()));
        assertTrue(e.getMessage().contains("state=ATTACHED"), e.getMessage());
    }

    @Test
    void aDirectoryWithoutAChannelIsRefused() throws Exception {
        Path empty = Files.createTempDirectory("not-a-channel");
        try {
            assertThrows(IllegalStateException.class, () -> Channel.open(empty));
        } finally {
            Files.delete(empty);
        }
    }

    @Test
    void eachBadFrameIsReportedWithItsReasonAndNothingAfterItIsLost() {
        // A 64 KiB limit: the queue's excerpts can hold 4x that, room for a raw oversized frame.
        try (Channel small = Channel.create(ChannelOptions.defaults().withMaxFrameBytes(64 * 1024));
             Channel smallBack = Channel.open(small.directory())) {
            badFramesAreSkipped(small, smallBack);
        }
    }

    private static void badFramesAreSkipped(Channel front, Channel back) {
        byte[] good = FrameCodec.encode(new MessageObject("ok", "n", 1));
        byte[] badMagic = good.clone();
        badMagic[0] = 'X';
        byte[] badVersion = good.clone();
        badVersion[FrameDescriptor.VERSION_OFFSET] = 9;
        byte[] unknownType = good.clone();
        unknownType[good.length - 5] = 99;
        byte[] lengthPastExcerpt = Arrays.copyOf(good, good.length - 2);
        byte[] truncated = Arrays.copyOf(good, 5);
        byte[] oversized = encodeWithoutLimit(new MessageObject("big", "b", new byte[2 * front.writer().maxFrameBytes()]));
        List<byte[]> bad = List.of(truncated, badMagic, badVersion, lengthPastExcerpt, unknownType, oversized);
        int n = 0;
        for (byte[] frame : bad) {
            front.writer().write(new MessageObject("seq", "n", n++));
            front.writer().writeRaw(frame);
        }
        front.writer().write(new MessageObject("seq", "n", n++));

        Collector c = drain(back);
        assertEquals(List.of(FrameException.Reason.TRUNCATED, FrameException.Reason.BAD_MAGIC,
                FrameException.Reason.BAD_VERSION, FrameException.Reason.LENGTH_PAST_EXCERPT,
                FrameException.Reason.UNKNOWN_TYPE, FrameException.Reason.OVERSIZED),
            c.bad.stream().map(FrameException::reason).toList());
        assertEquals(n, c.frames.size(), "every good frame around the bad ones arrives");
        for (int i = 0; i < n; i++) {
            assertEquals(i, c.frames.get(i).getInt("n"));
        }
        assertEquals(bad.size(), back.reader().badFrames());
    }

    /** Encodes past any channel's limit: what a misbehaving writer could put on the queue. */
    private static byte[] encodeWithoutLimit(MessageObject m) {
        byte[] frame = new byte[FrameCodec.frameLength(m, FrameDescriptor.MAX_MAX_FRAME_BYTES)];
        FrameCodec.encode(m, java.lang.foreign.MemorySegment.ofArray(frame), 0, FrameDescriptor.MAX_MAX_FRAME_BYTES);
        return frame;
    }

    @Test
    void anOversizedMessageIsRefusedAtTheSenderAndNothingIsWritten() {
        try (Channel small = Channel.create(ChannelOptions.defaults().withMaxFrameBytes(256));
             Channel smallBack = Channel.open(small.directory())) {
            FrameException e = assertThrows(FrameException.class,
                () -> small.writer().write(new MessageObject("big", "b", new byte[300])));
            assertEquals(FrameException.Reason.OVERSIZED, e.reason());
            assertTrue(e.getMessage().contains("maxFrameBytes=256"), e.getMessage());
            assertFalse(smallBack.reader().hasNext());
            small.writer().write(new MessageObject("fits", "b", new byte[100]));
            assertEquals(1, drain(smallBack).frames.size());
        }
    }

    @Test
    void framesAtTheLimitCrossChunkBoundariesIntact() {
        int limit = 300_000;
        try (Channel wide = Channel.create(ChannelOptions.defaults().withMaxFrameBytes(limit));
             Channel wideBack = Channel.open(wide.directory())) {
            MessageObject probe = new MessageObject("big", "i", 0, "b", new byte[0]);
            int payloadBytes = limit - FrameCodec.frameLength(probe, limit);
            long block = QueueDirection.blockSize(limit);
            int frames = 0;
            int crossings = 0; // chunk boundaries passed within one cycle file (a roll restarts the file)
            while (crossings < 2) {
                assertTrue(frames < 200, "no chunk crossings after " + frames + " frames");
                int cycle = wide.writer().cycle();
                long chunk = wide.writer().position() / block;
                byte[] payload = new byte[payloadBytes];
                Arrays.fill(payload, (byte) frames);
                payload[0] = (byte) ~frames;
                MessageObject m = new MessageObject("big", "i", frames, "b", payload);
                assertEquals(limit, FrameCodec.frameLength(m, limit));
                wide.writer().write(m);
                frames++;
                if (wide.writer().cycle() == cycle && wide.writer().position() / block != chunk) {
                    crossings++;
                }
            }
            Collector c = drain(wideBack);
            assertEquals(frames, c.frames.size());
            for (int i = 0; i < frames; i++) {
                byte[] payload = c.frames.get(i).getBytes("b");
                assertEquals(i, c.frames.get(i).getInt("i"));
                assertEquals((byte) ~i, payload[0]);
                for (int j = 1; j < payload.length; j++) {
                    if (payload[j] != (byte) i) {
                        throw new AssertionError("frame " + i + " corrupt at byte " + j);
                    }
                }
            }
        }
    }

    @Test
    void hasNextConsumesNothing() {
        assertFalse(back.reader().hasNext());
        front.writer().write(new MessageObject("one"));
        assertTrue(back.reader().hasNext());
        assertTrue(back.reader().hasNext());
        assertEquals(1, drain(back).frames.size());
        assertFalse(back.reader().hasNext());
    }

    @Test
    void aHandlerThatThrowsStillConsumesItsFrame() {
        front.writer().write(new MessageObject("boom"));
        front.writer().write(new MessageObject("next"));
        assertThrows(IllegalStateException.class, () -> back.reader().poll(f -> {
            throw new IllegalStateException("handler failed");
        }));
        assertEquals("next", drain(back).frames.get(0).command());
    }

    /**
     * Doorbells that park for up to an hour at a time: with the default 100 ms slice a lost
     * wake-up would only delay the reader to the next slice, and the test would pass.
     */
    private static final Duration NO_SLICE = Duration.ofHours(1);

    @Test
    void timedPollTimesOutThenWakesOnAWrite() throws Exception {
        back.close();
        front.close();
        front = Channel.create(ChannelOptions.defaults(), NO_SLICE);
        back = Channel.open(front.directory(), NO_SLICE);
        long start = System.nanoTime();
        assertFalse(back.reader().poll(f -> { }, Duration.ofMillis(150)));
        long waited = System.nanoTime() - start;
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(150), "waited=" + waited);

        CountDownLatch parked = new CountDownLatch(1);
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                parked.await();
                Thread.sleep(200); // long enough for the reader to be parked on the futex
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            front.writer().write(new MessageObject("wake"));
        });
        parked.countDown();
        Collector c = new Collector();
        start = System.nanoTime();
        assertTrue(back.reader().poll(c, Duration.ofSeconds(10)));
        long woke = System.nanoTime() - start;
        writer.join();
        assertEquals("wake", c.frames.get(0).command());
        assertTrue(woke < TimeUnit.SECONDS.toNanos(2), "a ring must end the park, not the timeout: woke=" + woke);
    }

    /** Many parks in a row, each ended by a write from another thread: not one ring may be lost. */
    @Test
    void everyParkedPollIsWokenByItsWrite() throws Exception {
        back.close();
        front.close();
        front = Channel.create(ChannelOptions.defaults(), NO_SLICE);
        back = Channel.open(front.directory(), NO_SLICE);
        int rounds = 200;
        java.util.concurrent.Semaphore go = new java.util.concurrent.Semaphore(0);
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < rounds; i++) {
                go.acquireUninterruptibly();
                java.util.concurrent.locks.LockSupport.parkNanos(2_000_000); // the reader is past its spin: parked
                front.writer().write(new MessageObject("wake", "i", i));
            }
        });
        Collector c = new Collector();
        for (int i = 0; i < rounds; i++) {
            go.release();
            long begin = System.nanoTime();
            assertTrue(back.reader().poll(c, Duration.ofSeconds(10)), "no frame at round " + i);
            // a lost ring parks the reader to its timeout (the poll after it still finds the frame)
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
            assertTrue(millis < 5_000, "ring lost at round " + i + ": the poll took " + millis + " ms");
        }
        writer.join();
        assertEquals(rounds, c.frames.size());
    }

    @Test
    void anInterruptedThreadGetsFalseAndTheChannelKeepsWorking() {
        Thread.currentThread().interrupt();
        try {
            assertFalse(back.reader().poll(f -> { }, Duration.ofSeconds(5)));
            assertTrue(Thread.currentThread().isInterrupted(), "interrupt status is kept");
            // Chronicle must not have closed its file channels on the interrupt.
            front.writer().write(new MessageObject("while interrupted"));
            assertEquals(1, drain(back).frames.size());
        } finally {
            Thread.interrupted();
        }
        front.writer().write(new MessageObject("after"));
        assertEquals("after", drain(back).frames.get(0).command());
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseFailsClearly() {
        back.close();
        back.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> back.writer().write(new MessageObject("late")));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> back.reader().poll(f -> { }));
    }

    @Test
    void closingTheFrontendRemovesEveryFile() {
        Path dir = front.directory();
        front.writer().write(new MessageObject("x"));
        back.writer().write(new MessageObject("y"));
        drain(back);
        drain(front);
        assertEquals(Channel.State.ATTACHED, back.stateAcquire());
        front.close();
        assertFalse(Files.exists(dir), "directory left after close: " + dir);
        front.close();
    }

    @Test
    void backendSeesTheFrontendClose() {
        front.close();
        assertEquals(Channel.State.CLOSED, back.stateAcquire());
    }

    @Test
    void everyFileAndDirectoryIsOwnerOnlyAcrossRolls() throws Exception {
        front.writer().write(new MessageObject("a"));
        back.writer().write(new MessageObject("b"));
        Thread.sleep(1100); // into the next roll cycle: new cycle files
        front.writer().write(new MessageObject("c"));
        back.writer().write(new MessageObject("d"));
        drain(back);
        drain(front);
        // The reader deletes passed cycle files from Chronicle's background thread, so a file
        // may vanish between listing and stat: such a file is skipped, the rest must be private.
        List<String> checked = new ArrayList<>();
        checkOwnerOnly(front.directory(), checked);
        assertTrue(checked.size() >= 7, "expected the channel's files: " + checked);
    }

    private static void checkOwnerOnly(Path p, List<String> checked) throws java.io.IOException {
        String mode;
        try {
            mode = java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        } catch (java.nio.file.NoSuchFileException reaped) {
            return;
        }
        boolean dir = Files.isDirectory(p);
        assertEquals(dir ? "rwx------" : "rw-------", mode, "mode of " + p);
        checked.add(p + " " + mode);
        if (dir) {
            List<Path> children;
            try (Stream<Path> s = Files.list(p)) {
                children = s.toList();
            }
            for (Path child : children) {
                checkOwnerOnly(child, checked);
            }
        }
    }

    @Test
    void cycleFilesTheReaderHasPassedAreDeleted() throws Exception {
        Path f2b = front.directory().resolve(Channel.F2B);
        int rolls = 0;
        int lastCycle = Integer.MIN_VALUE;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (rolls < 4 && System.nanoTime() < deadline) {
            front.writer().write(new MessageObject("tick"));
            assertEquals(1, drain(back).frames.size());
            if (back.reader().cycle() != lastCycle) {
                lastCycle = back.reader().cycle();
                rolls++;
            }
            Thread.sleep(50);
        }
        assertEquals(4, rolls);
        // Chronicle reports releases from a background thread: give it a moment.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (cycleFiles(f2b).size() > 1 && System.nanoTime() < until) {
            front.writer().write(new MessageObject("tick"));
            drain(back);
            Thread.sleep(20);
        }
        List<Path> left = cycleFiles(f2b);
        assertTrue(left.size() <= 2, "passed cycle files must go: " + left);
    }

    private static List<Path> cycleFiles(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".cq4")).toList();
        }
    }

    @Test
    void aSharedSelectBellIsRungByEveryChannelsBackend() throws Exception {
        try (SelectBell bell = SelectBell.create();
             Channel a = Channel.create(ChannelOptions.defaults().withB2fBell(bell));
             Channel b = Channel.create(ChannelOptions.defaults().withB2fBell(bell));
             Channel aBack = Channel.open(a.directory());
             Channel bBack = Channel.open(b.directory())) {
            assertTrue(a.reader().doorbell() == bell.doorbell() && b.reader().doorbell() == bell.doorbell());
            int before = bell.doorbell().sequenceAcquire();
            bBack.writer().write(new MessageObject("from b"));
            int afterB = bell.doorbell().sequenceAcquire();
            assertTrue(afterB != before, "b's backend rang the shared bell");
            aBack.writer().write(new MessageObject("from a"));
            assertTrue(bell.doorbell().sequenceAcquire() != afterB, "a's backend rang the shared bell");
            assertEquals("from a", drain(a).frames.get(0).command());
            assertEquals("from b", drain(b).frames.get(0).command());
            Path file = bell.path();
            assertTrue(Files.exists(file));
            bell.close();
            assertFalse(Files.exists(file));
        }
    }

    @Test
    void controlSegmentLayoutMatchesItsDescriptor() {
        assertEquals(0, ChannelDescriptor.MAGIC_OFFSET);
        assertEquals(8, ChannelDescriptor.STATE_OFFSET);
        assertEquals(16, ChannelDescriptor.FRONTEND_PID_OFFSET);
        assertEquals(128, ChannelDescriptor.F2B_BELL_OFFSET);
        assertEquals(256, ChannelDescriptor.B2F_BELL_OFFSET);
        assertEquals(384, ChannelDescriptor.B2F_BELL_PATH_OFFSET);
        assertEquals(896, ChannelDescriptor.FRONTEND_WAIT_CPU_OFFSET);
        assertEquals(1024, ChannelDescriptor.BACKEND_WAIT_CPU_OFFSET);
        assertEquals(44, ChannelDescriptor.FLAGS_OFFSET);
        assertEquals(1152, ChannelDescriptor.NAME_LENGTH_OFFSET);
        assertEquals(1156, ChannelDescriptor.NAME_OFFSET);
        assertEquals(1408, ChannelDescriptor.F2B_WRITTEN_OFFSET);
        assertEquals(1536, ChannelDescriptor.F2B_READ_OFFSET);
        assertEquals(1664, ChannelDescriptor.B2F_WRITTEN_OFFSET);
        assertEquals(1792, ChannelDescriptor.B2F_READ_OFFSET);
        assertEquals(1920, ChannelDescriptor.SIZE);
        ByteBuffer magic = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(ChannelDescriptor.MAGIC);
        assertEquals("IPCC", new String(magic.array(), java.nio.charset.StandardCharsets.US_ASCII));
    }
}
