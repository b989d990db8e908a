package ipc.bench.baseline;

import com.google.gson.JsonObject;
import ipc.bench.harness.ResultWriter;
import ipc.bench.harness.ScratchDirectory;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The seed's transport, Python's {@code multiprocessing.Pipe} with pickle, timed by
 * {@code src/main/python/pipe_roundtrip.py} and written as a JMH-shaped result so the report reads
 * it like any other round trip.
 *
 * <p>Not a JMH benchmark: JMH times Java invocations, and a Java hop into Python would add its own
 * pipe to the span. The script times each round trip itself ({@code perf_counter_ns} around
 * send ... recv, the span JMH times around an invocation) and prints the samples; this class runs it
 * and turns them into a histogram ({@link ResultWriter}). Without {@code python3} on PATH it writes a result that says
 * "skipped" and why.
 */
public final class PythonPipeBaseline {

    /** The benchmark name the report knows this series by (same shape as JMH's names). */
    public static final String BENCHMARK = PythonPipeBaseline.class.getName() + ".roundTrip";
    private static final String SCRIPT = "pipe_roundtrip.py";
    /** Three significant digits, as JMH's own sample histogram keeps about that precision. */
    private static final int SIGNIFICANT_DIGITS = 3;
    /** Beyond warm-up plus measurement, how long the script may take to start and to end. */
    private static final Duration EXIT_SLACK = Duration.ofSeconds(30);

    private PythonPipeBaseline() {
    }

    /**
     * Runs the script for {@code warmup} then {@code measure} and writes the result to {@code resultFile}
     * (a "skipped" entry without python3).
     */
    public static void run(Duration warmup, Duration measure, Path resultFile) throws IOException, InterruptedException {
        Optional<Path> python = findOnPath("python3");
        JsonObject entry = python.isEmpty()
                ? ResultWriter.skipped(BENCHMARK, "sample", "python3 not found on PATH")
                : measure(python.get(), warmup, measure);
        ResultWriter.write(resultFile, List.of(entry));
    }

    private static JsonObject measure(Path python, Duration warmup, Duration measure) throws IOException, InterruptedException {
        try (ScratchDirectory dir = ScratchDirectory.create("py")) {
            Path script = dir.resolve(SCRIPT);
            try (InputStream in = PythonPipeBaseline.class.getResourceAsStream("/ipc/bench/python/" + SCRIPT)) {
                if (in == null) {
                    throw new IllegalStateException("resource missing from the classpath: /ipc/bench/python/" + SCRIPT);
                }
                Files.copy(in, script);
            }
            Process process = new ProcessBuilder(python.toString(), script.toString(),
                    seconds(warmup), seconds(measure))
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            Histogram histogram = new Histogram(SIGNIFICANT_DIGITS);
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    histogram.recordValue(Math.max(1, Long.parseLong(line.strip())));
                }
            } finally {
                long limit = warmup.plus(measure).plus(EXIT_SLACK).toMillis();
                if (!process.waitFor(limit, TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            }
            if (process.exitValue() != 0 || histogram.getTotalCount() == 0) {
                throw new IllegalStateException("python baseline failed: exitCode=" + process.exitValue()
                        + " samples=" + histogram.getTotalCount());
            }
            return ResultWriter.sampled(BENCHMARK, histogram, "CPython", version(python));
        }
    }

    private static String seconds(Duration d) {
        return Double.toString(d.toMillis() / 1_000.0);
    }

    private static String version(Path python) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(python.toString(), "--version").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return text.replace("Python ", "");
    }

    static Optional<Path> findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return List.of(path.split(File.pathSeparator)).stream()
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, name))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
