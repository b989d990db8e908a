package ipc.sync.testing;

import ipc.sync.ShmDirectory;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * When a test JVM's JUnit session ends, removes this JVM's remaining entries under the per-user ipc
 * root ({@link ShmDirectory#rootPath()}), then the root itself if it is empty: the tests create it, and tests leave nothing behind. A root that still holds
 * entries is left as it is (each test checks its own entries are gone; whatever is left is
 * another process's, or a leak for those checks to catch). Registered for every module whose
 * tests have this test-jar on their class path (META-INF/services).
 *
 * <p>Only here, not in the library: the root is shared by all of a user's processes, and one
 * removing it at exit could race another between {@code root()} and creating its entry.
 */
public final class ShmRootCleanup implements LauncherSessionListener {

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        Path root = ShmDirectory.rootPath();
        // This JVM's own entries that live until its exit (ipc-core's per-JVM select bell, removed
        // by a shutdown hook that would run after this): no test runs any more, so they go now.
        // Each test has checked its own entries already; this hides none of those checks.
        long me = ProcessHandle.current().pid();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
            for (Path entry : entries) {
                if (ShmDirectory.ownerPid(entry).orElse(-1) == me) {
                    ShmDirectory.deleteRecursively(entry);
                }
            }
        } catch (NoSuchFileException noRoot) {
            return;
        } catch (IOException e) {
            System.err.println("cannot list the ipc root " + root + ": " + e);
        }
        try {
            Files.deleteIfExists(root);
        } catch (DirectoryNotEmptyException inUse) {
            // entries of a process still running, or a leak: left for their owner and the tests' checks
        } catch (IOException e) {
            System.err.println("cannot remove the empty ipc root " + root + ": " + e);
        }
    }
}
