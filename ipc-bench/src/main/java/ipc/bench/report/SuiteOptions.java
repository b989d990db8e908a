package ipc.bench.report;

import ipc.bench.harness.JvmOptions;
import ipc.bench.harness.PeerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The short suite the report runs: a few minutes on two cores for every benchmark together. The
 * benchmark classes' own annotations hold the longer settings for a full run.
 */
final class SuiteOptions {

    /** Every benchmark in the module: baselines and library alike. */
    static final String ALL = "ipc\\.bench\\..*";
    /** One JVM per benchmark: fork-to-fork spread is below this shared machine's noise, and each fork starts a peer. */
    static final int FORKS = 1;
    /**
     * Eight: the JIT of a fork and its backend is still compiling seconds after the round trip is
     * hot (the demo's JVMs compiled for 4-7 s), and its C2 threads then take the cores from the two
     * spinners. The pinned library round trip read p99 18 us, p99.9 497 us after 3 x 1 s and
     * p99 12 us, p99.9 88 us after 8 x 1 s (same code, one run each).
     */
    static final int WARMUP_ITERATIONS = 8;
    /**
     * JMH keeps at most ~20 samples per ms of an iteration: 5 x 1 s gives ~100 k samples per series,
     * ten of them beyond p99.99, which is as far as the plot goes with confidence.
     */
    static final int MEASUREMENT_ITERATIONS = 5;
    static final Duration ITERATION = Duration.ofSeconds(1);
    /**
     * A fixed heap touched up front: no resize and no first-touch page fault inside a measured
     * iteration; 512 MB is ample for benchmarks that allocate nothing per operation.
     */
    static final List<String> FORK_HEAP = List.of("-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch");
    /**
     * No backend AOT cache in the forks: a benchmark's first start would train one in the background
     * (a JVM or three for up to tens of seconds on 2 cores) while the benchmark measures.
     * BackendStart, which measures start, turns it back on with a cache of its own. The runner JVM,
     * where the drivers start backends, gets the same property from the report profile.
     */
    static final List<String> FORK_PROPERTIES = List.of("-Dipc.aot=false");

    private SuiteOptions() {
    }

    static Duration warmup() {
        return ITERATION.multipliedBy(WARMUP_ITERATIONS);
    }

    static Duration measurement() {
        return ITERATION.multipliedBy(MEASUREMENT_ITERATIONS);
    }

    /** What the report prints about the settings. */
    static String describe() {
        return FORKS + " fork, " + WARMUP_ITERATIONS + " x " + ITERATION.toSeconds() + " s warm-up, "
                + MEASUREMENT_ITERATIONS + " x " + ITERATION.toSeconds() + " s measurement (BackendStart: " + START_WARMUPS
                + " + " + START_MEASUREMENTS + " single starts per path, judged on the median), gc profiler; fork JVMs: "
                + "@ipc-core/jvm.options " + String.join(" ", FORK_HEAP) + " " + String.join(" ", FORK_PROPERTIES)
                + "; peer JVMs: @ipc-core/jvm.options "
                + String.join(" ", PeerProcess.PEER_HEAP);
    }

    /**
     * BackendStart (SingleShotTime, one start per iteration) runs apart, with more iterations: the
     * report judges the median of {@value #START_MEASUREMENTS} starts per path.
     */
    static final String START_BENCHMARK = "BackendStart|BackendRestart";
    static final int START_WARMUPS = 2;
    static final int START_MEASUREMENTS = 11;

    /** JMH options for the benchmarks matching {@code include} except BackendStart, writing JSON to {@code resultFile}. */
    static Options build(String include, Path resultFile) {
        return common(resultFile).include(include).exclude(START_BENCHMARK)
                .warmupIterations(WARMUP_ITERATIONS)
                .measurementIterations(MEASUREMENT_ITERATIONS)
                .build();
    }

    /** JMH options for the single-shot start benchmarks matching {@code include}, writing JSON to {@code resultFile}. */
    static Options buildStart(String include, Path resultFile) {
        return common(resultFile).include(include)
                .warmupIterations(START_WARMUPS)
                .measurementIterations(START_MEASUREMENTS)
                .build();
    }

    private static ChainedOptionsBuilder common(Path resultFile) {
        // jvmArgs (not jvmArgsAppend): a fork must not inherit the runner's own flags, only these.
        List<String> forkArgs = new ArrayList<>(JvmOptions.flags());
        forkArgs.addAll(FORK_HEAP);
        forkArgs.addAll(FORK_PROPERTIES);
        TimeValue iteration = TimeValue.milliseconds(ITERATION.toMillis());
        return new OptionsBuilder()
                .forks(FORKS)
                .warmupTime(iteration)
                .measurementTime(iteration)
                .jvmArgs(forkArgs.toArray(String[]::new))
                .addProfiler(GCProfiler.class)
                .resultFormat(ResultFormatType.JSON)
                .result(resultFile.toString())
                .shouldFailOnError(false);
    }
}
