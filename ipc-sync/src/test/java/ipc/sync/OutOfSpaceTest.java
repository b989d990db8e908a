package ipc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ipc.sync.testing.ChildJvm;
import ipc.sync.testing.SmallTmpfs;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A full filesystem under a shared file is an {@link OutOfSpaceException} naming the directory,
 * the bytes needed and the bytes free, before anything is mapped; nothing is left behind; and
 * every page of a mapping that was created is backed (a store into it cannot SIGBUS). On a real
 * 4 MiB tmpfs (root only, else skipped).
 */
class OutOfSpaceTest {
    private static final long TMPFS_BYTES = 4L << 20;
    private static final long PAGE = 4096;

    @Test
    void sharedMappingOnAFullFilesystemNamesDirectoryNeededAndFreeAndLeavesNothing() throws Exception {
        try (SmallTmpfs fs = SmallTmpfs.mount(TMPFS_BYTES)) {
            Path balloon = fs.fill("balloon", 64 * 1024);
            long free = fs.freeBytes();
            Path file = fs.dir().resolve("m");
            long size = 1L << 20;
            OutOfSpaceException e = assertThrows(OutOfSpaceException.class, () -> SharedMapping.create(file, size));
            assertEquals(fs.dir(), e.directory());
            assertEquals(size, e.bytesNeeded());
            assertEquals(free, e.bytesFree());
            assertTrue(e.getMessage().contains("directory=" + fs.dir() + " needed=" + size + " free=" + free),
                e.getMessage());
            assertFalse(Files.exists(file), "a failed create leaves no file");
            assertEquals(free, fs.freeBytes(), "a failed create gives back what it took");

            Files.delete(balloon);
            try (SharedMapping m = SharedMapping.create(file, size)) {
                fs.fill("balloon", 0);
                assertTrue(fs.freeBytes() < PAGE, "the filesystem is full now");
                // Every page was backed at create: a store into any of them cannot fault.
                for (long offset = 0; offset < size; offset += PAGE) {
                    m.segment().set(ValueLayout.JAVA_LONG, offset, offset);
                }
                assertEquals(size - PAGE, m.segment().get(ValueLayout.JAVA_LONG, size - PAGE));
                m.unlink();
            }
        }
    }

    @Test
    void reservedBytesAreBackedBeyondTheEndAndAllocateKeepsTheSize() throws Exception {
        try (SmallTmpfs fs = SmallTmpfs.mount(TMPFS_BYTES)) {
            FileSpace space = FileSpace.of(fs.dir().resolve("r"));
            long before = fs.freeBytes();
            space.createReserved(1L << 20);
            assertEquals(0, Files.size(space.path()), "size unchanged");
            assertEquals(before - (1L << 20), fs.freeBytes(), "the bytes are taken");
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(space.path())));
            space.allocate(512 * 1024, 1L << 20); // half of it backed already
            assertEquals(0, Files.size(space.path()));
            assertEquals(before - (3L << 19), fs.freeBytes());

            long free = fs.freeBytes();
            OutOfSpaceException e = assertThrows(OutOfSpaceException.class, () -> space.allocate(0, 8L << 20));
            assertEquals(8L << 20, e.bytesNeeded());
            assertEquals(free, fs.freeBytes(), "tmpfs gives back a failed fallocate's pages");

            FileSpace other = FileSpace.of(fs.dir().resolve("o"));
            assertThrows(OutOfSpaceException.class, () -> other.createReserved(8L << 20));
            assertFalse(Files.exists(other.path()), "a failed createReserved leaves no file");
        }
    }

    @Test
    void anEventGroupTooLargeForTheFilesystemFailsClearlyInItsOwnJvm() throws Exception {
        try (SmallTmpfs fs = SmallTmpfs.mount(TMPFS_BYTES)) {
            Path root = fs.dir().resolve("root");
            Path result = fs.dir().resolve("result");
            int capacity = EventGroupDescriptor.MAX_CAPACITY; // 128 + 65536 * 128 bytes: 8 MiB
            try (ChildJvm peer = ChildJvm.start(EventGroupPeer.class, List.of("-Dipc.dir=" + root),
                "tryCreate", Integer.toString(capacity), result.toString())) {
                assertEquals(0, peer.waitFor(Duration.ofSeconds(30)), "peer exit code");
            }
            String outcome = Files.readString(result);
            assertTrue(outcome.startsWith("error " + OutOfSpaceException.class.getName() + ": "), outcome);
            assertTrue(outcome.contains("directory=" + root + " needed=" + EventGroupDescriptor.totalBytes(capacity)
                + " free="), outcome);
            try (Stream<Path> left = Files.list(root)) {
                assertEquals(List.of(), left.toList(), "nothing left in the root");
            }
        }
    }
}
