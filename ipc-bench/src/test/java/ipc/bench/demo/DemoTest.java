package ipc.bench.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ipc.sync.ShmDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's demo runs its four steps to the end and leaves no backend process and no file of its own behind. */
@Timeout(180)
class DemoTest {

    @Test
    void runsToTheEndAndLeavesNothingBehind() throws Exception {
        long childrenBefore = liveChildren();
        List<Path> filesBefore = filesOfThisJvm();

        new Demo(1_000, Duration.ofMillis(200)).call(); // throws if any step goes wrong

        assertEquals(childrenBefore, liveChildren(), "no backend process remains");
        List<Path> filesAfter = filesOfThisJvm();
        assertTrue(filesBefore.containsAll(filesAfter), "no file of this JVM remains: before=" + filesBefore
                + " after=" + filesAfter);
    }

    private static long liveChildren() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).count();
    }

    /** Entries of this JVM under the shared root, except its select bell (removed at JVM exit). */
    private static List<Path> filesOfThisJvm() throws Exception {
        String pid = Long.toString(ProcessHandle.current().pid());
        try (Stream<Path> entries = Files.list(ShmDirectory.root())) {
            return entries.filter(p -> p.getFileName().toString().contains("-" + pid)
                    && !p.getFileName().toString().startsWith("bell-")).toList();
        }
    }
}
