package ipc.bench.harness;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Writes results of measurements that are not JMH benchmarks (the Python baseline, a backend's idle
 * CPU read from /proc, ...) in the shape of JMH's JSON result, so the report reads every series the
 * same way. Only the fields the report reads are written.
 */
public final class ResultWriter {

    private static final double[] PERCENTILES = {0.0, 50.0, 90.0, 95.0, 99.0, 99.9, 99.99, 99.999, 99.9999, 100.0};

    private ResultWriter() {
    }

    /** A SampleTime-like entry in us/op from a histogram of nanoseconds. */
    public static JsonObject sampled(String benchmark, Histogram nanos, String vmName, String vmVersion) {
        JsonObject percentiles = new JsonObject();
        for (double p : PERCENTILES) {
            percentiles.addProperty(Double.toString(p), micros(nanos.getValueAtPercentile(p)));
        }
        JsonArray bins = new JsonArray();
        for (HistogramIterationValue v : nanos.recordedValues()) {
            JsonArray bin = new JsonArray();
            bin.add(micros(v.getValueIteratedTo()));
            bin.add(v.getCountAtValueIteratedTo());
            bins.add(bin);
        }
        JsonArray iterations = new JsonArray();
        iterations.add(bins);
        JsonArray forks = new JsonArray();
        forks.add(iterations);
        JsonObject primary = new JsonObject();
        primary.addProperty("score", nanos.getMean() / 1_000.0);
        primary.addProperty("scoreUnit", "us/op");
        primary.add("scorePercentiles", percentiles);
        primary.add("rawDataHistogram", forks);
        return entry(benchmark, "sample", vmName, vmVersion, primary, Map.of());
    }

    /**
     * An entry with one score, e.g. {@code score(name, "ss", 0.4, "%", Map.of())} for a CPU share;
     * {@code secondary} adds named metrics (unit-less here: the report's Stat gives units).
     */
    public static JsonObject score(String benchmark, String mode, double score, String unit, Map<String, Double> secondary) {
        JsonObject primary = new JsonObject();
        primary.addProperty("score", score);
        primary.addProperty("scoreUnit", unit);
        return entry(benchmark, mode, System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
                primary, secondary);
    }

    /** An entry saying the measurement did not run and why (the report prints it). */
    public static JsonObject skipped(String benchmark, String mode, String why) {
        JsonObject entry = new JsonObject();
        entry.addProperty("benchmark", benchmark);
        entry.addProperty("mode", mode);
        entry.addProperty("skipped", why);
        return entry;
    }

    public static void write(Path file, List<JsonObject> entries) throws IOException {
        JsonArray array = new JsonArray();
        entries.forEach(array::add);
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().create().toJson(array));
    }

    private static JsonObject entry(String benchmark, String mode, String vmName, String vmVersion,
                                    JsonObject primary, Map<String, Double> secondary) {
        JsonObject entry = new JsonObject();
        entry.addProperty("benchmark", benchmark);
        entry.addProperty("mode", mode);
        entry.addProperty("vmName", vmName);
        entry.addProperty("vmVersion", vmVersion);
        entry.add("primaryMetric", primary);
        JsonObject metrics = new JsonObject();
        secondary.forEach((name, value) -> {
            JsonObject metric = new JsonObject();
            metric.addProperty("score", value);
            metrics.add(name, metric);
        });
        entry.add("secondaryMetrics", metrics);
        return entry;
    }

    private static double micros(long nanos) {
        return nanos / 1_000.0;
    }
}
