package ipc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShmDirectoryTest {
    @TempDir
    Path tmp;

    private String savedDir;

    @BeforeEach
    void pointRootAtTempDir() {
        savedDir = System.getProperty(ShmDirectory.DIR_PROPERTY);
        System.setProperty(ShmDirectory.DIR_PROPERTY, tmp.resolve("root").toString());
    }

    @AfterEach
    void restoreRoot() {
        if (savedDir == null) {
            System.clearProperty(ShmDirectory.DIR_PROPERTY);
        } else {
            System.setProperty(ShmDirectory.DIR_PROPERTY, savedDir);
        }
    }

    @Test
    void rootIsCreatedOwnerOnly() throws IOException {
        Path root = ShmDirectory.root();
        assertEquals(tmp.resolve("root"), root);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
    }

    @Test
    void rootOpenToOthersIsRefusedNamingPathAndMode() throws IOException {
        Path root = tmp.resolve("root");
        Files.createDirectory(root);
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        IllegalStateException e = assertThrows(IllegalStateException.class, ShmDirectory::root);
        assertTrue(e.getMessage().contains("path=" + root), e.getMessage());
        assertTrue(e.getMessage().contains("mode=rwxr-xr-x"), e.getMessage());
        assertTrue(e.getMessage().contains("owner="), e.getMessage());
    }

    @Test
    void defaultRootIsPerUserUnderDevShm() {
        System.clearProperty(ShmDirectory.DIR_PROPERTY);
        assertEquals(Path.of("/dev/shm", "ipc-" + System.getProperty("user.name")), ShmDirectory.root());
    }

    @Test
    void uniqueNamesCarryThisPidAndNeverRepeat() {
        long pid = ProcessHandle.current().pid();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            String name = ShmDirectory.uniqueName("eg");
            assertTrue(name.startsWith("eg-" + pid + "-"), name);
            assertEquals(OptionalLong.of(pid), ShmDirectory.ownerPid(Path.of(name)));
            assertTrue(names.add(name), "repeated " + name);
        }
    }

    @Test
    void uniqueNameSkipsNamesLeftByAnEarlierProcessWithOurPid() throws IOException {
        String first = ShmDirectory.uniqueName("skip");
        long next = Long.parseLong(first.substring(first.lastIndexOf('-') + 1)) + 1;
        String taken = "skip-" + ProcessHandle.current().pid() + "-" + next;
        Files.createFile(ShmDirectory.root().resolve(taken));
        String second = ShmDirectory.uniqueName("skip");
        assertFalse(second.equals(taken), second);
        assertFalse(Files.exists(ShmDirectory.root().resolve(second)));
    }

    @Test
    void uniqueNameRejectsABadKind() {
        assertThrows(IllegalArgumentException.class, () -> ShmDirectory.uniqueName(""));
        assertThrows(IllegalArgumentException.class, () -> ShmDirectory.uniqueName("a/b"));
    }

    @Test
    void ownerPidParsesOnlyOurNames() {
        assertEquals(OptionalLong.of(123), ShmDirectory.ownerPid(Path.of("/x/eg-123-4")));
        assertEquals(OptionalLong.of(77), ShmDirectory.ownerPid(Path.of("multi-part-kind-77-0")));
        assertEquals(OptionalLong.empty(), ShmDirectory.ownerPid(Path.of("eg-123")));
        assertEquals(OptionalLong.empty(), ShmDirectory.ownerPid(Path.of("-123-4")));
        assertEquals(OptionalLong.empty(), ShmDirectory.ownerPid(Path.of("eg-12a-4")));
        assertEquals(OptionalLong.empty(), ShmDirectory.ownerPid(Path.of("eg-123-")));
        assertEquals(OptionalLong.empty(), ShmDirectory.ownerPid(Path.of("eg-99999999999999999999-1")));
        assertEquals(OptionalLong.empty(), ShmDirectory.ownerPid(Path.of("/")));
    }

    @Test
    void cleanStaleRemovesOnlyEntriesOfDeadOwners() throws Exception {
        long deadPid = deadPid();
        Path root = ShmDirectory.root();
        Path stale = ShmDirectory.createPrivateDirectory(root.resolve("ch-" + deadPid + "-0"));
        Files.createDirectories(stale.resolve("f2b/sub"));
        Files.writeString(stale.resolve("f2b/sub/data"), "x");
        Path staleFile = ShmDirectory.createPrivateFile(root.resolve("eg-" + deadPid + "-3"));
        Path mine = ShmDirectory.createPrivateFile(root.resolve(ShmDirectory.uniqueName("eg")));
        Path foreignName = ShmDirectory.createPrivateFile(root.resolve("not-ours"));

        assertEquals(2, ShmDirectory.cleanStale());
        assertFalse(Files.exists(stale));
        assertFalse(Files.exists(staleFile));
        assertTrue(Files.exists(mine));
        assertTrue(Files.exists(foreignName));
        assertEquals(0, ShmDirectory.cleanStale());
    }

    @Test
    void privateFilesAndDirectoriesAreOwnerOnlyAndNew() throws IOException {
        Path dir = ShmDirectory.createPrivateDirectory(tmp.resolve("d"));
        Path file = ShmDirectory.createPrivateFile(tmp.resolve("f"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ShmDirectory.createPrivateFile(file));
        assertTrue(e.getMessage().contains("path=" + file), e.getMessage());
        assertThrows(IllegalStateException.class, () -> ShmDirectory.createPrivateDirectory(dir));
    }

    @Test
    void deleteRecursivelyIsQuietWhenMissing() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("a/b/c"));
        Files.writeString(dir.resolve("x"), "x");
        ShmDirectory.deleteRecursively(tmp.resolve("a"));
        assertFalse(Files.exists(tmp.resolve("a")));
        ShmDirectory.deleteRecursively(tmp.resolve("a"));
        ShmDirectory.deleteRecursively(tmp.resolve("never"));
    }

    /** The pid of a process that has exited (a short-lived `true`). */
    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long pid = p.pid();
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid reused already: " + pid);
        return pid;
    }
}
