package ipc.bench.report;

import ipc.bench.library.MessageStream;
import ipc.bench.library.ShmFootprint;
import ipc.bench.report.Goal.AtLeast;
import ipc.bench.report.Goal.AtMost;
import ipc.bench.report.Goal.RatioAtLeast;
import ipc.bench.report.Goal.RatioAtMost;
import ipc.bench.report.Goal.SpeedupAtLeast;
import ipc.bench.report.Target.Figure;
import java.util.List;

/** design.md's "Targets" table, one line per row; the report judges each against one run. */
public final class Targets {

    /**
     * JMH's gc profiler divides every byte the JVM allocated in an iteration by its operations,
     * JMH's own bookkeeping included: code that allocates nothing reads well under 1 B/op at
     * millions of operations per iteration, one object per message reads >= 16 B/op (a header).
     * Hence 1 B/op as "zero", read from the stream benchmark (Throughput mode): in SampleTime mode
     * JMH's per-iteration sample buffers alone read 4-17 B/op on the baselines here (the futex
     * ping-pong: 4.4 B/op sampled, 0.4 B/op in avgt, same run).
     */
    static final double ZERO_ALLOCATION = 1.0;

    /**
     * A received {@code echo(seq: long)}: the MessageObject, its value array and the boxed long
     * (command, keys and tags are shared between messages of one shape, MessageShapes): 80 B as
     * ipc-core's MessageRoundTripAllocationTest measures it (ThreadMXBean around its decoding).
     */
    static final double RECEIVED_ECHO_BYTES = 80;

    /**
     * Backend allocation per message, measured in the backend JVM: the stream benchmark's
     * {@code @AuxCounters} field (JMH names an aux counter after its Java field, so no dots).
     */
    static final Stat BACKEND_ALLOCATION = Stat.secondary("backend allocation", MessageStream.BACKEND_ALLOCATION, "B/op");

    /** The median of the measured starts (BackendStart's score unit is ms): one slow start on a shared machine moves a mean of a dozen. */
    private static final Stat START_TIME = Stat.secondary("start to ready, median", ResultFile.SINGLE_SHOT_MEDIAN, "ms");

    public static final List<Target> ALL = List.of(
            new Target("round trip, frontend -> c__echo -> send_out__ -> frontend, small message",
                    "p50 within 1.3x of raw Chronicle Queue ping-pong",
                    fig(Catalog.MESSAGE_PROCESS, Stat.P50), fig(Catalog.CHRONICLE, Stat.P50), new RatioAtMost(1.3)),
            new Target("the same round trip", "p99 under 10 us",
                    fig(Catalog.MESSAGE_PROCESS, Stat.P99), fig(Catalog.CHRONICLE, Stat.P99), new AtMost(10)),
            new Target("the same, against Python's multiprocessing Pipe (the seed's transport)", "at least 50x faster at p50",
                    fig(Catalog.MESSAGE_PROCESS, Stat.P50), fig(Catalog.PYTHON_PIPE, Stat.P50), new SpeedupAtLeast(50)),
            new Target("the same round trip, unpinned (issue \"Tail latency\")", "p90 within 2x of raw Chronicle",
                    fig(Catalog.MESSAGE_PROCESS, Stat.P90), fig(Catalog.CHRONICLE, Stat.P90), new RatioAtMost(2)),
            new Target("the same round trip, unpinned", "p99 within 3x of raw Chronicle",
                    fig(Catalog.MESSAGE_PROCESS, Stat.P99), fig(Catalog.CHRONICLE, Stat.P99), new RatioAtMost(3)),
            new Target("the same round trip, unpinned", "p99.9 within 3x of raw Chronicle",
                    fig(Catalog.MESSAGE_PROCESS, Stat.P999), fig(Catalog.CHRONICLE, Stat.P999), new RatioAtMost(3)),
            new Target("the same round trip, pinned (both sides, one CPU each)", "p50 within 1.3x of raw Chronicle, pinned",
                    fig(Catalog.MESSAGE_PROCESS_PINNED, Stat.P50), fig(Catalog.CHRONICLE_PINNED, Stat.P50), new RatioAtMost(1.3)),
            new Target("the same round trip, pinned", "p99 within 2x of raw Chronicle, pinned",
                    fig(Catalog.MESSAGE_PROCESS_PINNED, Stat.P99), fig(Catalog.CHRONICLE_PINNED, Stat.P99), new RatioAtMost(2)),
            new Target("the same round trip, pinned", "p99.9 within 2x of raw Chronicle, pinned",
                    fig(Catalog.MESSAGE_PROCESS_PINNED, Stat.P999), fig(Catalog.CHRONICLE_PINNED, Stat.P999), new RatioAtMost(2)),
            new Target("the same round trip, unpinned, against the Python pipe", "no slower at p99.9",
                    fig(Catalog.MESSAGE_PROCESS, Stat.P999), fig(Catalog.PYTHON_PIPE, Stat.P999), new RatioAtMost(1)),
            new Target("MessageObject round trip, frontend thread, the library's own (messages prebuilt: the ladder's dispatch rung)",
                    "nothing beyond the MessageObject recv() returns (ThreadMXBean bytes per round trip; that message, "
                            + "its value array and its boxed long: 80 B)",
                    fig(Catalog.LADDER_DISPATCH, MarkdownReport.FRONTEND_ALLOCATION), null, new AtMost(RECEIVED_ECHO_BYTES)),
            new Target("the same, backend loop thread", "0 B (< 1 B/op is noise)",
                    fig(Catalog.LADDER_DISPATCH, MarkdownReport.BACKEND_ALLOCATION), null, new AtMost(ZERO_ALLOCATION)),
            new Target("typed remote call round trip, long add(long, long), unpinned (issue \"Typed remote calls\")",
                    "p50 within 1.5x of raw Chronicle",
                    fig(Catalog.TYPED_CALL, Stat.P50), fig(Catalog.CHRONICLE, Stat.P50), new RatioAtMost(1.5)),
            new Target("the same typed call", "no slower than the MessageObject round trip at p50",
                    fig(Catalog.TYPED_CALL, Stat.P50), fig(Catalog.MESSAGE_PROCESS, Stat.P50), new RatioAtMost(1)),
            new Target("the same typed call, frontend thread", "0 B (ThreadMXBean bytes per call; < 1 B/op is noise)",
                    fig(Catalog.TYPED_CALL, MarkdownReport.FRONTEND_ALLOCATION), null, new AtMost(ZERO_ALLOCATION)),
            new Target("the same typed call, backend loop thread", "0 B (< 1 B/op is noise)",
                    fig(Catalog.TYPED_CALL, MarkdownReport.BACKEND_ALLOCATION), null, new AtMost(ZERO_ALLOCATION)),
            new Target("one-way stream of typed calls (void tick(long, int, double))",
                    "at least the MessageObject stream's rate",
                    fig(Catalog.TYPED_STREAM, Stat.THROUGHPUT), fig(Catalog.STREAM, Stat.THROUGHPUT), new RatioAtLeast(1)),
            new Target("allocation per typed one-way call, frontend", "0 B/op (JMH gc profiler; < 1 B/op is noise)",
                    fig(Catalog.TYPED_STREAM, Stat.ALLOCATION), null, new AtMost(ZERO_ALLOCATION)),
            new Target("allocation per typed one-way call, backend", "0 B/op",
                    fig(Catalog.TYPED_STREAM, BACKEND_ALLOCATION), null, new AtMost(ZERO_ALLOCATION)),
            new Target("the MessageProcess round trip with a journal (issue \"Journal, supervision, command line\")",
                    "within 1.1x of the same without, at p50",
                    fig(Catalog.JOURNAL_ON, Stat.P50), fig(Catalog.JOURNAL_OFF, Stat.P50), new RatioAtMost(1.1)),
            new Target("the same with a journal", "within 1.1x of the same without, at p99",
                    fig(Catalog.JOURNAL_ON, Stat.P99), fig(Catalog.JOURNAL_OFF, Stat.P99), new RatioAtMost(1.1)),
            new Target("SyncIndex round trip, hot", "p50 under 1 us",
                    fig(Catalog.SYNC_INDEX_SPIN, Stat.P50), fig(Catalog.FUTEX_SPIN, Stat.P50), new AtMost(1)),
            new Target("SyncIndex round trip, after the waiter has parked", "p50 within 1.2x of a raw futex ping-pong",
                    fig(Catalog.SYNC_INDEX_PARK, Stat.P50), fig(Catalog.FUTEX_PARK, Stat.P50), new RatioAtMost(1.2)),
            new Target("round trip on the RING transport (issue \"Transport seam, ring and layout\")",
                    "p50 within 1.5x of a raw Agrona ring ping-pong",
                    fig(Catalog.RING_ROUND_TRIP, Stat.P50), fig(Catalog.AGRONA_RING, Stat.P50), new RatioAtMost(1.5)),
            new Target("the same on the RING transport", "p50 at most 0.5x raw Chronicle's",
                    fig(Catalog.RING_ROUND_TRIP, Stat.P50), fig(Catalog.CHRONICLE, Stat.P50), new RatioAtMost(0.5)),
            new Target("the same on the RING transport", "p99 within 3x of the raw ring's",
                    fig(Catalog.RING_ROUND_TRIP, Stat.P99), fig(Catalog.AGRONA_RING, Stat.P99), new RatioAtMost(3)),
            new Target("one-way stream on the RING transport", "at least 10 M messages/s",
                    fig(Catalog.RING_STREAM, Stat.THROUGHPUT), fig(Catalog.STREAM, Stat.THROUGHPUT), new AtLeast(10e6)),
            new Target("one-way stream on the CHRONICLE transport", "at least 1.0x raw Chronicle's stream",
                    fig(Catalog.STREAM, Stat.THROUGHPUT), fig(Catalog.CHRONICLE_STREAM, Stat.THROUGHPUT),
                    new RatioAtLeast(1.0)),
            new Target("one-way stream of 3-parameter messages", "at least 5 M messages/s",
                    fig(Catalog.STREAM, Stat.THROUGHPUT), fig(Catalog.CHRONICLE_STREAM, Stat.THROUGHPUT), new AtLeast(5e6)),
            new Target("allocation per message, primitive parameters, frontend", "0 B/op (JMH gc profiler; < 1 B/op is noise)",
                    fig(Catalog.STREAM, Stat.ALLOCATION), null, new AtMost(ZERO_ALLOCATION)),
            new Target("allocation per message, primitive parameters, backend", "0 B/op",
                    fig(Catalog.STREAM, BACKEND_ALLOCATION), null, new AtMost(ZERO_ALLOCATION)),
            new Target("an idle backend", "under 1 % of one core",
                    fig(Catalog.IDLE_BACKEND, Stat.score("CPU", "% of a core")), null, new AtMost(1)),
            new Target("start() to backend ready (default: backend AOT cache)", "under 250 ms",
                    fig(Catalog.START, START_TIME), fig(Catalog.START_NO_CACHE, START_TIME), new AtMost(250)),
            new Target("start() to backend ready, opt-in spare backend (-Dipc.spareBackend=true)", "under 250 ms",
                    fig(Catalog.START_SPARE, START_TIME), fig(Catalog.START_NO_CACHE, START_TIME), new AtMost(250)),
            new Target("a supervised backend's death to the restarted backend handling the next message "
                    + "(issue \"Journal, supervision, command line\")", "under 500 ms median, warm AOT cache",
                    fig(Catalog.RESTART, START_TIME), fig(Catalog.START, START_TIME), new AtMost(500)),
            new Target("start() of a user's class from class directories, to its first answer (fresh JVM)",
                    "under 250 ms median", fig(Catalog.USER_START, Stat.score("median", "ms")),
                    fig(Catalog.USER_START_NO_CACHE, Stat.score("median", "ms")), new AtMost(250)),
            new Target("three backends started in parallel (startAll), to the last first answer (fresh JVM)",
                    "under 750 ms median", fig(Catalog.USER_START_THREE, Stat.score("median", "ms")),
                    fig(Catalog.USER_START_THREE_SEQUENTIAL, Stat.score("median", "ms")), new AtMost(750)),
            new Target("/dev/shm use over a 50 M message run", "bounded (old roll-cycle files removed): peak under 256 MB, "
                    + "where keeping every frame would take GBs",
                    fig(Catalog.SHM_FOOTPRINT, Stat.secondary("peak /dev/shm", ShmFootprint.PEAK_METRIC, "MB")), null, new AtMost(256)));

    private Targets() {
    }

    private static Figure fig(String series, Stat stat) {
        return new Figure(series, stat);
    }
}
