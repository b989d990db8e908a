package ipc.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultFileTest {

    /** The fields JMH 1.37 writes for a SampleTime benchmark with a param, trimmed to what we read. */
    static final String SAMPLE = """
            [{"benchmark": "ipc.bench.baseline.FutexPingPong.roundTrip", "mode": "sample",
              "vmName": "OpenJDK 64-Bit Server VM", "vmVersion": "25.0.3+9-LTS",
              "params": {"waiting": "park"},
              "primaryMetric": {"score": 3.0, "scoreUnit": "us/op",
                "rawDataHistogram": [[[[1.0, 50], [2.0, 40]], [[10.0, 9], [100.0, 1]]]]},
              "secondaryMetrics": {"gc.alloc.rate.norm": {"score": 0.004, "scoreUnit": "B/op"},
                                   "\\u00b7gc.count": {"score": "NaN", "scoreUnit": "counts"}}},
             {"benchmark": "ipc.bench.library.MessageStream.send", "mode": "thrpt",
              "primaryMetric": {"score": 6.5, "scoreUnit": "ops/us"},
              "secondaryMetrics": {"backendAllocRateNorm": {"score": 6.0, "scoreUnit": "#",
                                                            "rawData": [[1.0, 2.0], [3.0]]}}},
             {"benchmark": "ipc.bench.baseline.PythonPipeBaseline.roundTrip", "mode": "sample",
              "skipped": "python3 not found on PATH"}]
            """;

    @Test
    void readsPercentilesThroughputAndSkips(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("jmh.json");
        Files.writeString(file, SAMPLE);

        List<Series> series = ResultFile.read(file);

        Series futex = series.get(0);
        assertEquals("FutexPingPong.roundTrip:waiting=park", futex.key());
        assertEquals(100, futex.samples());
        assertEquals(1_000, futex.percentileNanos(50), 1);
        assertEquals(10_000, futex.percentileNanos(99), 10);
        assertEquals(100_000, futex.percentileNanos(100), 100);
        assertEquals(0.004, futex.secondary("gc.alloc.rate.norm"), 1e-9);
        assertTrue(Double.isNaN(futex.secondary("gc.count")), "middle-dot prefix stripped, NaN kept");

        Series stream = series.get(1);
        assertFalse(stream.hasLatency());
        assertEquals(6.5e6, Stat.THROUGHPUT.of(stream), 1);
        assertEquals(2.0, stream.secondary("backendAllocRateNorm"), 1e-9,
            "an EVENTS aux counter is the mean of its iterations, not JMH's sum");

        Series python = series.get(2);
        assertEquals("python3 not found on PATH", python.skipped());
        assertNull(python.latencyNanos());
    }

    @Test
    void singleShotSeriesCarryTheirMedian(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("start.json");
        Files.writeString(file, """
                [{"benchmark": "ipc.bench.library.BackendStart.startToReady", "mode": "ss",
                  "params": {"path": "spare"},
                  "primaryMetric": {"score": 180.0, "scoreUnit": "ms/op",
                    "scorePercentiles": {"0.0": 60.0, "50.0": 70.0, "100.0": 1200.0},
                    "rawData": [[60.0, 70.0, 1200.0, 65.0, 75.0]]}}]
                """);

        Series start = ResultFile.read(file).getFirst();

        assertEquals("BackendStart.startToReady:path=spare", start.key());
        assertEquals(180.0, start.score(), 1e-9, "the mean, one slow start included");
        assertEquals(70.0, start.secondary(ResultFile.SINGLE_SHOT_MEDIAN), 1e-9);
        Target spare = Targets.ALL.stream().filter(t -> t.figure().series().equals(Catalog.START_SPARE)).findFirst().orElseThrow();
        assertEquals(70.0, spare.figure().stat().of(start), 1e-9, "the start targets judge the median");
    }
}
