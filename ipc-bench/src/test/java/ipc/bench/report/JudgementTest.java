package ipc.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ipc.bench.report.Target.Figure;
import ipc.bench.report.Target.Verdict;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class JudgementTest {

    private static Series latency(String key, long nanos) {
        Histogram h = new Histogram(3);
        h.recordValueWithCount(nanos, 100);
        return new Series(key, "x." + key, "sample", nanos / 1e3, "us/op", h, Map.of(), null, "vm");
    }

    private static final Target RATIO = new Target("round trip", "within 1.3x",
            new Figure("lib", Stat.P50), new Figure("base", Stat.P50), new Goal.RatioAtMost(1.3));

    @Test
    void ratioMetAndMissedBy() {
        Judgement met = Judgement.of(RATIO, Map.of("lib", latency("lib", 400), "base", latency("base", 320)));
        assertEquals(Verdict.MET, met.verdict());
        assertEquals(1.25, met.ratio(), 0.01);

        Judgement missed = Judgement.of(RATIO, Map.of("lib", latency("lib", 520), "base", latency("base", 320)));
        assertEquals(Verdict.MISSED, missed.verdict());
        assertEquals("missed by 25 %", missed.note());
    }

    @Test
    void missingSeriesAndSkippedBaselineAreNotMeasured() {
        assertEquals(Verdict.NOT_MEASURED, Judgement.of(RATIO, Map.of("base", latency("base", 320))).verdict());

        Series skipped = new Series("base", "x.base", "sample", Double.NaN, null, null, Map.of(), "python3 not found", "?");
        Judgement j = Judgement.of(RATIO, Map.of("lib", latency("lib", 400), "base", skipped));
        assertEquals(Verdict.NOT_MEASURED, j.verdict());
        assertTrue(j.note().contains("python3 not found"), j.note());
    }

    @Test
    void speedupAndZeroAllocation() {
        Target speedup = new Target("vs python", "50x", new Figure("lib", Stat.P50), new Figure("py", Stat.P50),
                new Goal.SpeedupAtLeast(50));
        assertEquals(Verdict.MET, Judgement.of(speedup, Map.of("lib", latency("lib", 1_000), "py", latency("py", 54_000))).verdict());
        assertEquals(Verdict.MISSED, Judgement.of(speedup, Map.of("lib", latency("lib", 2_000), "py", latency("py", 54_000))).verdict());

        Target zero = new Target("alloc", "0 B/op", new Figure("lib", Stat.ALLOCATION), null, new Goal.AtMost(0));
        Series allocating = new Series("lib", "x.lib", "sample", 1, "us/op", null, Map.of("gc.alloc.rate.norm", 24.0), null, "vm");
        Judgement j = Judgement.of(zero, Map.of("lib", allocating));
        assertEquals(Verdict.MISSED, j.verdict());
        assertEquals("missed", j.note());
    }
}
