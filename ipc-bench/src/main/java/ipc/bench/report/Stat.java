package ipc.bench.report;

import java.util.function.ToDoubleFunction;

/**
 * A number read off a {@link Series}, with the unit the report prints it in.
 *
 * @param name   column or row label ("p50", "throughput", ...)
 * @param unit   printed after the value ("us", "msg/s", "B/op", ...)
 * @param read   the value; NaN when the series does not have it
 */
public record Stat(String name, String unit, ToDoubleFunction<Series> read) {

    public static final Stat P50 = percentile("p50", 50);
    public static final Stat P90 = percentile("p90", 90);
    public static final Stat P99 = percentile("p99", 99);
    public static final Stat P999 = percentile("p99.9", 99.9);
    /** One-way messages per second (a JMH Throughput benchmark whose operation is one message). */
    public static final Stat THROUGHPUT = new Stat("throughput", "msg/s", Series::opsPerSecond);
    /** Bytes allocated per operation in the benchmark JVM (JMH's gc profiler). */
    public static final Stat ALLOCATION = secondary("allocation", "gc.alloc.rate.norm", "B/op");

    /** A latency percentile in microseconds. */
    public static Stat percentile(String name, double percentile) {
        return new Stat(name, "us", s -> s.percentileNanos(percentile) / 1_000.0);
    }

    /** A secondary metric (a profiler's, or an {@code @AuxCounters} field) by its JMH name. */
    public static Stat secondary(String name, String metric, String unit) {
        return new Stat(name, unit, s -> s.secondary(metric));
    }

    /** The primary score as JMH reports it, e.g. a SingleShotTime benchmark in ms. */
    public static Stat score(String name, String unit) {
        return new Stat(name, unit, Series::score);
    }

    /** The primary score of a time mode (avgt, ss), converted from JMH's score unit to {@code unit} ("ms", "us"). */
    public static Stat time(String name, String unit) {
        return new Stat(name, unit, s -> {
            String scoreUnit = s.scoreUnit();
            if (scoreUnit == null || !scoreUnit.endsWith("/op") || scoreUnit.startsWith("ops/")) {
                return Double.NaN;
            }
            return s.score() * Units.nanos(scoreUnit.substring(0, scoreUnit.indexOf('/'))) / Units.nanos(unit);
        });
    }

    public double of(Series series) {
        return series == null ? Double.NaN : read.applyAsDouble(series);
    }

    /** "5.40 us", "0 B/op", "-" when absent. */
    public String format(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        if ("msg/s".equals(unit) && value >= 1e5) {
            return String.format("%.2f M%s", value / 1e6, unit);
        }
        return Units.threeDigits(value) + " " + unit;
    }
}
