package ipc.bench.library;

import ipc.bench.harness.ScratchDirectory;
import ipc.core.MessageProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code start()} to backend ready: one operation is {@link MessageProcess#start()} of a fresh
 * process, which returns once the spawned backend JVM has rebuilt the object and answered READY
 * (channel created, JVM started, channel opened, INIT read, READY written and seen).
 *
 * <p>SingleShotTime: one start per iteration; the process is created before and closed after it in
 * iteration fixtures, so neither the constructor nor the backend's stop is timed. 25 measured
 * starts give a median that a busy machine's outliers do not move.
 *
 * <p>{@code path} picks what is measured, all in one run so that the report's before/after ratio
 * compares like with like:
 * <ul>
 *   <li>{@code nocache}: no backend AOT cache ({@code ipc.aot=false}): the start before the cache;
 *   <li>{@code cache}: the default path: the backend AOT cache (ipc-core, native-notes/jvm-flags.md)
 *       in a scratch directory of this trial ({@code ipc.aot.dir}), so a run measures a cache it
 *       made, never one left in {@code ~/.cache} by another build: the trial's first start (also
 *       this JVM's own Chronicle start, printed, not measured) triggers the training, and the set-up
 *       waits for it. A class path that starts with a directory gets no cache (JMH forks take the
 *       runner's: put the jars first);
 *   <li>{@code spare}: the cache and the opt-in spare backend ({@code ipc.spareBackend=true}): each
 *       start adopts the spare the previous one left, which the untimed iteration set-up gives
 *       {@value #SPARE_WARM_MILLIS} ms to boot and warm up, as it has in an application that does not
 *       start backends back to back.
 * </ul>
 * The cache is on for this benchmark even where the forks run with {@code -Dipc.aot=false} (the
 * report's, so that no training runs beside other benchmarks).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3)
@Measurement(iterations = 25)
public class BackendStart {

    /** The AOT training runs a backend, assembles and checks the archive: ~10 s here, 3 min only stops a hang. */
    private static final Duration TRAINING_TIMEOUT = Duration.ofMinutes(3);

    /** How long the untimed set-up gives the spare to warm up. */
    static final long SPARE_WARM_MILLIS = 2000;

    /** What start path to measure: {@code nocache}, {@code cache} (the default path) or {@code spare}. */
    @Param({"nocache", "cache", "spare"})
    public String path;

    /** The smallest backend: the library's own loop, no state of its own. */
    public static final class Idle extends MessageProcess {
        public Idle(String name) {
            super(name);
        }
    }

    private ScratchDirectory cacheDirectory;
    private int started;
    private boolean spare;
    private Idle process;

    @Setup(Level.Trial)
    public void firstStart() throws InterruptedException {
        boolean aot = switch (path) {
            case "nocache" -> false;
            case "cache", "spare" -> true;
            default -> throw new IllegalArgumentException("path must be nocache, cache or spare: path=" + path);
        };
        System.setProperty("ipc.aot", Boolean.toString(aot));
        spare = path.equals("spare");
        System.setProperty("ipc.spareBackend", Boolean.toString(spare));
        cacheDirectory = ScratchDirectory.create("aot");
        System.setProperty("ipc.aot.dir", cacheDirectory.path().toString());
        long begin = System.nanoTime();
        try (Idle first = new Idle("start-first")) {
            first.start();
            System.out.printf("# first start (this JVM's Chronicle start too): %.1f ms%n", (System.nanoTime() - begin) / 1e6);
        }
        if (aot) {
            awaitTraining(cacheDirectory.path());
        }
    }

    /** Waits until the directory holds a cache and no training lock (ipc-core's file conventions). */
    static void awaitTraining(Path dir) throws InterruptedException {
        long begin = System.nanoTime();
        long deadline = begin + TRAINING_TIMEOUT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            boolean training = any(dir, ".lock"); // taken before the first start() returned
            if (!training) {
                if (any(dir, ".aot")) {
                    System.out.printf("# backend AOT cache trained in %.1f s%n", (System.nanoTime() - begin) / 1e9);
                } else {
                    System.out.println("# no backend AOT cache (the class path must start with jars up to ipc-core's;"
                        + " a failed training leaves a .log in " + dir + "): measuring without it");
                }
                return;
            }
            Thread.sleep(200);
        }
        System.out.println("# backend AOT cache not trained within " + TRAINING_TIMEOUT + ": measuring without it");
    }

    private static boolean any(Path dir, String suffix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(suffix));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Setup(Level.Iteration)
    public void create() throws InterruptedException {
        process = new Idle("start-" + started++);
        if (spare) {
            Thread.sleep(SPARE_WARM_MILLIS);
        }
    }

    @Benchmark
    public void startToReady() {
        process.start();
    }

    @TearDown(Level.Iteration)
    public void close() {
        process.close();
    }

    @TearDown(Level.Trial)
    public void removeCache() {
        System.clearProperty("ipc.aot.dir");
        System.clearProperty("ipc.spareBackend");
        cacheDirectory.close();
    }
}
