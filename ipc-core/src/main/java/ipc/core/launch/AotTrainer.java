package ipc.core.launch;

import static ipc.core.launch.BackendLauncher.millis;
import ipc.core.MessageObject;
import ipc.core.MessageProcess;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

/**
 * The background process that creates one backend AOT cache ({@link AotCache}):
 * {@code AotTrainer <cache directory> <key> <backend JVM options...>}, started by the first
 * frontend that misses the cache, with the cached class path prefix as its class path, its
 * stdout and stderr appended to {@code <key>.log}.
 *
 * <p>Steps: start a {@link Probe} backend exactly as a frontend would (same java, library flags,
 * options, class path), plus {@code -XX:AOTCacheOutput=<key>.aot.<pid>.tmp}; send it one message
 * of the common parameter types and read the answer (Chronicle's init, a channel from both ends,
 * the fork state, a dispatch, a reply); stop it - at its exit the JVM assembles the cache; check
 * the file with {@code -XX:AOTMode=on -XX:+VerifySharedSpaces ... -version}, which fails unless
 * the JVM would map it for this command; make it 0600, write its size and CRC32C to
 * {@code <key>.sum}, and rename it to {@code <key>.aot}
 * (atomic: a reader sees no file or a whole one); prune. A failure writes {@code <key>.failed}
 * with the reason. Temporary files carry this pid, so a trainer that was killed leaves files that
 * the next prune removes. The lock is removed in every case.
 *
 * <p>Why a separate process, not {@code -XX:AOTCacheOutput} on a user's first backend: the JVM
 * assembles the cache at exit, which would hold that backend's exit for seconds (past the
 * frontend's 5 s close grace on a busy machine, after which it is killed and the cache lost); a
 * backend that runs for days would give a cache only then; and the user's own classes, which
 * may come from directories, would be in the training. The trainer is niced when
 * {@code /usr/bin/nice} exists, so that it takes CPU from nobody's latency.
 */
public final class AotTrainer {

    /** The trainer's own JVM: no Chronicle queue of its own beyond the probe's frontend; small and C1 only. */
    static final List<String> TRAINER_JVM_OPTIONS = List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    /**
     * Each step's bound: a training takes ~5-15 s on this 2-core machine under load (the assembly
     * alone is most of it); 5 minutes only stops a hung one.
     */
    static final Duration STEP_TIMEOUT = Duration.ofMinutes(5);

    /** Lower priority for the trainer and the JVMs it starts: it is never on anyone's critical path. */
    static final List<String> NICE = List.of("/usr/bin/nice", "-n", "10");

    public static final String TEMP_MARK = ".tmp-";

    private AotTrainer() {
    }

    /** The backend the training runs: it answers one message and exits when asked. */
    static final class Probe extends MessageProcess {
        private final int count;
        private final long total;
        private final double ratio;
        private final String label;
        private final List<Integer> values;
        private final Map<String, Object> settings;

        Probe() {
            super("aot-training");
            this.count = 1;
            this.total = 2L;
            this.ratio = 0.5;
            this.label = "probe";
            this.values = List.of(1, 2, 3);
            this.settings = Map.of("on", true, "name", "x");
        }

        void c__echo(int i, long l, double d, String s, boolean b, byte[] bytes, List<?> list, Map<String, ?> map) {
            send_out__(new MessageObject("echoed", "i", i + count, "l", l + total, "d", d * ratio, "s", s + label,
                "b", !b, "bytes", bytes, "list", list.isEmpty() ? values : list, "map", map.isEmpty() ? settings : map));
        }
    }

    /**
     * The trainer's process, not started: the backend's java and library flags, the forwarded
     * properties with the cache off, {@link #TRAINER_JVM_OPTIONS}, the cached class path prefix;
     * {@link #NICE} first when it exists. A class path too long for one argument goes through an
     * argfile in {@code <dir>/<key>.tmp-<this pid>/}, which prune removes once this process is gone.
     */
    static ProcessBuilder processBuilder(String javaBinary, List<String> libraryFlags, Map<String, String> forwarded,
                                         Path dir, AotCacheKey key, List<String> backendJvmOptions) throws IOException {
        Map<String, String> properties = new HashMap<>(forwarded);
        properties.put(AotCache.ENABLED_PROPERTY, "false"); // the probe's own start must not train again
        properties.put(SpareBackend.PROPERTY, "false"); // one probe, no spare beside it
        BackendLauncher launcher = new BackendLauncher(javaBinary, libraryFlags, properties, TRAINER_JVM_OPTIONS,
            key.classpath(), AotTrainer.class.getName());
        Path scratch = dir.resolve(key.hash() + TEMP_MARK + ProcessHandle.current().pid());
        if (key.classpath().length() > BackendLauncher.MAX_INLINE_CLASSPATH_CHARS && !Files.isDirectory(scratch)) {
            ipc.sync.ShmDirectory.createPrivateDirectory(scratch);
        }
        List<String> args = new ArrayList<>();
        args.add(dir.toString());
        args.add(key.hash());
        args.addAll(backendJvmOptions);
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of(NICE.getFirst()))) {
            command.addAll(NICE);
        }
        command.addAll(launcher.command(args, scratch));
        return new ProcessBuilder(command);
    }

    static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: AotTrainer <cache directory> <key> <backend JVM options...>"
                + "   (started by the library when a backend AOT cache is missing)");
            System.exit(64);
        }
        Path dir = Path.of(args[0]);
        String key = args[1];
        List<String> jvmOptions = List.of(args).subList(2, args.length);
        System.exit(train(dir, key, jvmOptions) ? 0 : 1);
    }

    /** Creates {@code <dir>/<key>.aot}; true when it is in place. */
    static boolean train(Path dir, String key, List<String> jvmOptions) {
        long pid = ProcessHandle.current().pid();
        Path cache = dir.resolve(key + AotCacheStore.CACHE_SUFFIX);
        Path temp = dir.resolve(key + AotCacheStore.CACHE_SUFFIX + TEMP_MARK + pid);
        // the JVM writes the recorded configuration beside the output and removes it when done
        Path config = dir.resolve(temp.getFileName() + ".config");
        long begin = System.nanoTime();
        try {
            log("recording: cache=" + temp + " options=" + jvmOptions);
            record(temp, jvmOptions);
            log("recorded in " + millis(System.nanoTime() - begin) + " ms: size=" + Files.size(temp));
            verify(temp, jvmOptions);
            Files.setPosixFilePermissions(temp, AotCacheStore.OWNER_FILE);
            Files.deleteIfExists(cache); // an old cache must not meet the new sum
            writeSum(dir, key, temp, pid);
            try {
                Files.move(temp, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot rename atomically within the cache directory: dir=" + dir, e);
            }
            Files.deleteIfExists(dir.resolve(key + AotCacheStore.FAILED_SUFFIX));
            log("installed in " + millis(System.nanoTime() - begin) + " ms: cache=" + cache);
            AotCacheStore.prune(dir);
            return true;
        } catch (Exception e) {
            log("failed: " + e);
            e.printStackTrace();
            try {
                Path failed = dir.resolve(key + AotCacheStore.FAILED_SUFFIX);
                Files.deleteIfExists(failed);
                ipc.sync.ShmDirectory.createPrivateFile(failed);
                Files.writeString(failed, Instant.now() + " " + e + "\n");
            } catch (IOException | RuntimeException markFailed) {
                log("cannot write the failure marker: " + markFailed);
            }
            return false;
        } finally {
            deleteQuietly(temp);
            deleteQuietly(config);
            deleteQuietly(dir.resolve(key + AotCacheStore.SUM_SUFFIX + TEMP_MARK + pid));
            deleteQuietly(dir.resolve(key + AotCacheStore.LOCK_SUFFIX));
        }
    }

    /**
     * Writes {@code <key>.sum} (size and CRC32C of the cache, see {@link AotCacheStore#isIntact}) before
     * the cache is renamed into place, so that a cache that exists has its sum; through a temporary
     * file and a rename, so that a sum is never read half written.
     */
    private static void writeSum(Path dir, String key, Path cache, long pid) throws IOException {
        Path sum = dir.resolve(key + AotCacheStore.SUM_SUFFIX);
        Path temp = dir.resolve(key + AotCacheStore.SUM_SUFFIX + TEMP_MARK + pid);
        Files.deleteIfExists(temp);
        ipc.sync.ShmDirectory.createPrivateFile(temp);
        Files.writeString(temp, Files.size(cache) + " " + AotCacheStore.crc32c(cache) + "\n",
            StandardCharsets.US_ASCII);
        Files.move(temp, sum, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Runs the probe backend with -XX:AOTCacheOutput and waits for its exit, which writes the cache. */
    private static void record(Path output, List<String> jvmOptions) throws IOException {
        List<String> options = new ArrayList<>(jvmOptions);
        options.add("-XX:AOTCacheOutput=" + output);
        try (Probe probe = new Probe()) {
            probe.setJvmOptions(options);
            probe.ignoreSIGINT(); // the common choice for a worker; a Ctrl-C in the terminal ends the trainer anyway
            probe.start();
            probe.sendMessageToBack(new MessageObject("echo", "i", 1, "l", 2L, "d", 3.0, "s", "x", "b", true,
                "bytes", new byte[] {1, 2}, "list", List.of(), "map", Map.of()));
            MessageObject answer = probe.getPipe().recv(STEP_TIMEOUT);
            if (answer == null || !"echoed".equals(answer.command())) {
                throw new IllegalStateException("probe backend did not answer: answer=" + answer);
            }
            probe.requestStop();
            if (!probe.waitStop(STEP_TIMEOUT)) {
                throw new IllegalStateException("probe backend did not exit within " + STEP_TIMEOUT);
            }
            int exit = probe.exitCode().orElse(-1);
            if (exit != 0) {
                throw new IllegalStateException("probe backend exited with code " + exit);
            }
        }
        if (!Files.isRegularFile(output) || Files.size(output) == 0) {
            throw new IllegalStateException("the JVM wrote no AOT cache: output=" + output);
        }
    }

    /**
     * {@code java <flags> <options> -XX:AOTCache=<file> -XX:AOTMode=on -XX:+VerifySharedSpaces -cp
     * <prefix> -version}: AOTMode=on makes any reason not to map the cache (class path, JDK,
     * options, checksum) a start failure, which {@code -version} reports in milliseconds.
     */
    private static void verify(Path cache, List<String> jvmOptions) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(BackendLauncher.thisJavaBinary());
        command.addAll(BackendLauncher.libraryFlags());
        command.addAll(jvmOptions);
        command.add("-XX:AOTCache=" + cache);
        command.add("-XX:AOTMode=on");
        command.add("-XX:+VerifySharedSpaces");
        Path argfile = Files.createTempFile(cache.getParent(), cache.getFileName() + ".", ".cp");
        try {
            Files.writeString(argfile, "-cp\n\"" + System.getProperty("java.class.path").replace("\\", "\\\\")
                .replace("\"", "\\\"") + "\"\n");
            command.add("@" + argfile);
            command.add("-version");
            Process check = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
            check.getOutputStream().close();
            if (!check.waitFor(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                check.destroyForcibly();
                throw new IllegalStateException("cache check did not end within " + STEP_TIMEOUT);
            }
            if (check.exitValue() != 0) {
                throw new IllegalStateException("the JVM refuses the new cache: exitCode=" + check.exitValue()
                    + " command=" + command);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the cache", e);
        } finally {
            Files.deleteIfExists(argfile);
        }
    }

    /**
     * The pid in a temporary file's name ({@code <key>.aot.tmp-<pid>}, the JVM's
     * {@code <key>.aot.tmp-<pid>.config}, the check's {@code <key>.aot.tmp-<pid>.<n>.cp}); empty
     * for other names.
     */
    static OptionalLong temporaryOwner(String name) {
        int mark = name.indexOf(TEMP_MARK);
        if (mark < 0) {
            return OptionalLong.empty();
        }
        int start = mark + TEMP_MARK.length();
        int end = start;
        while (end < name.length() && Character.isDigit(name.charAt(end))) {
            end++;
        }
        if (end == start) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(name, start, end, 10));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log("cannot delete " + file + ": " + e);
        }
    }

    private static void log(String message) {
        System.err.println(Instant.now() + " AotTrainer: " + message);
    }
}
