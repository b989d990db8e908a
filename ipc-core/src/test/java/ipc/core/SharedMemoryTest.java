package ipc.core;


import ipc.sync.ShmDirectory;
import ipc.sync.testing.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SharedMemory: the Python-like API, owner-only files, clear errors, nothing left behind, stale
 * files of dead creators (a fake header, and a creator JVM killed with SIGKILL), and data shared
 * with another process.
 */
@Timeout(60)
class SharedMemoryTest {
    private static final long ME = ProcessHandle.current().pid();
    private final List<String> names = new ArrayList<>();

    /** A name of this JVM and test, removed after the test whatever happened. */
    private String name(String what) {
        String n = "smt-" + what + "-" + ME;
        names.add(n);
        return n;
    }

    @AfterEach
    void removeFiles() {
        for (String n : names) {
            ShmDirectory.deleteRecursively(SharedMemory.fileOf(n));
        }
    }

    @Test
    void createOpenAndTheAccessors() {
        String n = name("api");
        try (SharedMemory created = SharedMemory.create(n, 1000)) {
            assertEquals(n, created.name());
            assertEquals(1000, created.size());
            assertEquals(1000, created.segment().byteSize());
            assertTrue(created.isCreator());
            assertEquals(0L, created.segment().get(ValueLayout.JAVA_LONG, 992), "a new segment is zeroed");
            assertEquals(0, created.segment().address() % 64, "user bytes start on a cache line");
            created.segment().set(ValueLayout.JAVA_DOUBLE, 8, 101.25);
            try (SharedMemory opened = SharedMemory.open(n)) {
                assertFalse(opened.isCreator());
                assertEquals(1000, opened.size());
                assertEquals(101.25, opened.segment().get(ValueLayout.JAVA_DOUBLE, 8), "the same bytes");
                opened.segment().set(ValueLayout.JAVA_INT, 0, 77);
                assertEquals(77, created.segment().get(ValueLayout.JAVA_INT, 0));
            }
            assertTrue(Files.exists(SharedMemory.fileOf(n)), "an opener's close only unmaps");
            assertTrue(created.toString().contains(n) && created.toString().contains("creator"), created.toString());
        }
        assertFalse(Files.exists(SharedMemory.fileOf(n)), "the creator's close unlinks");
        assertThrows(IllegalStateException.class, () -> SharedMemory.open(n));
    }

    @Test
    void filesAreOwnerOnly() throws IOException {
        String n = name("mode");
        try (SharedMemory shm = SharedMemory.create(n, 64)) {
            Path file = SharedMemory.fileOf(n);
            assertEquals(ShmDirectory.root().resolve("shm." + n + ".seg"), file);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(ShmDirectory.root())));
            assertEquals(SharedMemoryDescriptor.HEADER_BYTES + 64, Files.size(file));
        }
    }

    @Test
    void createOfAnExistingNameAndOpenOfAMissingOneFailClearly() {
        String n = name("exists");
        try (SharedMemory shm = SharedMemory.create(n, 64)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> SharedMemory.create(n, 64));
            assertTrue(e.getMessage().contains("already exists") && e.getMessage().contains("name=" + n)
                && e.getMessage().contains("creatorPid=" + ME), e.getMessage());
            assertEquals(64, shm.size(), "the existing segment is untouched");
        }
        String missing = name("missing");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SharedMemory.open(missing));
        assertTrue(e.getMessage().contains("no shared memory") && e.getMessage().contains("name=" + missing), e.getMessage());
    }

    @Test
    void badNamesAndSizesAreArgumentErrors() {
        for (String bad : new String[] {null, "", "a/b", "../x", "with space", "x".repeat(201), "naïve"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SharedMemory.create(bad, 64));
            assertTrue(e.getMessage().contains("name=" + bad), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> SharedMemory.open(bad));
        }
        String n = name("size");
        for (long bad : new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, SharedMemoryDescriptor.MAX_SIZE + 1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SharedMemory.create(n, bad));
            assertTrue(e.getMessage().contains("size=" + bad), e.getMessage());
        }
        assertFalse(Files.exists(SharedMemory.fileOf(n)));
    }

    @Test
    void aSegmentLargerThanTheFreeSpaceIsRefusedBeforeWritingAByte() throws IOException {
        String n = name("huge");
        long usable = Files.getFileStore(ShmDirectory.root()).getUsableSpace();
        long size = usable + (1L << 30);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SharedMemory.create(n, size));
        assertTrue(e.getMessage().contains("not enough space") && e.getMessage().contains("name=" + n), e.getMessage());
        assertFalse(Files.exists(SharedMemory.fileOf(n)));
    }

    @Test
    void nothingIsLeftAfterUnlinkOrTheCreatorsClose() {
        String n = name("unlink");
        SharedMemory creator = SharedMemory.create(n, 128);
        SharedMemory opener = SharedMemory.open(n);
        opener.unlink();
        assertFalse(Files.exists(SharedMemory.fileOf(n)), "unlink removes the name");
        assertThrows(IllegalStateException.class, () -> SharedMemory.open(n));
        creator.segment().set(ValueLayout.JAVA_LONG, 0, 5L);
        assertEquals(5L, opener.segment().get(ValueLayout.JAVA_LONG, 0), "mappings stay valid after unlink");

        // the name is free again: a new segment under it survives the old creator's close
        try (SharedMemory newer = SharedMemory.create(n, 256)) {
            creator.close();
            assertTrue(Files.exists(SharedMemory.fileOf(n)), "the old creator's close does not delete a newer segment");
            try (SharedMemory again = SharedMemory.open(n)) {
                assertEquals(256, again.size());
            }
        }
        assertFalse(Files.exists(SharedMemory.fileOf(n)));
        opener.close();
        opener.close();
        creator.unlink();
        assertThrows(IllegalStateException.class, creator::segment, "closed");
        assertTrue(creator.isClosed());
    }

    /** Writes a segment file as a creator with {@code pid} would have left it. */
    private static void writeSegmentFile(String name, long pid, boolean committed) throws IOException {
        Path file = ShmDirectory.createPrivateFile(SharedMemory.fileOf(name));
        ByteBuffer b = ByteBuffer.allocate((int) SharedMemoryDescriptor.HEADER_BYTES + 64).order(ByteOrder.nativeOrder());
        b.putInt((int) SharedMemoryDescriptor.MAGIC_OFFSET, committed ? SharedMemoryDescriptor.MAGIC : 0);
        b.putInt((int) SharedMemoryDescriptor.VERSION_OFFSET, SharedMemoryDescriptor.VERSION);
        b.putLong((int) SharedMemoryDescriptor.SIZE_OFFSET, 64);
        b.putLong((int) SharedMemoryDescriptor.CREATOR_PID_OFFSET, pid);
        b.putLong((int) SharedMemoryDescriptor.HEADER_BYTES, 0x5EEDL); // stale data
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(b);
        }
    }

    /** The pid of a process that has exited (reuse within the test is possible but vanishingly unlikely). */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    @Test
    void aFileLeftByADeadCreatorIsReplacedOnCreate() throws Exception {
        String n = name("dead");
        long dead = deadPid();
        writeSegmentFile(n, dead, true);
        assertEquals(dead, SharedMemory.readCreatorPid(SharedMemory.fileOf(n)));
        try (SharedMemory shm = SharedMemory.create(n, 32)) {
            assertTrue(shm.isCreator());
            assertEquals(32, shm.size());
            assertEquals(0L, shm.segment().get(ValueLayout.JAVA_LONG, 0), "a fresh segment, not the stale bytes");
            assertEquals(ME, SharedMemory.readCreatorPid(SharedMemory.fileOf(n)));
        }
    }

    @Test
    void aFileOfALiveCreatorOrWithoutACommittedHeaderIsLeftAlone() throws Exception {
        String live = name("live");
        long parent = ProcessHandle.current().parent().orElseThrow().pid();
        writeSegmentFile(live, parent, true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SharedMemory.create(live, 32));
        assertTrue(e.getMessage().contains("creatorPid=" + parent), e.getMessage());

        String unpublished = name("unpublished");
        writeSegmentFile(unpublished, deadPid(), false); // as if its creator were still writing the header
        SharedMemory.cleanStale();
        assertTrue(Files.exists(SharedMemory.fileOf(live)));
        assertTrue(Files.exists(SharedMemory.fileOf(unpublished)), "no committed header: maybe being created");
        IllegalStateException notYet = assertThrows(IllegalStateException.class, () -> SharedMemory.open(unpublished));
        assertTrue(notYet.getMessage().contains("bad magic"), notYet.getMessage());
    }

    @Test
    void aProcessStartSweepsSegmentsOfDeadCreators() throws Exception {
        String n = name("sweep");
        writeSegmentFile(n, deadPid(), true);
        assertTrue(Files.exists(SharedMemory.fileOf(n)));
        try (SweepProbe p = new SweepProbe()) {
            p.start();
        }
        assertFalse(Files.exists(SharedMemory.fileOf(n)), "swept without anyone creating that name again");
    }

    /** A process that does nothing: its start() is what sweeps. */
    static final class SweepProbe extends MessageProcess {
        SweepProbe() {
            super("sweep-probe");
        }
    }

    @Test
    void aCreatorKilledWithSigkillLeavesAFileThatIsSweptAndReplaced() throws Exception {
        String n = name("killed");
        String other = name("killed-other");
        long childPid;
        try (ChildJvm creator = ChildJvm.start(SharedMemoryPeer.class, "create", n, "4096");
             ChildJvm creator2 = ChildJvm.start(SharedMemoryPeer.class, "create", other, "64")) {
            childPid = creator.pid();
            awaitValue(n, 7L);
            awaitValue(other, 7L);
            assertEquals(childPid, SharedMemory.readCreatorPid(SharedMemory.fileOf(n)));
        } // SIGKILL: no close, no shutdown hook
        assertTrue(Files.exists(SharedMemory.fileOf(n)), "a killed creator leaves its file");
        try (SharedMemory leftover = SharedMemory.open(n)) {
            assertEquals(7L, leftover.segment().get(ValueLayout.JAVA_LONG, 8), "its data, until swept");
        }
        try (SharedMemory fresh = SharedMemory.create(n, 128)) {
            assertEquals(128, fresh.size());
            assertEquals(0L, fresh.segment().get(ValueLayout.JAVA_LONG, 8));
            assertFalse(Files.exists(SharedMemory.fileOf(other)), "create swept the other dead creator's segment too");
        }
        assertFalse(Files.exists(SharedMemory.fileOf(n)));
    }

    private static void awaitValue(String n, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try (SharedMemory shm = SharedMemory.open(n)) {
                if (shm.segment().get(ValueLayout.JAVA_LONG, 8) == expected) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                // not created, or header not committed yet
            }
            Thread.sleep(20);
        }
        throw new AssertionError("segment " + n + " never held " + expected);
    }

    @Test
    void dataWrittenByOneProcessIsSeenByAnother() {
        String n = name("peer");
        try (SharedMemory shm = SharedMemory.create(n, 64)) {
            shm.segment().set(ValueLayout.JAVA_LONG, 0, 41L);
            try (ChildJvm peer = ChildJvm.start(SharedMemoryPeer.class, "open", n)) {
                assertEquals(0, peer.waitFor(Duration.ofSeconds(30)), "the peer saw 41 as an opener");
            }
            assertEquals(42L, shm.segment().get(ValueLayout.JAVA_LONG, 8), "and we see what it wrote");
            assertTrue(Files.exists(SharedMemory.fileOf(n)), "the peer's close did not unlink");
        }
    }
}
