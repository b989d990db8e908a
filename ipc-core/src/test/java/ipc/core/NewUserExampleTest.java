package ipc.core;

import ipc.sync.ShmDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The issue's "done when", tried as a new user would: the api.md example class and a main,
 * written as source files, compiled with the JDK's javac {@code -parameters} against the
 * library's class path, and run with {@code java @ipc-core/jvm.options}. Nothing of the test's
 * JVM is involved but the class path.
 */
@Timeout(180)
class NewUserExampleTest {

    /** api.md's MyProcess, with a body for c__myStuff: the seed's print, and an answer. */
    private static final String MY_PROCESS = """
        import ipc.core.MessageObject;
        import ipc.core.MessageProcess;

        class MyProcess extends MessageProcess {
            MyProcess(String name) { super(name); }
            void c__myStuff(String parameter) {                  // backend
                System.out.println("Regards from other side of the fork! Got parameter " + parameter
                    + " in pid " + ProcessHandle.current().pid());
                send_out__(new MessageObject("done", "parameter", parameter));
            }
            void myStuff(String parameter) {                     // frontend
                sendMessageToBack(new MessageObject("myStuff", "parameter", parameter));
            }
        }
        """;

    private static final String MAIN = """
        import ipc.core.MessageObject;
        import ipc.core.Pipe;
        import java.time.Duration;

        public class Main {
            public static void main(String[] args) {
                MyProcess p = new MyProcess("my-process");
                Pipe pipe = p.getPipe();
                p.start();
                p.myStuff("gotcha!");
                MessageObject reply = pipe.recv(Duration.ofSeconds(60));
                System.out.println("Frontend got " + reply + " in pid " + ProcessHandle.current().pid());
                p.stop();
                System.out.println("Backend exit code " + p.exitCode().orElse(-1));
            }
        }
        """;

    @Test
    void theApiExampleCompiledAndRunAsAUserWouldLeavesNothingBehind(@TempDir Path dir) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Files.writeString(src.resolve("MyProcess.java"), MY_PROCESS);
        Files.writeString(src.resolve("Main.java"), MAIN);
        String libraryClasspath = System.getProperty("java.class.path");
        Path jdkBin = Path.of(System.getProperty("java.home"), "bin");

        Run javac = run(dir, "javac", List.of(jdkBin.resolve("javac").toString(), "-parameters", "-Xlint:-path",
            "-d", classes.toString(), "-cp", libraryClasspath,
            src.resolve("MyProcess.java").toString(), src.resolve("Main.java").toString()));
        assertEquals(0, javac.exitCode, "javac failed\n" + javac.output);

        List<String> java = new ArrayList<>(List.of(jdkBin.resolve("java").toString(),
            "@" + System.getProperty("ipc.jvm.options"), "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        String ipcDir = System.getProperty(ShmDirectory.DIR_PROPERTY);
        if (ipcDir != null) {
            java.add("-D" + ShmDirectory.DIR_PROPERTY + "=" + ipcDir); // only when the suite itself moved the root
        }
        java.addAll(List.of("-cp", classes + File.pathSeparator + libraryClasspath, "Main"));
        Run main = run(dir, "main", java);
        System.out.println("new user's program printed:\n" + main.output);
        assertEquals(0, main.exitCode, main.output);

        long backendPid = pid(main.output, "Regards from other side of the fork! Got parameter gotcha! in pid (\\d+)");
        long frontendPid = pid(main.output, "Frontend got <MessageObject: done: \\{parameter=gotcha!}> in pid (\\d+)");
        assertEquals(main.pid, frontendPid);
        assertNotEquals(frontendPid, backendPid, "the handler ran in another process");
        assertTrue(main.output.lines().anyMatch("Backend exit code 0"::equals), main.output);

        assertEquals(List.of(), leftovers(ShmDirectory.root(), frontendPid, backendPid),
            "files of the program left in " + ShmDirectory.root());
        assertEquals(List.of(), leftovers(Path.of("/dev/shm"), frontendPid, backendPid),
            "files of the program left in /dev/shm");
    }

    private record Run(long pid, int exitCode, String output) {
    }

    /** Runs a command in dir with stdout and stderr merged into a file; fails on a hang. */
    private static Run run(Path dir, String name, List<String> command) throws Exception {
        Path output = dir.resolve(name + ".out");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
            .redirectOutput(output.toFile()).start();
        p.getOutputStream().close();
        try {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), name + " did not finish within 120 s: " + command);
        } finally {
            p.destroyForcibly();
        }
        return new Run(p.pid(), p.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }

    private static long pid(String output, String regex) {
        Matcher m = Pattern.compile("(?m)^" + regex + "$").matcher(output);
        assertTrue(m.find(), "no line /" + regex + "/ in:\n" + output);
        return Long.parseLong(m.group(1));
    }

    /** Entries of dir whose names carry one of the pids as the library names them (kind-pid-n). */
    private static List<String> leftovers(Path dir, long... pids) throws IOException {
        List<String> left = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                for (long pid : pids) {
                    if (name.contains("-" + pid + "-") || name.endsWith("-" + pid)) {
                        left.add(name);
                    }
                }
            }
        }
        return left;
    }
}
