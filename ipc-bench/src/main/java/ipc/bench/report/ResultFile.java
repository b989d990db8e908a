package ipc.bench.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Reads a JMH JSON result ({@code -rf json}) into {@link Series}: one per entry.
 *
 * <p>Percentiles are rebuilt from {@code primaryMetric.rawDataHistogram} (forks x measurement
 * iterations x [value, count] in the score unit), not taken from {@code scorePercentiles}, so the
 * plot can ask for any percentile. Files written by our own drivers (the Python baseline) use the
 * same shape, plus an optional {@code skipped} reason.
 */
public final class ResultFile {
    /** The score unit JMH gives an {@code @AuxCounters(Type.EVENTS)} counter. */
    static final String EVENTS_UNIT = "#";

    /** JMH's sample buffer keeps ~3 significant digits; more would only cost memory. */
    private static final int SIGNIFICANT_DIGITS = 3;

    private ResultFile() {
    }

    public static List<Series> read(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file)) {
            JsonElement root = JsonParser.parseReader(in);
            if (!root.isJsonArray()) {
                throw new IllegalArgumentException("not a JMH JSON result (no top-level array): file=" + file);
            }
            List<Series> series = new ArrayList<>();
            for (JsonElement entry : root.getAsJsonArray()) {
                series.add(parse(entry.getAsJsonObject()));
            }
            return series;
        }
    }

    /** The secondary metric that holds a SingleShotTime benchmark's median, in its score unit. */
    static final String SINGLE_SHOT_MEDIAN = "median";

    static Series parse(JsonObject entry) {
        String benchmark = entry.get("benchmark").getAsString();
        String mode = entry.get("mode").getAsString();
        Map<String, String> params = new LinkedHashMap<>();
        if (entry.has("params")) {
            entry.getAsJsonObject("params").entrySet().forEach(e -> params.put(e.getKey(), e.getValue().getAsString()));
        }
        String key = Series.key(benchmark, params);
        String vm = string(entry, "vmName") + " " + string(entry, "vmVersion");
        if (entry.has("skipped")) {
            return new Series(key, benchmark, mode, Double.NaN, null, null, Map.of(), entry.get("skipped").getAsString(), vm);
        }
        JsonObject primary = entry.getAsJsonObject("primaryMetric");
        String unit = primary.get("scoreUnit").getAsString();
        Histogram histogram = null;
        if (primary.has("rawDataHistogram")) {
            histogram = histogram(primary.getAsJsonArray("rawDataHistogram"), Units.nanos(unit.substring(0, unit.indexOf('/'))));
        }
        Map<String, Double> secondary = new LinkedHashMap<>();
        if (entry.has("secondaryMetrics")) {
            for (Map.Entry<String, JsonElement> e : entry.getAsJsonObject("secondaryMetrics").entrySet()) {
                JsonObject metric = e.getValue().getAsJsonObject();
                JsonElement score = metric.get("score");
                double value = score.isJsonPrimitive() ? score.getAsDouble() : Double.NaN;
                if (EVENTS_UNIT.equals(string(metric, "scoreUnit")) && metric.has("rawData")) {
                    // An @AuxCounters(EVENTS) counter's score is the sum over the iterations; the
                    // counters here (B/op per side) are per-iteration ratios, so their mean is the figure.
                    value = mean(metric.getAsJsonArray("rawData"));
                }
                // JMH before 1.33 prefixed profiler metrics with a middle dot ("\u00b7gc.alloc.rate.norm").
                secondary.put(e.getKey().replace("\u00b7", ""), value);
            }
        }
        if ("ss".equals(mode) && primary.has("scorePercentiles")) {
            // SingleShotTime keeps no histogram; its median (in the score unit) is robust where the mean is not.
            secondary.put(SINGLE_SHOT_MEDIAN, primary.getAsJsonObject("scorePercentiles").get("50.0").getAsDouble());
        }
        return new Series(key, benchmark, mode, primary.get("score").getAsDouble(), unit, histogram, secondary, null, vm);
    }

    /** Merges every fork's and iteration's [value, count] pairs; values scaled to ns by {@code nanosPerUnit}. */
    private static Histogram histogram(JsonArray forks, double nanosPerUnit) {
        Histogram histogram = new Histogram(SIGNIFICANT_DIGITS);
        for (JsonElement fork : forks) {
            for (JsonElement iteration : fork.getAsJsonArray()) {
                for (JsonElement bin : iteration.getAsJsonArray()) {
                    JsonArray pair = bin.getAsJsonArray();
                    long nanos = Math.max(1, Math.round(pair.get(0).getAsDouble() * nanosPerUnit));
                    histogram.recordValueWithCount(nanos, pair.get(1).getAsLong());
                }
            }
        }
        return histogram;
    }

    /** The mean of every fork's per-iteration values, NaN when there are none. */
    private static double mean(JsonArray forks) {
        double sum = 0;
        int n = 0;
        for (JsonElement fork : forks) {
            for (JsonElement iteration : fork.getAsJsonArray()) {
                sum += iteration.getAsDouble();
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private static String string(JsonObject entry, String field) {
        return entry.has(field) ? entry.get(field).getAsString() : "?";
    }
}
