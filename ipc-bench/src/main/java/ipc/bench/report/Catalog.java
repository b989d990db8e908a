package ipc.bench.report;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Every series the report knows: its key ({@link Series#key()}), its label, and whether it is the
 * library or a baseline. A new benchmark is one line here (and, if it has a target, one in
 * {@link Targets}); a series in a run that is not listed still appears, under its key.
 */
public final class Catalog {

    /** The library or what it is compared with; baselines are drawn dashed. */
    public enum Role { LIBRARY, BASELINE }

    /**
     * @param color SVG colour of its line in the plot
     * @param how   what one operation is, for the report's method list
     */
    public record Entry(String key, String label, Role role, String color, String how) {
    }

    // Baselines (ipc.bench.baseline).
    public static final String CHRONICLE = "ChronicleQueuePingPong.roundTrip:placement=unpinned";
    public static final String CHRONICLE_PINNED = "ChronicleQueuePingPong.roundTrip:placement=pinned";
    public static final String CHRONICLE_STREAM = "ChronicleStream.send";
    public static final String FUTEX_SPIN = "FutexPingPong.roundTrip:waiting=spin";
    public static final String FUTEX_PARK = "FutexPingPong.roundTrip:waiting=park";
    public static final String UNIX_SOCKET = "UnixSocketPingPong.roundTrip";
    public static final String PYTHON_PIPE = "PythonPipeBaseline.roundTrip";

    // The library (ipc.bench.library, added as MessageProcess and SyncIndex land).
    public static final String MESSAGE_PROCESS = "MessageProcessRoundTrip.roundTrip:placement=unpinned";
    public static final String MESSAGE_PROCESS_PINNED = "MessageProcessRoundTrip.roundTrip:placement=pinned";
    public static final String TYPED_CALL = "TypedCallRoundTrip.roundTrip:placement=unpinned";
    public static final String TYPED_CALL_PINNED = "TypedCallRoundTrip.roundTrip:placement=pinned";
    public static final String TYPED_STREAM = "MessageStream.sendTyped";
    public static final String JOURNAL_OFF = "JournalRoundTrip.roundTrip:journal=off";
    public static final String JOURNAL_ON = "JournalRoundTrip.roundTrip:journal=on";
    public static final String SYNC_INDEX_SPIN = "SyncIndexRoundTrip.roundTrip:waiting=spin";
    public static final String SYNC_INDEX_PARK = "SyncIndexRoundTrip.roundTrip:waiting=park";
    public static final String STREAM = "MessageStream.send";
    public static final String IDLE_BACKEND = "IdleBackend.cpu";
    public static final String START = "BackendStart.startToReady:path=cache";
    public static final String START_SPARE = "BackendStart.startToReady:path=spare";
    public static final String START_NO_CACHE = "BackendStart.startToReady:path=nocache";
    public static final String RESTART = "BackendRestart.deathToAnswer";
    public static final String RING_ROUND_TRIP = "RingRoundTrip.roundTrip";
    public static final String RING_STREAM = "RingStream.send";
    public static final String AGRONA_RING = "AgronaRingPingPong.roundTrip";
    public static final String SHM_FOOTPRINT = "ShmFootprint.run";
    public static final String USER_START = "UserProgramStart.oneBackend";
    public static final String USER_START_THREE = "UserProgramStart.threeBackends";
    public static final String USER_START_NO_CACHE = "UserProgramStart.oneBackendNoCache";
    public static final String USER_START_THREE_SEQUENTIAL = "UserProgramStart.threeBackendsSequential";

    // The latency ladder (ipc.bench.ladder): rungs 2-5 between CHRONICLE (rung 1) and MESSAGE_PROCESS (the top).
    public static final String LADDER_CODEC = "LadderFrameCodec.roundTrip";
    public static final String LADDER_CHANNEL_SPIN = "LadderChannel.roundTrip:waiting=spin";
    public static final String LADDER_CHANNEL_DOORBELL = "LadderChannel.roundTrip:waiting=doorbell";
    public static final String LADDER_DISPATCH = "LadderDispatch.roundTrip";

    /**
     * The ladder's rungs bottom to top: each adds one layer to the rung below it (the report's
     * "Latency ladder" prints each rung's increment over the one below).
     */
    public static final List<String> LADDER = List.of(CHRONICLE, LADDER_CODEC, LADDER_CHANNEL_SPIN,
            LADDER_CHANNEL_DOORBELL, LADDER_DISPATCH, MESSAGE_PROCESS);

    /** Colours: the library in saturated hues, baselines in lighter ones; {@code how} is one sentence for the report. */
    public static final List<Entry> ENTRIES = List.of(
            lib(MESSAGE_PROCESS, "MessageProcess round trip (c__echo -> send_out__)", "#d62728",
                    "frontend sendMessageToBack, backend c__echo answers with send_out__, frontend recv; small message"),
            lib(MESSAGE_PROCESS_PINNED, "MessageProcess round trip, pinned", "#ff0000",
                    "the same with the benchmark thread pinned (Affinity.pin) to the process's first CPU and the backend's "
                            + "loop thread (setBackendCpu) to its last"),
            lib(RING_ROUND_TRIP, "MessageProcess round trip on the RING transport", "#9467bd",
                    "the MessageProcess round trip (c__echo -> send_out__) with setTransport(Transport.RING): a "
                            + "shared-memory ring per direction instead of Chronicle's queues; unpinned"),
            lib(RING_STREAM, "one-way stream on the RING transport", "#756bb1",
                    "the 3-parameter stream of sendMessageToBack with setTransport(Transport.RING), the same 64 Ki window"),
            lib(TYPED_CALL, "typed remote call round trip (long add(long, long))", "#e6550d",
                    "frontend remote(Adder.class).add(seq, 1): the generated proxy's request frame, the backend's "
                            + "invocation of EchoProcess.add, the answer routed back by id and returned as a long"),
            lib(TYPED_CALL_PINNED, "typed remote call round trip, pinned", "#a63603",
                    "the same with the benchmark thread and the backend's loop thread pinned as the MessageProcess "
                            + "round trip's"),
            lib(TYPED_STREAM, "one-way stream of typed calls (void tick(long, int, double))", "#756bb1",
                    "the stream benchmark's messages as one-way typed calls remote(Ticks.class).tick(seq, qty, price): "
                            + "no MessageObject, the frame built from the primitives; the same 64 Ki window"),
            lib(JOURNAL_ON, "MessageProcess round trip with a journal", "#393b79",
                    "the MessageProcess round trip with setJournal: both queues kept in a scratch directory on the same "
                            + "tmpfs, no cycle file deleted"),
            base(JOURNAL_OFF, "MessageProcess round trip, no journal (same benchmark)", "#9c9ede",
                    "the same benchmark class and process without setJournal, measured beside it"),
            lib(SYNC_INDEX_SPIN, "SyncIndex round trip, hot", "#1f77b4",
                    "new SyncIndex(eg) reserves, its index goes to a peer JVM in a MessageObject over a Channel, "
                            + "the peer sets the event, close() waits (spin, yield, then park) and releases"),
            lib(SYNC_INDEX_PARK, "SyncIndex round trip, parked", "#2ca02c",
                    "the same with no spinning on either side: the waiter parks on the event at once "
                            + "(setAwaitBudget(0, 0)), the peer on the channel's doorbell"),
            lib(STREAM, "one-way stream, 3-parameter messages", "#9467bd",
                    "frontend sendMessageToBack of prebuilt messages of three primitive parameters (long, int, double), "
                            + "at most 64 Ki in flight (the backend publishes its count in shared memory), so the score is "
                            + "the sustained rate; the backend's allocation per message is measured in its JVM"),
            lib(IDLE_BACKEND, "idle backend", "#8c564b",
                    "CPU time (user + system, from /proc) of a started backend with nothing to do, over the measurement "
                            + "window after the warm-up, in % of one core"),
            lib(START, "start() to backend ready", "#e377c2",
                    "wall time from start() until the backend answers, the default path: the backend AOT cache, made by the "
                            + "trial's first start"),
            lib(START_SPARE, "start() to backend ready, opt-in spare backend", "#f7b6d2",
                    "the same with -Dipc.spareBackend=true: the start adopts the warmed-up spare JVM the previous start "
                            + "left (given 2 s, untimed, to warm up)"),
            lib(RESTART, "a supervised backend's death to the restarted backend's first answer", "#c5b0d5",
                    "SIGKILL of an echo process's backend under RestartPolicy.backoff(.., 0, 0), seen dead, then echo(seq) "
                            + "sent and its answer read: the exit seen, the dead backend's output drained, a new backend "
                            + "JVM started with the backend AOT cache (trained by the trial's set-up), rebuilt, resumed"),
            lib(USER_START, "a user's program from class directories: start() to first answer", "#637939",
                    "a fresh JVM whose class path starts with a class directory (the user's classes), then the jars: "
                            + "start() of one echo process to its first answer, this JVM's own Chronicle start included; "
                            + "median of 7 program runs, the backend AOT cache on (trained by an unmeasured first run)"),
            lib(USER_START_THREE, "the same with three backends (startAll)", "#dbdb8d",
                    "the same program starting three echo processes with MessageProcess.startAll, to the last first answer"),
            lib(SHM_FOOTPRINT, "/dev/shm during a long stream", "#7f7f7f",
                    "peak bytes under the channel directory (apparent file sizes, sampled every 50 ms) while the stream "
                            + "benchmark's set-up sends for 20 s or 50 M messages, whichever comes first"),
            lib(LADDER_CODEC, "ladder: + frame codec (raw excerpts, busy spin)", "#ff9896",
                    "the raw Chronicle ping-pong's queues and busy spin, each excerpt a library frame of echo(seq: long) "
                            + "encoded and checked in place with ipc.core's public FrameCodec and FrameReader"),
            lib(LADDER_CHANNEL_SPIN, "ladder: + Channel (writer/reader, busy spin)", "#c5b0d5",
                    "the same prebuilt frames through ipc.core's Channel (ChannelWriter.write, ChannelReader.poll(handler)) "
                            + "to a peer JVM that opened it as backend; both sides busy-spin on poll"),
            lib(LADDER_CHANNEL_DOORBELL, "ladder: + the channel's wait (spin, yield, park on the doorbell)", "#aec7e8",
                    "the same with both sides waiting in ChannelReader.poll(handler, timeout): SpinWait's spin (yielding "
                            + "to a peer on the same core), yields, then a park on the Doorbell futex"),
            lib(LADDER_DISPATCH, "ladder: + MessageProcess dispatch and Pipe.recv", "#ad494a",
                    "prebuilt echo messages with sendMessageToBack to an EchoProcess backend (dispatch to c__echo, "
                            + "send_out__ of prebuilt replies), the reply read with getPipe().recv(); the top rung without the "
                            + "user's two new MessageObjects per round trip"),
            base(CHRONICLE, "raw Chronicle Queue ping-pong, busy spin", "#ff7f0e",
                    "one 8-byte excerpt appended to a queue, echoed into a second queue; both JVMs busy-spin"),
            base(CHRONICLE_PINNED, "raw Chronicle Queue ping-pong, busy spin, pinned", "#8c4a00",
                    "the same with the benchmark thread pinned to the process's first CPU and the peer's echo thread to its last"),
            base(AGRONA_RING, "raw Agrona OneToOneRingBuffer ping-pong, busy spin", "#bcbd22",
                    "one 8-byte message written to an Agrona ring in a /dev/shm file, echoed into a second ring by a "
                            + "peer JVM; both busy-spin; unpinned"),
            base(CHRONICLE_STREAM, "raw Chronicle Queue one-way stream", "#ffbb78",
                    "one excerpt of the stream's three values (long, int, double: 20 bytes, no names or framing) appended "
                            + "per operation, read by a peer JVM; the same 64 Ki window as the library's stream"),
            base(START_NO_CACHE, "start() to backend ready, no AOT cache (before)", "#c49c94",
                    "the same with -Dipc.aot=false: the start before the backend AOT cache"),
            base(USER_START_NO_CACHE, "a user's program from class directories, no AOT cache (before)", "#e7e7a0",
                    "the one-backend program with -Dipc.aot=false: as such a program started before its class directories "
                            + "were jarred for the cache"),
            base(USER_START_THREE_SEQUENTIAL, "three backends started one after another (before startAll)", "#c7c76b",
                    "the three-backend program calling start() for each process in turn"),
            base(FUTEX_SPIN, "raw futex ping-pong, spin first", "#17becf",
                    "a sequence word per direction in a shared file; the waiter spins, then FUTEX_WAIT; the writer FUTEX_WAKEs"),
            base(FUTEX_PARK, "raw futex ping-pong, parked", "#98df8a",
                    "the same with no spinning: every hand-off is a FUTEX_WAIT and a FUTEX_WAKE"),
            base(UNIX_SOCKET, "Java Unix-domain socket", "#bcbd22",
                    "8 bytes each way over blocking SocketChannels (UnixDomainSocketAddress)"),
            base(PYTHON_PIPE, "Python multiprocessing.Pipe + pickle (the seed)", "#8c8c8c",
                    "the seed's path: pickled MessageObject over a Pipe, backend select + c__echo + send_out__, "
                            + "timed in Python with perf_counter_ns"));

    /** For a series nobody listed: drawn solid in black, named by its key. */
    private static final String UNLISTED_COLOR = "#000000";

    private Catalog() {
    }

    public static Optional<Entry> find(String key) {
        return ENTRIES.stream().filter(e -> e.key().equals(key)).findFirst();
    }

    public static Entry entry(String key) {
        return find(key).orElseGet(() -> new Entry(key, key, Role.LIBRARY, UNLISTED_COLOR, "(not in the catalog)"));
    }

    public static String label(String key) {
        return entry(key).label();
    }

    private static Entry lib(String key, String label, String color, String how) {
        return new Entry(key, label, Role.LIBRARY, color, how);
    }

    private static Entry base(String key, String label, String color, String how) {
        return new Entry(key, label, Role.BASELINE, color, how);
    }

    /** {@code series} in catalog order (library first, then baselines), unlisted ones after them by key. */
    public static List<Series> ordered(List<Series> series) {
        List<String> order = ENTRIES.stream().map(Entry::key).toList();
        return series.stream().sorted(Comparator.comparingInt((Series s) -> {
            int i = order.indexOf(s.key());
            return i < 0 ? order.size() : i;
        }).thenComparing(Series::key, Comparator.naturalOrder())).toList();
    }

    public static List<Entry> baselines() {
        return ENTRIES.stream().filter(e -> e.role() == Role.BASELINE).toList();
    }
}
