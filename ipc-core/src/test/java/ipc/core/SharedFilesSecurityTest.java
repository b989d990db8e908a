package ipc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ipc.sync.ShmDirectory;
import ipc.sync.testing.ChildJvm;
import ipc.sync.testing.SmallTmpfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What another user can do with the library's shared files, and what else the library exposes.
 * One child JVM ({@link SharedFilesPeer} {@code use}), started with umask 000 and its own
 * {@code ipc.dir}, creates and uses two channels (one across a roll), a select bell, an event
 * group and a shared mapping, then holds them open while this test looks:
 * <ul>
 *   <li>every directory under the root is 0700 and every file 0600, whatever the umask;</li>
 *   <li>a second uid (nobody, through {@code setpriv}; skipped when neither setpriv nor runuser is
 *       there, or not root) gets "Permission denied" for every entry, and still does for every file
 *       and directory when the directories are opened up for traversal (0711), so the file modes
 *       alone keep it out;</li>
 *   <li>the process holds no socket;</li>
 *   <li>no class of Java serialization (ObjectInputStream, ObjectOutputStream) was loaded.</li>
 * </ul>
 */
class SharedFilesSecurityTest {
    private static final int NOBODY = 65534;

    private static Path work;
    private static Path root;
    private static ChildJvm peer;
    private static final Map<String, String> REPORT = new LinkedHashMap<>();

    @BeforeAll
    static void startPeer() throws Exception {
        // Traversable (0711) by other users, so that what keeps them out is the library's root, not this directory.
        work = Files.createTempDirectory("shared-files", PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx--x--x")));
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
        root = work.resolve("ipc");
        Path result = work.resolve("result");
        List<String> java = ChildJvm.command(SharedFilesPeer.class,
            List.of("-Dipc.dir=" + root, "-Xlog:class+load=info:file=" + work.resolve("classes.log")),
            "use", result.toString());
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "umask 000 && exec \"$@\"", "sh"));
        cmd.addAll(java);
        peer = ChildJvm.start(new ProcessBuilder(cmd));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(result) && Files.readString(result).contains("ready=true"))) {
            assertTrue(peer.process().isAlive(), "peer died before it was ready");
            assertTrue(System.nanoTime() < deadline, "peer not ready in time");
            Thread.sleep(50);
        }
        for (String line : Files.readAllLines(result)) {
            int eq = line.indexOf('=');
            REPORT.put(line.substring(0, eq), line.substring(eq + 1));
        }
    }

    @AfterAll
    static void stopPeer() {
        if (peer != null) {
            peer.close(); // SIGKILL: its files stay, and go with the work directory
        }
        if (work != null) {
            ShmDirectory.deleteRecursively(work);
        }
    }

    /** Every path under the root, the root included, as the test sees it now. */
    private static List<Path> entries() throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::exists).toList();
        }
    }

    @Test
    void everyDirectoryIs0700AndEveryFile0600UnderUmask000() throws Exception {
        assertEquals("0000", REPORT.get("umask"), "the peer ran with umask 000: " + REPORT);
        List<String> names = new ArrayList<>();
        for (Path p : entries()) {
            String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
            assertEquals(Files.isDirectory(p) ? "rwx------" : "rw-------", mode, "mode of " + p);
            names.add(root.relativize(p).toString());
        }
        // One of each kind, so that the modes above cover them all.
        for (String kind : List.of("bell-", "eg-", "map-")) {
            assertTrue(names.stream().anyMatch(n -> n.startsWith(kind) && !n.contains("/")), kind + " in " + names);
        }
        for (String inChannel : List.of("control", "f2b", "b2f", "f2b/metadata.cq4t", "b2f/metadata.cq4t")) {
            assertTrue(names.stream().anyMatch(n -> n.matches("ch-[0-9]+-[0-9]+/" + inChannel)), inChannel + " in " + names);
        }
        assertTrue(names.stream().anyMatch(n -> n.matches("ch-.*/f2b/.*\\.cq4")), "f2b cycle files in " + names);
        assertTrue(names.stream().anyMatch(n -> n.matches("ch-.*/b2f/.*\\.cq4")), "b2f cycle files in " + names);
    }

    @Test
    void anotherUidIsDeniedEveryEntryEvenWithTheDirectoriesOpenedForTraversal() throws Exception {
        List<String> asNobody = asNobody();
        List<Path> entries = entries();
        List<String> checks = new ArrayList<>();
        for (Path p : entries) {
            checks.add((Files.isDirectory(p) ? "d:" : "f:") + p);
        }
        assertAllDenied(run(asNobody, checks), entries.size());

        // A mistake elsewhere (a parent opened up) must not expose anything: open every directory
        // for traversal by others; the files' own modes and the directories' missing r/w bits must
        // still refuse reading, listing, writing and creating.
        for (Path p : entries) {
            if (Files.isDirectory(p)) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx--x--x"));
            }
        }
        try {
            assertAllDenied(run(asNobody, checks), entries.size());
        } finally {
            for (Path p : entries) {
                if (Files.isDirectory(p)) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
                }
            }
        }
    }

    /** The prefix that runs a command as uid/gid 65534 with no supplementary groups, or skips the test. */
    private static List<String> asNobody() {
        assumeTrue("root".equals(System.getProperty("user.name")), "switching uid needs root");
        if (SmallTmpfs.run("setpriv", "--version").exit() == 0) {
            return List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--");
        }
        if (SmallTmpfs.run("runuser", "--version").exit() == 0) {
            return List.of("runuser", "-u", "nobody", "--");
        }
        assumeTrue(false, "neither setpriv nor runuser is installed");
        return List.of();
    }

    /**
     * As the other user, for each {@code d:<dir>} lists it and creates a file in it, for each
     * {@code f:<file>} reads it and appends to it; one output line per attempt:
     * {@code <exit status> <op> <path>: <error text>}.
     */
    private static List<String> run(List<String> asUser, List<String> checks) {
        String script = """
            for a in "$@"; do
              t=${a%%:*}; p=${a#*:}
              if [ "$t" = d ]; then
                out=$(ls "$p" 2>&1 >/dev/null); echo "$? list $p: $out"
                out=$( (: > "$p/intruder") 2>&1); echo "$? create $p: $out"
              else
                out=$(cat "$p" 2>&1 >/dev/null); echo "$? read $p: $out"
                out=$( (echo x >> "$p") 2>&1); echo "$? write $p: $out"
              fi
            done
            """;
        List<String> cmd = new ArrayList<>(asUser);
        cmd.addAll(List.of("sh", "-c", script, "sh"));
        cmd.addAll(checks);
        SmallTmpfs.Run r = SmallTmpfs.run(cmd.toArray(String[]::new));
        assertEquals(0, r.exit(), "the check script itself ran: " + r.output());
        return r.output().lines().toList();
    }

    private static void assertAllDenied(List<String> lines, int entries) {
        assertEquals(2 * entries, lines.size(), "two attempts per entry: " + lines);
        for (String line : lines) {
            assertTrue(!line.startsWith("0 ") && line.contains("Permission denied"),
                "another user must get EACCES, not success or 'no such file': " + line);
        }
    }

    @Test
    void theProcessHoldsNoSocket() {
        assertEquals("[]", REPORT.get("sockets"), "no socket among the peer's file descriptors: " + REPORT);
    }

    @Test
    void noJavaSerializationClassWasLoaded() throws Exception {
        List<String> loaded = Files.readAllLines(work.resolve("classes.log"));
        assertTrue(loaded.stream().anyMatch(l -> l.contains(" ipc.core.channel.Channel ")), "the class log works");
        List<String> serialization = loaded.stream()
            .filter(l -> l.contains(" java.io.ObjectInputStream ") || l.contains(" java.io.ObjectOutputStream ")).toList();
        assertEquals(List.of(), serialization);
    }
}
