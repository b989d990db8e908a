package ipc.bench.report;

import ipc.bench.baseline.PythonPipeBaseline;
import ipc.bench.library.IdleBackend;
import ipc.bench.library.ShmFootprint;
import ipc.bench.library.BackendStart;
import ipc.bench.library.UserProgramStart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;

/**
 * Runs the short suite and writes the report: {@code mvn -B -Preport -pl ipc-bench -am verify -DskipTests}.
 *
 * <p>Steps: JMH over every benchmark ({@link SuiteOptions}) into {@code results/raw/jmh.json}; each
 * of {@link #DRIVERS} (the Python baseline, the idle backend's CPU, the /dev/shm footprint) into {@code results/raw/<Class.method>.json}; then every
 * {@code raw/*.json} is read back and rendered into {@code results/REPORT.md} and
 * {@code results/latency.svg}.
 *
 * <p>Arguments: {@code --results=DIR} (required), {@code --command=TEXT} (how the report says it
 * was made), {@code --include=REGEX} (a subset of benchmarks, for trying one out),
 * {@code --render-only} (re-render from the raw files of the last run). Exit status 1 when a
 * baseline that should have run is missing, so a broken baseline cannot pass unnoticed.
 */
public final class ReportMain {

    static final String REPORT = "REPORT.md";
    static final String PLOT = "latency.svg";
    static final String RUN_INFO = "run.json";
    private static final String BASELINE_PACKAGE = "ipc.bench.baseline.";

    /** Measurements that are not JMH benchmarks, run after JMH in this order. */
    static final List<Driver> DRIVERS = List.of(
            new Driver(PythonPipeBaseline.BENCHMARK, PythonPipeBaseline::run),
            new Driver(IdleBackend.BENCHMARK, IdleBackend::run),
            new Driver(ShmFootprint.BENCHMARK, ShmFootprint::run),
            new Driver(UserProgramStart.ONE, UserProgramStart::runOne),
            new Driver(UserProgramStart.THREE, UserProgramStart::runThree),
            new Driver(UserProgramStart.THREE_SEQUENTIAL, UserProgramStart::runThreeSequential),
            new Driver(UserProgramStart.ONE_NO_CACHE, UserProgramStart::runOneNoCache));

    private ReportMain() {
    }

    public static void main(String[] args) throws IOException, RunnerException {
        Path results = null;
        String command = "ipc.bench.report.ReportMain";
        String include = SuiteOptions.ALL;
        boolean renderOnly = false;
        for (String arg : args) {
            if (arg.startsWith("--results=")) {
                results = Path.of(arg.substring("--results=".length())).toAbsolutePath();
            } else if (arg.startsWith("--command=")) {
                command = arg.substring("--command=".length());
            } else if (arg.startsWith("--include=")) {
                include = arg.substring("--include=".length());
            } else if (arg.equals("--render-only")) {
                renderOnly = true;
            } else {
                throw new IllegalArgumentException("unknown argument: arg=" + arg);
            }
        }
        if (results == null) {
            throw new IllegalArgumentException("--results=DIR is required");
        }
        Path raw = results.resolve("raw");
        if (!renderOnly) {
            measure(raw, command, include);
        }
        List<Series> series = Catalog.ordered(readAll(raw));
        RunInfo run = RunInfo.read(raw.resolve(RUN_INFO));
        Files.writeString(results.resolve(PLOT), PercentilePlot.render(
                "Round-trip latency by percentile, " + run.cpuModel() + " x" + run.cores() + ", " + run.date(), series));
        Files.writeString(results.resolve(REPORT), MarkdownReport.render(run, series, Targets.ALL, PLOT));
        System.out.println("report: " + results.resolve(REPORT));
        List<String> missing = missingBaselines(series, run.include());
        if (!missing.isEmpty()) {
            System.err.println("baselines missing from this run (see the JMH output above): " + missing);
            System.exit(1);
        }
    }

    private static void measure(Path raw, String command, String include) throws IOException, RunnerException {
        Files.createDirectories(raw);
        try (Stream<Path> old = Files.list(raw)) {
            for (Path file : old.filter(f -> f.toString().endsWith(".json")).toList()) {
                Files.delete(file);
            }
        }
        RunInfo run = RunInfo.capture(command, include, SuiteOptions.describe());
        Path jmhResult = raw.resolve("jmh.json");
        try {
            new Runner(SuiteOptions.build(include, jmhResult)).run();
        } catch (NoBenchmarksException onlyDrivers) {
            // e.g. --include=IdleBackend: no JMH benchmark matches, the drivers below still run;
            // JMH has left an empty result file, which is no JSON array
            System.out.println("# no JMH benchmark matches include=" + include);
            Files.deleteIfExists(jmhResult);
        }
        Pattern selected = Pattern.compile(include);
        List<String> starts = new ArrayList<>();
        for (String start : List.of(BackendStart.class.getName() + ".startToReady",
                ipc.bench.library.BackendRestart.class.getName() + ".deathToAnswer")) {
            if (selected.matcher(start).find()) {
                starts.add(Pattern.quote(start));
            }
        }
        if (!starts.isEmpty()) {
            new Runner(SuiteOptions.buildStart(String.join("|", starts), raw.resolve("BackendStart.json"))).run();
        }
        for (Driver driver : DRIVERS) {
            if (selected.matcher(driver.benchmark()).find()) {
                System.out.println("# " + driver.benchmark() + ": " + SuiteOptions.warmup().toSeconds() + " s warm-up, "
                        + SuiteOptions.measurement().toSeconds() + " s measurement");
                try {
                    driver.step().run(SuiteOptions.warmup(), SuiteOptions.measurement(), raw.resolve(driver.fileName()));
                } catch (Exception e) {
                    // like JMH with failOnError off: the others still run, the report shows it as missing
                    System.err.println("# " + driver.benchmark() + " failed:");
                    e.printStackTrace();
                }
            }
        }
        run.finish().write(raw.resolve(RUN_INFO));
    }

    private static List<Series> readAll(Path raw) throws IOException {
        List<Series> series = new ArrayList<>();
        try (Stream<Path> files = Files.list(raw)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json") && !f.endsWith(RUN_INFO)).sorted().toList()) {
                series.addAll(ResultFile.read(file));
            }
        }
        return series;
    }

    /**
     * Baselines that are in this build, were selected by the include pattern and produced no series
     * (a skip with a reason is a series, so it is not missing).
     */
    private static List<String> missingBaselines(List<Series> series, String include) {
        Pattern selected = Pattern.compile(include);
        List<String> missing = new ArrayList<>();
        for (Catalog.Entry baseline : Catalog.baselines()) {
            String method = baseline.key().replaceAll(":.*", "");
            String className = BASELINE_PACKAGE + method.substring(0, method.indexOf('.'));
            boolean wanted = selected.matcher(BASELINE_PACKAGE + method).find() && inBuild(className);
            if (wanted && series.stream().noneMatch(s -> s.key().equals(baseline.key()))) {
                missing.add(baseline.key());
            }
        }
        return missing;
    }

    private static boolean inBuild(String className) {
        try {
            Class.forName(className, false, ReportMain.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
