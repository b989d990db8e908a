package ipc.core.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class BackendLauncherTest {

    /** Spawned test JVMs: the launcher's defaults plus C1 only (they live for a second; 2 cores). */
    public static final List<String> LEAN = List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    @Test
    void commandIsJavaLibraryFlagsForwardedPropertiesOptionsClassPathMainAndArgs(@TempDir Path dir) {
        BackendLauncher launcher = new BackendLauncher("/jdk/bin/java", List.of("--flag-a", "--flag-b"),
            Map.of("ipc.dir", "/dev/shm/x", "ipc.a", "1"), List.of("-Xmx64m"), "a.jar:b.jar", "ipc.core.BackendMain");

        assertEquals(List.of("/jdk/bin/java", "--flag-a", "--flag-b", "-Dipc.a=1", "-Dipc.dir=/dev/shm/x",
                "-Xmx64m", "-cp", "a.jar:b.jar", "ipc.core.BackendMain", "/dev/shm/ch-1-0", "x"),
            launcher.command(List.of("/dev/shm/ch-1-0", "x"), dir));
    }

    @Test
    void forThisJvmUsesThisJavaBinaryClassPathAndIpcProperties(@TempDir Path dir) {
        System.setProperty("ipc.test.forwarded", "yes");
        try {
            List<String> cmd = BackendLauncher.forThisJvm("Main", BackendLauncher.DEFAULT_JVM_OPTIONS)
                .command(List.of(), dir);

            assertEquals(ProcessHandle.current().info().command().orElseThrow(), cmd.get(0));
            assertTrue(cmd.contains("-Dipc.test.forwarded=yes"), cmd.toString());
            assertFalse(cmd.stream().anyMatch(a -> a.startsWith("-Djava.")), "only ipc.* properties: " + cmd);
            int cp = cmd.indexOf("-cp");
            assertEquals(System.getProperty("java.class.path"), cmd.get(cp + 1));
            assertEquals(BackendLauncher.DEFAULT_JVM_OPTIONS, cmd.subList(cp - 2, cp));
            assertEquals("Main", cmd.getLast());
        } finally {
            System.clearProperty("ipc.test.forwarded");
        }
    }

    @Test
    void jnasLibrarySearchPathIsForwardedSoThatABackendSkipsLdconfig(@TempDir Path dir) {
        String old = System.getProperty(BackendLauncher.JNA_LIBRARY_PATH_PROPERTY);
        System.setProperty(BackendLauncher.JNA_LIBRARY_PATH_PROPERTY, "/usr/lib:/lib");
        try {
            List<String> cmd = BackendLauncher.forThisJvm("Main", BackendLauncher.DEFAULT_JVM_OPTIONS)
                .command(List.of(), dir);

            assertTrue(cmd.contains("-D" + BackendLauncher.JNA_LIBRARY_PATH_PROPERTY + "=/usr/lib:/lib"), cmd.toString());
        } finally {
            if (old == null) {
                System.clearProperty(BackendLauncher.JNA_LIBRARY_PATH_PROPERTY);
            } else {
                System.setProperty(BackendLauncher.JNA_LIBRARY_PATH_PROPERTY, old);
            }
        }
    }

    @Test
    void libraryFlagsAreThoseOfIpcCoreJvmOptions() throws IOException {
        // surefire passes the argfile's path (see the parent pom); the resource is the jar's copy.
        Path argfile = Path.of(System.getProperty("ipc.jvm.options"));
        List<String> expected = BackendLauncher.parseArgfile(Files.readString(argfile));

        List<String> flags = BackendLauncher.libraryFlags();

        assertEquals(expected, flags);
        assertTrue(flags.contains("--enable-native-access=ALL-UNNAMED"), flags.toString());
        assertTrue(flags.stream().noneMatch(f -> f.startsWith("#") || f.isBlank()), flags.toString());
    }

    @Test
    void argfileParsingSkipsCommentsAndBlankLinesAndSplitsOnWhitespace() {
        String text = "# comment\n\n  --add-opens=java.base/java.lang=ALL-UNNAMED  \r\n"
            + "\t# indented comment\n-Da=1 -Db=2\n";

        assertEquals(List.of("--add-opens=java.base/java.lang=ALL-UNNAMED", "-Da=1", "-Db=2"),
            BackendLauncher.parseArgfile(text));
    }

    @Test
    void argfileParsingRefusesQuotesInsteadOfMisreadingThem() {
        var e = assertThrows(IllegalStateException.class,
            () -> BackendLauncher.parseArgfile("-Da=1\n-Dpath=\"a b\"\n"));
        assertTrue(e.getMessage().contains("line=2"), e.getMessage());
    }

    @Test
    void backendOutputErrorAndInputArePipes(@TempDir Path dir) {
        ProcessBuilder builder = BackendLauncher.forThisJvm("Main", LEAN).processBuilder(List.of(), dir);

        // output and error are forwarded a line at a time by OutputForwarder, not inherited
        assertEquals(ProcessBuilder.Redirect.PIPE, builder.redirectOutput());
        assertEquals(ProcessBuilder.Redirect.PIPE, builder.redirectError());
        assertEquals(ProcessBuilder.Redirect.PIPE, builder.redirectInput());
    }

    @Test
    void aLongClassPathGoesThroughAQuotedArgfile(@TempDir Path dir) throws IOException {
        String longPath = "/a b/\"q\"/" + "x".repeat(BackendLauncher.MAX_INLINE_CLASSPATH_CHARS);
        BackendLauncher launcher = new BackendLauncher("java", List.of(), Map.of(), List.of(), longPath, "Main");

        List<String> cmd = launcher.command(List.of("arg"), dir);

        Path argfile = dir.resolve("classpath.argfile");
        assertEquals(List.of("java", "@" + argfile, "Main", "arg"), cmd);
        assertEquals("-cp\n\"" + longPath.replace("\"", "\\\"") + "\"\n", Files.readString(argfile));
    }

    // ------------------------------------------------------------------ real JVMs

    /** The backend: reports what it got, on stdout and stderr. */
    public static final class ProbeMain {
        public static void main(String[] args) throws IOException {
            System.out.println("out:" + args[0]);
            System.out.println("prop:" + System.getProperty("ipc.test.marker"));
            System.out.println("announcer:" + System.getProperty("chronicle.announcer.disable"));
            System.out.println("missingFlags:" + JvmFlags.missing());
            System.out.println("maxHeapMb:" + Runtime.getRuntime().maxMemory() / (1024 * 1024));
            System.out.println("stdinEof:" + (System.in.read() == -1));
            System.err.println("err:" + args[0]);
            System.exit(7);
        }
    }

    /** The frontend: launches ProbeMain (inline or argfile class path) and exits with its code. */
    public static final class LaunchingMain {
        public static void main(String[] args) throws Exception {
            Path scratch = Path.of(args[0]);
            String classpath = System.getProperty("java.class.path");
            if (args[1].equals("long")) {
                // past MAX_INLINE_CLASSPATH_CHARS with entries that do not exist, after the real ones
                StringBuilder padded = new StringBuilder(classpath);
                while (padded.length() <= BackendLauncher.MAX_INLINE_CLASSPATH_CHARS) {
                    padded.append(":/nonexistent/padding-").append(padded.length());
                }
                classpath = padded.toString();
            }
            BackendLauncher launcher = new BackendLauncher(BackendLauncher.thisJavaBinary(),
                BackendLauncher.libraryFlags(), BackendLauncher.forwardedProperties(), LEAN, classpath,
                ProbeMain.class.getName());
            BackendLauncher.Started backend = launcher.start(List.of("hello-" + args[1]), scratch);
            int code = backend.process().waitFor();
            backend.output().awaitDrained(OutputForwarder.DRAIN_GRACE); // its output, forwarded, before we exit
            System.exit(code);
        }
    }

    @Test
    void aRealBackendStartsAndItsOutputReachesTheFrontendsStdoutAndStderr(@TempDir Path dir) throws Exception {
        List<String> lines = runFrontend(dir, "inline");

        assertTrue(lines.contains("out:hello-inline"), lines.toString());
        assertTrue(lines.contains("err:hello-inline"), lines.toString());
        assertTrue(lines.contains("prop:marker-value"), "ipc.* property forwarded: " + lines);
        assertTrue(lines.contains("announcer:true"), "jvm.options flags applied: " + lines);
        assertTrue(lines.contains("missingFlags:[]"), "the flags Chronicle needs are in effect: " + lines);
        assertTrue(lines.contains("stdinEof:true"), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.matches("maxHeapMb:1[0-2]\\d")), "-Xmx128m: " + lines);
        assertFalse(Files.exists(dir.resolve("classpath.argfile")));
    }

    @Test
    void aRealBackendStartsWithAClassPathPastTheArgumentLimit(@TempDir Path dir) throws Exception {
        List<String> lines = runFrontend(dir, "long");

        assertTrue(lines.contains("out:hello-long"), lines.toString());
        assertTrue(Files.exists(dir.resolve("classpath.argfile")));
    }

    /** Runs LaunchingMain with its output captured; it must exit with ProbeMain's 7. */
    private static List<String> runFrontend(Path dir, String mode) throws Exception {
        List<String> cmd = new BackendLauncher(BackendLauncher.thisJavaBinary(), BackendLauncher.libraryFlags(),
            Map.of("ipc.test.marker", "marker-value"), LEAN, System.getProperty("java.class.path"),
            LaunchingMain.class.getName()).command(List.of(dir.toString(), mode), dir);
        Process frontend = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(frontend.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                lines.add(line);
            }
        }
        assertTrue(frontend.waitFor(30, TimeUnit.SECONDS), "frontend did not exit");
        assertEquals(7, frontend.exitValue(), lines.toString());
        return lines;
    }
}
