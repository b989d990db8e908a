package ipc.core.launch;


import ipc.sync.Affinity;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds and starts the command line of a backend JVM:
 * <pre>
 *   &lt;the frontend's java&gt; &lt;flags of ipc/core/jvm.options&gt; -Dipc.*=... (forwarded, see {@link #forwardedProperties()})
 *       &lt;per-process JVM options&gt; -cp &lt;the frontend's class path&gt; &lt;main class&gt; &lt;args&gt;
 * </pre>
 * Per-process options come after the library's flags and the forwarded properties, so for
 * {@code -D}, {@code -Xmx} and most {@code -XX} flags the per-process value wins (HotSpot takes the
 * last one); two different collectors are an error, so to change the collector replace
 * {@link #DEFAULT_JVM_OPTIONS} instead of adding to it.
 *
 * <p>The backend starts with every CPU of the frontend process, whatever the pin of the thread
 * that starts it ({@link #spawn}). The backend's stdout and stderr are pipes that an
 * {@link OutputForwarder} copies into this JVM's System.out and System.err a whole line at a
 * time, so the backend still prints to the frontend's terminal, as the seed's child did, without
 * its lines breaking into the frontend's; its stdin is an empty pipe (a backend never reads the
 * terminal).
 */
public final class BackendLauncher {
    /** The argument of a spare backend ({@link SpareBackend}): warm up, then read the channel path on stdin. */
    public static final String SPARE_ARG = "--spare";

    /** The command-line argument of a restarted backend: its INIT is the file {@link #RESTART_FILE}. */
    public static final String RESTART_ARG = "--restart";

    /** In the channel directory: a restarted backend's INIT and where it resumes, removed by the backend. */
    public static final String RESTART_FILE = "restart";

    /** Nanoseconds as milliseconds with one decimal, for the start timing logs. */
    public static String millis(long nanos) {
        return String.format("%.1f", nanos / 1e6);
    }

    private static final Logger LOG = LoggerFactory.getLogger(BackendLauncher.class);

    /** The argfile on the class path; ipc-core's pom copies ipc-core/jvm.options there. */
    static final String JVM_OPTIONS_RESOURCE = "ipc/core/jvm.options";

    /**
     * Per-process JVM options when the user sets none.
     * <ul>
     *   <li>{@code -Xmx128m}: a backend's heap holds its handler state and the messages it decodes;
     *       frames and queues live off-heap in mapped files. Without a cap every backend may grow to
     *       a quarter of the machine's memory before it collects.</li>
     *   <li>{@code -XX:+UseSerialGC}: no concurrent or parallel GC worker threads. On a machine with
     *       few cores, G1's workers of every backend would compete with the latency-critical
     *       threads of all processes; a young collection of a 128 MB heap is short, and a
     *       primitive-parameter message path allocates nothing, so collections are rare.</li>
     * </ul>
     */
    public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xmx128m", "-XX:+UseSerialGC");

    /**
     * System properties with this prefix are passed on, so both sides agree on the shared-memory
     * root ({@code ipc.dir}), the frame size limit and the futex switch.
     */
    static final String FORWARDED_PROPERTY_PREFIX = "ipc.";

    /**
     * A class path longer than this goes through an argfile: Linux caps one argument at
     * MAX_ARG_STRLEN = 32 pages = 128 KiB (execve fails with E2BIG past it); 32 Ki chars are at
     * most 96 KiB in UTF-8 (3 bytes per char at most), safely under it.
     */
    static final int MAX_INLINE_CLASSPATH_CHARS = 32 * 1024;

    private final String javaBinary;
    private final List<String> libraryFlags;
    private final Map<String, String> forwardedProperties;
    private final List<String> jvmOptions;
    private final String classpath;
    private final String mainClass;

    BackendLauncher(String javaBinary, List<String> libraryFlags, Map<String, String> forwardedProperties,
                    List<String> jvmOptions, String classpath, String mainClass) {
        this.javaBinary = javaBinary;
        this.libraryFlags = List.copyOf(libraryFlags);
        this.forwardedProperties = new TreeMap<>(forwardedProperties);
        this.jvmOptions = List.copyOf(jvmOptions);
        this.classpath = classpath;
        this.mainClass = mainClass;
    }

    /**
     * A launcher for this JVM's java binary, class path and {@code ipc.*} properties, the flags of
     * {@link #JVM_OPTIONS_RESOURCE}, and the given per-process options (e.g. {@link #DEFAULT_JVM_OPTIONS}).
     */
    public static BackendLauncher forThisJvm(String mainClass, List<String> jvmOptions) {
        return new BackendLauncher(thisJavaBinary(), libraryFlags(), forwardedProperties(), jvmOptions,
            System.getProperty("java.class.path"), mainClass);
    }

    /**
     * This launcher with the backend AOT cache's options added after the JVM options when a cache
     * for this command exists ({@link AotCache#optionsFor}, which starts its training in the
     * background when it does not), and with the class directories of its class path replaced by
     * jar snapshots, which a cache can cover ({@link ClassDirectoryJars}).
     */
    public BackendLauncher withAotCache() {
        String backendClasspath = AotCache.enabled() && !AotCache.managesArchive(jvmOptions)
            ? jarredClasspath() : classpath;
        List<String> aot = AotCache.optionsFor(javaBinary, libraryFlags, forwardedProperties, jvmOptions,
            backendClasspath);
        if (aot.isEmpty() && backendClasspath.equals(classpath)) {
            return this;
        }
        List<String> options = new ArrayList<>(jvmOptions);
        options.addAll(aot);
        return new BackendLauncher(javaBinary, libraryFlags, forwardedProperties, options, backendClasspath,
            mainClass);
    }

    /**
     * The class path with its class directories replaced by jar snapshots
     * ({@link ClassDirectoryJars}), which a cache can cover; unchanged when ipc-core itself is not a
     * jar (the library's own build: its tests run from {@code target/classes} and get no cache, as
     * before) or the cache directory is unusable.
     */
    private String jarredClasspath() {
        if (AotCacheKey.libraryJar() == null) {
            return classpath;
        }
        Path dir = AotCacheStore.directory();
        return dir == null ? classpath : ClassDirectoryJars.jarred(classpath, dir);
    }

    /** The backend's class path (after {@link #withAotCache}, with class directories jarred). */
    String classpath() {
        return classpath;
    }

    /**
     * The command line. A class path longer than {@link #MAX_INLINE_CLASSPATH_CHARS} is written
     * to {@code scratchDir/classpath.argfile} and passed as {@code @file}; scratchDir (e.g. the
     * channel directory) must exist and outlive the backend's start.
     */
    List<String> command(List<String> args, Path scratchDir) {
        List<String> cmd = jvmPart(name -> true);
        if (!needsClasspathArgfile()) {
            cmd.add("-cp");
            cmd.add(classpath);
        } else {
            cmd.add("@" + writeClasspathArgfile(scratchDir));
        }
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /**
     * What makes two backend commands the same apart from their arguments (a spare backend is
     * used only for its own command, {@link SpareBackend}). {@link #JNA_LIBRARY_PATH_PROPERTY} is
     * left out: JNA sets it in this JVM at its first use, which may come after the first start's
     * command was built, and it only spares a backend one ldconfig run (a spare runs it while it
     * warms up).
     */
    public List<String> key() {
        List<String> key = jvmPart(name -> !name.equals(JNA_LIBRARY_PATH_PROPERTY));
        key.add("-cp");
        key.add(classpath);
        key.add(mainClass);
        return key;
    }

    /** The java binary, the library flags, the forwarded properties that {@code property} keeps, the JVM options. */
    private List<String> jvmPart(Predicate<String> property) {
        List<String> part = new ArrayList<>();
        part.add(javaBinary);
        part.addAll(libraryFlags);
        forwardedProperties.forEach((k, v) -> {
            if (property.test(k)) {
                part.add("-D" + k + "=" + v);
            }
        });
        part.addAll(jvmOptions);
        return part;
    }

    /** Whether {@link #command} passes the class path through an argfile in its scratch directory. */
    public boolean needsClasspathArgfile() {
        return classpath.length() > MAX_INLINE_CLASSPATH_CHARS;
    }

    /** A started backend and the forwarder of its output; wait for the forwarder before reporting its exit. */
    public record Started(Process process, OutputForwarder output) {
    }

    /** The configured, not yet started, process: output, error and input pipes. */
    ProcessBuilder processBuilder(List<String> args, Path scratchDir) {
        return new ProcessBuilder(command(args, scratchDir))
            .redirectOutput(ProcessBuilder.Redirect.PIPE)
            .redirectError(ProcessBuilder.Redirect.PIPE)
            .redirectInput(ProcessBuilder.Redirect.PIPE);
    }

    /** Starts the backend with its output forwarded; its stdin is closed at once so a read sees end of file. */
    public Started start(List<String> args, Path scratchDir) {
        Started started = startWithInput(args, scratchDir);
        try {
            started.process().getOutputStream().close();
        } catch (IOException e) {
            // an empty pipe that cannot be closed: the backend never reads it anyway
        }
        return started;
    }

    /** Starts the backend with its output forwarded and its stdin left open (a spare reads its channel there). */
    public Started startWithInput(List<String> args, Path scratchDir) {
        ProcessBuilder builder = processBuilder(args, scratchDir);
        Process process;
        try {
            process = spawn(builder);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start backend JVM: command=" + builder.command(), e);
        }
        return new Started(process, OutputForwarder.start(process));
    }

    /**
     * Starts {@code builder}'s process with every CPU of this process ({@link Affinity#processCpus()})
     * as its CPU mask, not the calling thread's. Linux gives a child the mask of the thread that
     * forks it, and every thread of the child starts from that mask: a backend started from a
     * thread pinned to one CPU would have its GC, JIT, Chronicle and loop threads all on that
     * CPU, next to the pinned thread it was meant to stay away from. So the calling thread's mask
     * is widened for the spawn and put back after it (the thread may move to another CPU in
     * between: a start is not a hot path). No system call is made for it when the thread is not
     * pinned (its mask is the process's already). A placement failure does not stop the spawn.
     */
    static Process spawn(ProcessBuilder builder) throws IOException {
        int[] restore = widenForSpawn();
        try {
            return builder.start();
        } finally {
            if (restore != null) {
                try {
                    Affinity.set(restore);
                } catch (RuntimeException e) {
                    LOG.warn("cannot restore the CPUs of thread {} after a spawn: cpus={} reason={}",
                        Thread.currentThread().getName(), Arrays.toString(restore), e.toString());
                }
            }
        }
    }

    /** The calling thread's CPUs when they were changed to the process's for a spawn, else null. */
    private static int[] widenForSpawn() {
        if (!Affinity.isAvailable()) {
            return null;
        }
        try {
            int[] mine = Affinity.cpus();
            int[] all = Affinity.processCpus();
            if (Arrays.equals(mine, all)) {
                return null;
            }
            Affinity.set(all);
            return mine;
        } catch (RuntimeException e) {
            LOG.debug("cannot widen the CPUs of thread {} for a spawn; the child inherits them: {}",
                Thread.currentThread().getName(), e.toString());
            return null;
        }
    }

    private Path writeClasspathArgfile(Path scratchDir) {
        Path file = scratchDir.resolve("classpath.argfile");
        String quoted = '"' + classpath.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        try {
            Files.writeString(file, "-cp\n" + quoted + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the class path argfile: file=" + file, e);
        }
        return file;
    }

    /** This JVM's java binary; java.home's when the OS does not tell (e.g. a restricted /proc). */
    public static String thisJavaBinary() {
        return ProcessHandle.current().info().command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * slf4j-simple's settings (what {@code MessageProcess.formatLogger} sets), forwarded so that a
     * backend's loggers print like the frontend's.
     */
    static final String LOGGING_PROPERTY_PREFIX = "org.slf4j.simpleLogger.";

    /**
     * JNA's native library search path, which JNA computes on first use (running
     * {@code /sbin/ldconfig -p}, a fork and exec, 20-60 ms of a backend's start here) and stores in
     * this property; Chronicle's affinity layer loads JNA in every JVM that opens a queue. A
     * backend given the frontend's value skips the ldconfig run and searches the same directories.
     */
    static final String JNA_LIBRARY_PATH_PROPERTY = "jna.platform.library.path";

    /**
     * System properties of this JVM that start with {@link #FORWARDED_PROPERTY_PREFIX} or
     * {@link #LOGGING_PROPERTY_PREFIX}, and {@link #JNA_LIBRARY_PATH_PROPERTY}.
     */
    static Map<String, String> forwardedProperties() {
        Map<String, String> forwarded = new TreeMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith(FORWARDED_PROPERTY_PREFIX) || name.startsWith(LOGGING_PROPERTY_PREFIX)
                || name.equals(JNA_LIBRARY_PATH_PROPERTY)) {
                forwarded.put(name, System.getProperty(name));
            }
        }
        return forwarded;
    }

    /** The flags of {@link #JVM_OPTIONS_RESOURCE}, read from the class path. */
    public static List<String> libraryFlags() {
        try (InputStream in = BackendLauncher.class.getClassLoader().getResourceAsStream(JVM_OPTIONS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource not found on the class path: resource="
                    + JVM_OPTIONS_RESOURCE + " (the ipc-core jar carries it; is ipc-core's build output"
                    + " on the class path?)");
            }
            return parseArgfile(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource=" + JVM_OPTIONS_RESOURCE, e);
        }
    }

    /**
     * The options of a java argfile with one or more unquoted options per line: blank lines and
     * lines starting with '#' are skipped. Quoting is refused rather than half-understood.
     */
    static List<String> parseArgfile(String text) {
        List<String> options = new ArrayList<>();
        String[] lines = text.split("\\R");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.indexOf('"') >= 0 || line.indexOf('\'') >= 0) {
                throw new IllegalStateException("quoted options are not supported in " + JVM_OPTIONS_RESOURCE
                    + ": line=" + (i + 1) + " text=" + line);
            }
            options.addAll(List.of(line.split("\\s+")));
        }
        return options;
    }
}
