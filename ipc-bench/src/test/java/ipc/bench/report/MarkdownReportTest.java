package ipc.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class MarkdownReportTest {

    /** A histogram whose every sample is {@code nanos}: each percentile reads that value. */
    private static Series constant(String key, long nanos) {
        Histogram h = new Histogram(3);
        h.recordValueWithCount(nanos, 1_000);
        return new Series(key, "ipc.bench." + key, "sample", nanos / 1e3, "us/op", h, Map.of(), null, "vm");
    }

    private static Map<String, Series> byKey(Series... series) {
        Map<String, Series> map = new LinkedHashMap<>();
        for (Series s : series) {
            map.put(s.key(), s);
        }
        return map;
    }

    private static List<String> rows(String md) {
        return md.lines().filter(l -> l.startsWith("| ") && !l.startsWith("| rung") && !l.startsWith("| ---")).toList();
    }

    @Test
    void rungsInLadderOrderEachFollowedByItsIncrementOverTheRungBelow() {
        String md = MarkdownReport.ladder(byKey(
                constant(Catalog.MESSAGE_PROCESS, 2_000),      // given out of order: the ladder orders them
                constant(Catalog.CHRONICLE, 800),
                constant(Catalog.LADDER_CODEC, 1_000),
                constant(Catalog.LADDER_CHANNEL_SPIN, 1_200),
                constant(Catalog.LADDER_CHANNEL_DOORBELL, 1_100),
                constant(Catalog.LADDER_DISPATCH, 1_600)));

        assertTrue(md.startsWith("## Latency ladder\n"));
        List<String> rows = rows(md);
        assertEquals(11, rows.size(), md);
        assertTrue(rows.get(0).startsWith("| 1. " + Catalog.label(Catalog.CHRONICLE) + " | 0.800 us | 0.800 us"), rows.get(0));
        assertTrue(rows.get(1).startsWith("| 2. " + Catalog.label(Catalog.LADDER_CODEC) + " | 1.00 us"), rows.get(1));
        assertTrue(rows.get(2).startsWith("| &nbsp;&nbsp;increment over 1. | +0.200 us |"), rows.get(2));
        // The wait rung here is faster than the rung below it: the increment keeps its sign.
        assertTrue(rows.get(6).startsWith("| &nbsp;&nbsp;increment over 3. | -0.100 us |"), rows.get(6));
        assertTrue(rows.get(9).startsWith("| 6. " + Catalog.label(Catalog.MESSAGE_PROCESS)), rows.get(9));
        assertTrue(rows.get(10).contains("+0.400 us | +0.400 us | +0.400 us | +0.400 us | +0.400 us | +0.400 us | |"),
                "increments for p50..p99.99 and max: " + rows.get(10));
        assertFalse(md.contains("Not in this run"));
    }

    @Test
    void aMissingRungIsNamedAndTheIncrementIsOverTheNearestMeasuredOneBelow() {
        String md = MarkdownReport.ladder(byKey(
                constant(Catalog.CHRONICLE, 800),
                constant(Catalog.LADDER_CHANNEL_SPIN, 1_500)));

        List<String> rows = rows(md);
        assertEquals(3, rows.size(), md);
        assertTrue(rows.get(1).startsWith("| 3. "), rows.get(1));
        assertTrue(rows.get(2).startsWith("| &nbsp;&nbsp;increment over 1. | +0.700 us |"), rows.get(2));
        assertTrue(md.contains("Not in this run (increments skip them): 2. " + Catalog.label(Catalog.LADDER_CODEC)), md);
    }

    @Test
    void noRungNoSection() {
        assertEquals("", MarkdownReport.ladder(byKey(constant(Catalog.FUTEX_SPIN, 800))));
    }

    @Test
    void incrementsAreSignedMicroseconds() {
        assertEquals("+1.23 us", MarkdownReport.increment(1.234));
        assertEquals("-0.050 us", MarkdownReport.increment(-0.05));
        assertEquals("0 us", MarkdownReport.increment(0));
        assertEquals("-", MarkdownReport.increment(Double.NaN));
    }
}
