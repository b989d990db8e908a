package ipc.core;

import ipc.sync.testing.ChildJvm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A frontend JVM that a test spawns and watches from outside: the same java, class path and
 * argfile as the test JVM (the command line of {@link ChildJvm#command(List, List, Class, List, String...)},
 * with {@link #LEAN} and only {@code ipc.dir} forwarded), and its stdout and stderr in files
 * that its backends inherit too, so the test sees everything the whole process tree printed.
 * Optionally started through {@code setsid} in a process group of its own, so a signal to that
 * group does not reach the test's JVM. {@link #close()} kills it (by pid) if it still runs.
 */
public final class ChildFrontend implements AutoCloseable {
    /** Small heap and C1 only: the frontend lives for seconds and the machine has two cores. */
    static final List<String> LEAN = List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private ChildFrontend(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Starts {@code mainClass} with {@code args}; output goes to {@code dir}/stdout and
     * {@code dir}/stderr. With {@code ownGroup} the command is prefixed with
     * {@code setsid env --default-signal=INT}: a new session and process group led by the JVM (setsid
     * execs without forking, since its caller is not a group leader), with SIGINT at its default
     * disposition even if the test runs where SIGINT is ignored (a JVM that starts with SIGINT
     * ignored keeps ignoring it, and so would its backends).
     */
    public static ChildFrontend start(Path dir, boolean ownGroup, List<String> jvmFlags, Class<?> mainClass,
                                      String... args) {
        List<String> cmd = new ArrayList<>();
        if (ownGroup) {
            cmd.addAll(List.of("setsid", "env", "--default-signal=INT"));
        }
        cmd.addAll(ChildJvm.command(LEAN, List.of("ipc.dir"), mainClass, jvmFlags, args));
        Path out = dir.resolve("stdout");
        Path err = dir.resolve("stderr");
        try {
            Process p = new ProcessBuilder(cmd)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(err.toFile()))
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
            p.getOutputStream().close();
            return new ChildFrontend(p, out, err);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start child frontend: command=" + cmd, e);
        }
    }

    Process process() {
        return process;
    }

    long pid() {
        return process.pid();
    }

    public String stdout() {
        return read(stdout);
    }

    public String stderr() {
        return read(stderr);
    }

    /** The first stdout line starting with {@code prefix}, waiting up to {@code timeout}. */
    String awaitLine(String prefix, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<String> line = stdout().lines().filter(l -> l.startsWith(prefix)).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            if (!process.isAlive()) {
                throw new AssertionError("child exited with " + process.exitValue() + " before printing " + prefix
                    + "\n" + dump());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("no line " + prefix + " within " + timeout + "\n" + dump());
            }
            sleep(Duration.ofMillis(20));
        }
    }

    public int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("child pid=" + pid() + " did not exit within " + timeout + "\n" + dump());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for child pid=" + pid(), e);
        }
        return process.exitValue();
    }

    /** Both output files, for an assertion message or the test log. */
    public String dump() {
        return "--- child stdout ---\n" + stdout() + "--- child stderr ---\n" + stderr() + "---";
    }

    @Override
    public void close() {
        ChildJvm.destroyAndWait(process);
    }

    /** The process group of {@code pid}, from /proc/pid/stat (field 5, after the parenthesised name). */
    static long processGroup(long pid) {
        String stat = read(Path.of("/proc", Long.toString(pid), "stat"));
        String[] afterName = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(afterName[2]); // state, ppid, pgrp
    }

    /**
     * True while {@code pid} runs: it has a /proc entry and is not a zombie. A process whose parent
     * died is reaped by pid 1, which in some sandboxes takes over a second; until then
     * {@link ProcessHandle#isAlive()} still says true, though the process has exited and released
     * everything but its pid.
     */
    static boolean isRunning(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException gone) {
            return false;
        }
    }

    /** Waits until {@code pid} has exited (zombie or reaped); returns false on timeout. */
    static boolean awaitExit(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isRunning(pid)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            sleep(Duration.ofMillis(5));
        }
        return true;
    }

    /** Waits until {@code pid} is gone, reaped too; returns false on timeout. */
    static boolean awaitGone(long pid, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            sleep(Duration.ofMillis(5));
        }
        return true;
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
