package ipc.bench.report;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * One benchmark's result in one run: its score, its latency histogram when it was sampled
 * (JMH's SampleTime mode), its secondary metrics (e.g. {@code gc.alloc.rate.norm}), or why it was
 * skipped.
 *
 * @param key          how the report names it: {@code Class.method}, then {@code :param=value,...}
 * @param benchmark    the fully qualified benchmark name
 * @param mode         JMH's mode string ({@code sample}, {@code thrpt}, {@code avgt}, {@code ss})
 * @param score        the primary score in {@code scoreUnit} (NaN when skipped)
 * @param latencyNanos every measured sample, in ns; null unless the mode is {@code sample}
 * @param secondary    secondary metric scores by name
 * @param skipped      why it was not measured, or null
 * @param vm           what ran it ("OpenJDK 64-Bit Server VM 25.0.3", "CPython 3.11.7")
 */
public record Series(String key, String benchmark, String mode, double score, String scoreUnit,
                     Histogram latencyNanos, Map<String, Double> secondary, String skipped, String vm) {

    /** {@code ipc.bench.baseline.FutexPingPong.roundTrip} + {waiting=park} -> {@code FutexPingPong.roundTrip:waiting=park}. */
    public static String key(String benchmark, Map<String, String> params) {
        String[] parts = benchmark.split("\\.");
        String shortName = parts.length >= 2 ? parts[parts.length - 2] + "." + parts[parts.length - 1] : benchmark;
        if (params.isEmpty()) {
            return shortName;
        }
        return shortName + ":" + new TreeMap<>(params).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }

    public boolean hasLatency() {
        return latencyNanos != null && latencyNanos.getTotalCount() > 0;
    }

    /** The latency at {@code percentile} (0..100) in ns; NaN without a histogram. */
    public double percentileNanos(double percentile) {
        return hasLatency() ? latencyNanos.getValueAtPercentile(percentile) : Double.NaN;
    }

    public long samples() {
        return hasLatency() ? latencyNanos.getTotalCount() : 0;
    }

    /** The score as operations per second when it is a throughput (ops/s, ops/ms, ...); NaN otherwise. */
    public double opsPerSecond() {
        if (scoreUnit == null || !scoreUnit.startsWith("ops/")) {
            return Double.NaN;
        }
        return score * Units.perSecond(scoreUnit.substring("ops/".length()));
    }

    /** A secondary metric's score; NaN when the run did not have it. */
    public double secondary(String metric) {
        Double value = secondary.get(metric);
        return value == null ? Double.NaN : value;
    }
}
