package ipc.bench.report;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A measurement the report runs after JMH that is not a JMH benchmark: it writes a JMH-shaped result
 * ({@link ipc.bench.harness.ResultWriter}) to the file it is given. One line in
 * {@link ReportMain#DRIVERS} each.
 *
 * @param benchmark the name its result carries (selected by the same include pattern as JMH's)
 * @param step      runs it with the suite's warm-up and measurement durations
 */
record Driver(String benchmark, Step step) {

    /** The measurement itself. */
    @FunctionalInterface
    interface Step {
        void run(Duration warmup, Duration measurement, Path resultFile) throws Exception;
    }

    /** {@code results/raw/<Class.method>.json}. */
    String fileName() {
        return Series.key(benchmark, Map.of()) + ".json";
    }
}
