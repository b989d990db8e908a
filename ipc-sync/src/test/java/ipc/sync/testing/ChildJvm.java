package ipc.sync.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A helper JVM that a test spawns: same java binary, same classpath and the same argfile
 * ({@code ipc-core/jvm.options}) as the test JVM, a small heap, C1 only (short-lived, 2 cores).
 * The properties in {@link #FORWARDED_PROPERTIES} are passed on. Output goes to the test's
 * stdout/stderr. {@link #close()} kills it by its pid and waits.
 */
public final class ChildJvm implements AutoCloseable {
    /** Small heap and C1 only: helper JVMs live for seconds, and the machine has two cores. */
    private static final List<String> LEAN_FLAGS =
        List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto");

    /**
     * System properties a child inherits when the test JVM has them: where the shared files live,
     * which wait path ipc-sync takes (the fallback test run sets {@code ipc.sync.futex=false}), and
     * the argfile, so that a child can spawn children of its own.
     */
    public static final List<String> FORWARDED_PROPERTIES = List.of("ipc.dir", "ipc.sync.futex", "ipc.jvm.options");

    private final Process process;

    private ChildJvm(Process process) {
        this.process = process;
    }

    /** Starts {@code mainClass} with {@code args}; extra JVM flags go before the class name. */
    public static ChildJvm start(Class<?> mainClass, List<String> jvmFlags, String... args) {
        return start(new ProcessBuilder(command(mainClass, jvmFlags, args)));
    }

    /** Starts a process built from {@link #command} (wrapped, say, to set a umask); output goes to the test's. */
    public static ChildJvm start(ProcessBuilder builder) {
        try {
            return new ChildJvm(builder.inheritIO().start());
        } catch (IOException e) {
            throw new IllegalStateException("cannot start child JVM: " + builder.command(), e);
        }
    }

    /** The command line {@link #start(Class, List, String...)} runs. */
    public static List<String> command(Class<?> mainClass, List<String> jvmFlags, String... args) {
        return command(LEAN_FLAGS, FORWARDED_PROPERTIES, mainClass, jvmFlags, args);
    }

    /**
     * A command line like {@link #command(Class, List, String...)} with the caller's own lean flags
     * and forwarded properties, for a test that starts and watches a JVM in its own way: the java
     * binary, the argfile (when {@code ipc.jvm.options} names a file), {@code leanFlags}, a
     * {@code -Dkey=value} for each of {@code forwardedProperties} the test JVM has, {@code jvmFlags},
     * the class path, {@code mainClass} and {@code args}.
     */
    public static List<String> command(List<String> leanFlags, List<String> forwardedProperties, Class<?> mainClass,
                                       List<String> jvmFlags, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBinary());
        String argfile = System.getProperty("ipc.jvm.options");
        if (argfile != null && Files.isRegularFile(Path.of(argfile))) {
            cmd.add("@" + argfile);
        }
        cmd.addAll(leanFlags);
        for (String key : forwardedProperties) {
            String value = System.getProperty(key);
            if (value != null) {
                cmd.add("-D" + key + "=" + value);
            }
        }
        cmd.addAll(jvmFlags);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    public static ChildJvm start(Class<?> mainClass, String... args) {
        return start(mainClass, List.of(), args);
    }

    public static String javaBinary() {
        return ProcessHandle.current().info().command()
            .orElseThrow(() -> new IllegalStateException("cannot tell this JVM's java binary"));
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    /** Waits for a normal exit and returns the exit code; fails the caller on timeout. */
    public int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("child JVM pid=" + pid() + " did not exit within " + timeout);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for child pid=" + pid(), e);
        }
    }

    @Override
    public void close() {
        destroyAndWait(process);
    }

    /**
     * Kills {@code process} (SIGKILL, by its pid) if it still runs and waits up to 10 s for it to
     * exit; an interrupt ends the wait and stays set.
     */
    public static void destroyAndWait(Process process) {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
