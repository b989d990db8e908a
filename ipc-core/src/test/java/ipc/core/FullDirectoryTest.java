package ipc.core;

import ipc.core.channel.Channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ipc.sync.OutOfSpaceException;
import ipc.sync.testing.ChildJvm;
import ipc.sync.testing.SmallTmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A channel on a full filesystem (a 4 MiB tmpfs mounted by the test; root only, else skipped):
 * the writer gets an {@link OutOfSpaceException} naming the queue directory, the bytes needed and
 * the bytes free, instead of the SIGBUS that a store into an unbacked page of Chronicle's sparse
 * cycle file raises; the JVM survives; every frame written before is read back intact and in
 * order; after space is freed the next write works; a channel that cannot be created leaves
 * nothing. Each scenario runs in a child JVM ({@link FullDirectoryPeer}), where a SIGBUS shows as
 * a crash exit code (1 with -XX:-CreateCoredumpOnCrash, else 134) instead of killing the test JVM.
 *
 * <p>Before CycleFileSpace, measured with these scenarios: {@code fill} ended in
 * {@code InternalError: a fault occurred in an unsafe memory access operation} (the JVM's
 * translation of the SIGBUS), and the frame written after space was freed never reached the
 * reader (stuck behind the half-written excerpt); {@code roll} killed the JVM (SIGBUS in
 * {@code Unsafe_CompareAndSetInt}, Chronicle's header CAS on the new cycle file); {@code create}
 * got the InternalError from Chronicle's table store.
 */
class FullDirectoryTest {
    private static final long TMPFS_BYTES = 4L << 20;
    private static final List<String> SCENARIOS = List.of("fill", "roll", "create");

    private static Path work;
    private static final List<SmallTmpfs> MOUNTS = new ArrayList<>();
    /** Scenario -> the peer's report, plus "exit" and "dir". */
    private static final Map<String, Map<String, String>> REPORTS = new LinkedHashMap<>();

    /** The three scenarios run at once, each in its own JVM on its own tmpfs: one JVM start of wall time. */
    @BeforeAll
    static void runScenarios() throws Exception {
        work = Files.createTempDirectory("full-directory");
        Map<String, ChildJvm> peers = new LinkedHashMap<>();
        try {
            for (String scenario : SCENARIOS) {
                SmallTmpfs fs = SmallTmpfs.mount(TMPFS_BYTES);
                MOUNTS.add(fs);
                // A crash report goes outside the full tmpfs and the source tree.
                peers.put(scenario, ChildJvm.start(FullDirectoryPeer.class,
                    List.of("-XX:ErrorFile=" + work.resolve("hs_err_%p.log"), "-XX:-CreateCoredumpOnCrash"),
                    scenario, fs.dir().toString(), work.resolve(scenario).toString()));
            }
            for (int i = 0; i < SCENARIOS.size(); i++) {
                String scenario = SCENARIOS.get(i);
                int exit = peers.get(scenario).waitFor(Duration.ofSeconds(60));
                Map<String, String> report = new LinkedHashMap<>();
                Path result = work.resolve(scenario);
                if (Files.exists(result)) {
                    for (String line : Files.readAllLines(result)) {
                        int eq = line.indexOf('=');
                        report.put(line.substring(0, eq), line.substring(eq + 1));
                    }
                }
                report.put("exit", Integer.toString(exit));
                report.put("dir", MOUNTS.get(i).dir().toString());
                System.out.println("FullDirectoryTest " + scenario + ": " + report);
                REPORTS.put(scenario, report);
            }
        } finally {
            for (ChildJvm peer : peers.values()) {
                peer.close();
            }
        }
    }

    @AfterAll
    static void unmount() throws Exception {
        RuntimeException failure = null;
        for (SmallTmpfs fs : MOUNTS) {
            try {
                fs.close();
            } catch (RuntimeException e) {
                failure = failure == null ? e : failure;
            }
        }
        if (work != null) {
            try (Stream<Path> files = Files.list(work)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(work);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void assertOutOfSpace(Map<String, String> report, String queueDirectory) {
        String error = report.get("error");
        assertTrue(error != null && error.startsWith(OutOfSpaceException.class.getName() + ": "), report.toString());
        assertTrue(error.contains("directory=" + queueDirectory + " needed="), report.toString());
        assertTrue(error.matches(".* needed=[1-9][0-9]* free=[0-9]+ .*"), report.toString());
    }

    @Test
    void writingUntilTheFilesystemIsFullEndsInOutOfSpaceAndLosesNothing() throws Exception {
        Map<String, String> report = REPORTS.get("fill");
        assertEquals("0", report.get("exit"), "the JVM must survive a full filesystem: " + report);
        assertOutOfSpace(report, report.get("dir") + "/ch/" + Channel.F2B);
        // 4 MiB less the balloon, the table stores and two cycle files' reservations: at least ~90 frames of 16 KiB
        assertTrue(Integer.parseInt(report.get("written")) > 50, report.toString());
        assertEquals(report.get("written"), report.get("read"), "every frame written before is read: " + report);
        assertEquals("true", report.get("inOrder"), report.toString());
        assertEquals("[]", report.get("bad"), report.toString());
        assertEquals("ok", report.get("retry"), "after freeing space the writer works again: " + report);
        assertEquals("1", report.get("readAfter"), report.toString());
        assertEquals("[]", report.get("left"), "the channel's files go with its close: " + report);
        assertEquals("true", report.get("end"), report.toString());
    }

    @Test
    void aCycleFileThatCannotGrowEndsInOutOfSpaceBeforeChronicleTouchesIt() {
        Map<String, String> report = REPORTS.get("fill");
        assertEquals("0", report.get("exit"), report.toString());
        String error = report.get("grow.error");
        assertTrue(error != null && error.startsWith(OutOfSpaceException.class.getName() + ": "), report.toString());
        assertTrue(error.contains("directory=" + report.get("dir") + "/ch2/" + Channel.F2B + " needed="), report.toString());
        assertTrue(error.contains("T.cq4 "), "the cycle file in use could not grow: " + report);
        assertEquals(report.get("expected.grow"), report.get("read.grow"), "nothing lost: " + report);
        assertEquals("true", report.get("inOrder.grow"), report.toString());
        assertEquals("[]", report.get("bad.grow"), report.toString());
        assertEquals("[]", report.get("grow.left"), report.toString());
    }

    @Test
    void aRollOntoAFullFilesystemEndsInOutOfSpaceInsteadOfACrash() throws Exception {
        Map<String, String> report = REPORTS.get("roll");
        assertEquals("0", report.get("exit"), "the JVM must survive a roll onto a full filesystem: " + report);
        assertOutOfSpace(report, report.get("dir") + "/ch/" + Channel.F2B);
        assertTrue(report.get("error").contains("T.precreated "), "it failed preparing the new cycle file: " + report);
        assertEquals("10", report.get("read"), report.toString());
        assertEquals("true", report.get("inOrder"), report.toString());
        assertEquals("[]", report.get("bad"), report.toString());
        assertEquals("ok", report.get("retry"), report.toString());
        assertEquals("1", report.get("readAfter"), report.toString());
        assertEquals("[]", report.get("left"), report.toString());
    }

    @Test
    void aChannelCreatedOnAFullFilesystemFailsClearlyAndLeavesNothing() throws Exception {
        Map<String, String> report = REPORTS.get("create");
        assertEquals("0", report.get("exit"), report.toString());
        String error = report.get("error");
        assertTrue(error.startsWith(OutOfSpaceException.class.getName() + ": "), report.toString());
        assertTrue(error.contains("directory=" + report.get("dir") + "/ch"), report.toString());
        assertEquals("[balloon]", report.get("left"), "nothing of the channel is left: " + report);
    }
}
