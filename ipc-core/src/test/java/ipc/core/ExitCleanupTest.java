package ipc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ipc.sync.ShmDirectory;
import ipc.sync.testing.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A frontend JVM that exits normally leaves nothing under the ipc root, though it closed neither
 * its process nor the EventGroup the process's constructor made ({@link ExitCleanupPeer}); its
 * backend, which re-opened the group, did not delete it at its own exit.
 */
class ExitCleanupTest {
    @TempDir
    Path tmp;

    @Test
    void aFrontendThatExitsWithoutClosingLeavesNoEntry() throws Exception {
        Path result = tmp.resolve("result");
        long frontendPid;
        try (ChildJvm frontend = ChildJvm.start(ExitCleanupPeer.class, result.toString())) {
            frontendPid = frontend.pid();
            assertEquals(0, frontend.waitFor(Duration.ofSeconds(60)),
                ExitCleanupPeer.EXIT_GROUP_GONE_WITH_BACKEND + ": the backend's exit deleted the frontend's group");
        }
        String[] written = Files.readString(result).split(" ");
        String group = written[0];
        long backendPid = Long.parseLong(written[1]);
        assertFalse(Files.exists(ShmDirectory.root().resolve(group)), "the group of the exited frontend: " + group);
        assertEquals(Set.of(), ShmEntries.ownedBy(frontendPid, backendPid));
    }
}
