package ipc.bench.library;

import ipc.bench.harness.JvmOptions;
import ipc.bench.harness.PeerProcess;
import ipc.bench.harness.ResultWriter;
import ipc.bench.harness.ScratchDirectory;
import com.google.gson.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code start()} to the first answer in a user's program run from class directories, a report
 * Driver: each run is a fresh JVM ({@link UserProgram}) whose class path starts with ipc-bench's
 * class directory (the user's classes) followed by the library's jars, as an IDE or
 * {@code mvn exec} lays it out. Measured: one process ({@link #ONE}) and three started with
 * {@code startAll} ({@link #THREE}): the program's start call to its last first answer (what a
 * user meets: this JVM's own Chronicle start included), and a later start in the same JVM.
 *
 * <p>The backend AOT cache is on (but for {@link #ONE_NO_CACHE}, the baseline), in a scratch
 * directory of this run: the first program run trains it (not measured), then {@link #RUNS} runs
 * are measured; score = their median.
 */
public final class UserProgramStart {

    public static final String ONE = UserProgramStart.class.getName() + ".oneBackend";
    public static final String THREE = UserProgramStart.class.getName() + ".threeBackends";
    /** The baseline: one backend with the AOT cache off ({@code -Dipc.aot=false}), as a class-directory program started before. */
    public static final String ONE_NO_CACHE = UserProgramStart.class.getName() + ".oneBackendNoCache";
    /** The baseline of {@link #THREE}: the same three processes started one after another. */
    public static final String THREE_SEQUENTIAL = UserProgramStart.class.getName() + ".threeBackendsSequential";
    /** Secondary metric: the median of a later start in the same JVM. */
    public static final String LATER = "laterAnswerMs";

    /** 7 runs: a median that one slow start on the shared machine does not move; ~10 s per layout. */
    static final int RUNS = 7;
    /** One program run: a few seconds; 2 minutes only catches a hang. */
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(2);
    /** The training takes 5-10 s here on a quiet machine; 3 minutes only catches a hang. */
    private static final Duration TRAINING_TIMEOUT = Duration.ofMinutes(3);

    private UserProgramStart() {
    }

    /** Driver step for one backend. */
    public static void runOne(Duration warmup, Duration measurement, Path resultFile) throws Exception {
        run(ONE, 1, true, false, resultFile);
    }

    /** Driver step for three backends started with startAll. */
    public static void runThree(Duration warmup, Duration measurement, Path resultFile) throws Exception {
        run(THREE, 3, true, false, resultFile);
    }

    /** Driver step for the baseline of startAll: three backends, one start() after another. */
    public static void runThreeSequential(Duration warmup, Duration measurement, Path resultFile) throws Exception {
        run(THREE_SEQUENTIAL, 3, true, true, resultFile);
    }

    /** Driver step for the baseline: one backend, no AOT cache. */
    public static void runOneNoCache(Duration warmup, Duration measurement, Path resultFile) throws Exception {
        run(ONE_NO_CACHE, 1, false, false, resultFile);
    }

    private static void run(String benchmark, int backends, boolean aot, boolean sequential, Path resultFile)
            throws Exception {
        try (ScratchDirectory cache = ScratchDirectory.create("aot")) {
            program(backends, cache.path(), aot, sequential); // trains this run's cache (page cache warm either way): not measured
            awaitTraining(cache.path());
            double[] first = new double[RUNS];
            double[] later = new double[RUNS];
            for (int i = 0; i < RUNS; i++) {
                Map<String, Double> out = program(backends, cache.path(), aot, sequential);
                first[i] = out.get("firstAnswerMs");
                later[i] = out.get(LATER);
            }
            System.out.printf("%s: first answer ms %s, later start ms %s%n", benchmark, Arrays.toString(first),
                Arrays.toString(later));
            JsonObject result = ResultWriter.score(benchmark, "ss", median(first), "ms",
                Map.of(LATER, median(later), "firstAnswerMs.min", Arrays.stream(first).min().orElseThrow(),
                    "firstAnswerMs.max", Arrays.stream(first).max().orElseThrow()));
            ResultWriter.write(resultFile, List.of(result));
        }
    }

    /** Runs one {@link UserProgram}; returns its {@code key=value} lines. */
    private static Map<String, Double> program(int backends, Path cacheDir, boolean aot, boolean sequential)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElseThrow());
        cmd.addAll(JvmOptions.flags());
        cmd.addAll(PeerProcess.PEER_HEAP);
        cmd.add("-Dipc.aot.dir=" + cacheDir);
        cmd.add("-Dipc.aot=" + aot); // the report runner's own -Dipc.aot=false is not passed on
        for (String property : List.of("ipc.dir", "ipc.jvm.options")) {
            if (System.getProperty(property) != null) {
                cmd.add("-D" + property + "=" + System.getProperty(property));
            }
        }
        cmd.add("-cp");
        cmd.add(userClasspath());
        cmd.add(UserProgram.class.getName());
        cmd.add(Integer.toString(backends));
        if (sequential) {
            cmd.add(UserProgram.SEQUENTIAL);
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out;
        try {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("user program failed: exit=" + (p.isAlive() ? "running" : p.exitValue())
                    + " output=" + out);
            }
        } finally {
            p.destroyForcibly();
        }
        Map<String, Double> values = new java.util.HashMap<>();
        for (String line : out.split("\\R")) {
            int eq = line.indexOf('=');
            if (eq > 0 && line.substring(0, eq).endsWith("Ms")) {
                values.put(line.substring(0, eq), Double.parseDouble(line.substring(eq + 1)));
            }
        }
        if (!values.containsKey("firstAnswerMs") || !values.containsKey(LATER)) {
            throw new IllegalStateException("user program printed no times: output=" + out);
        }
        return values;
    }

    /**
     * This JVM's class path with its class directories moved to the front (the user's classes
     * first) and its jars after them, in their order.
     */
    static String userClasspath() {
        List<String> directories = new ArrayList<>();
        List<String> jars = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            (Files.isDirectory(Path.of(entry)) ? directories : jars).add(entry);
        }
        if (directories.isEmpty()) {
            throw new IllegalStateException("no class directory on the class path: the benchmark needs ipc-bench's"
                + " target/classes as one");
        }
        directories.addAll(jars);
        return String.join(File.pathSeparator, directories);
    }

    private static void awaitTraining(Path dir) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TRAINING_TIMEOUT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            try (Stream<Path> files = Files.list(dir)) {
                if (files.noneMatch(f -> f.getFileName().toString().endsWith(".lock"))) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("backend AOT cache not trained within " + TRAINING_TIMEOUT + ": dir=" + dir);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
