package ipc.bench.library;

import ipc.bench.harness.PeerProcess;
import ipc.core.channel.Channel;
import ipc.core.channel.ChannelWriter;
import ipc.core.MessageObject;
import ipc.sync.EventGroup;
import ipc.sync.Futex;
import ipc.sync.SyncIndex;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.agrona.CloseHelper;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The SyncIndex round trip between two JVMs, as the seed's tutorial writes it: {@code new
 * SyncIndex(eg)} reserves an event, its index goes to the peer in a {@link MessageObject} over an
 * ipc-core {@link Channel}, {@link SyncIndexSetPeer} sets it ({@code EventGroup.open(name).set}),
 * and {@code close()} waits for the set and releases.
 *
 * <p>{@code waiting=spin}: the library's defaults on both sides (spin, yield, then park): the hot
 * path of design.md's "p50 under 1 us". {@code waiting=park}: no spinning and no yielding on either
 * side: the waiter parks on the event at once ({@link EventGroup#setAwaitBudget} (0, 0)) and the
 * peer on the channel's doorbell, so each hop is a FUTEX_WAKE of a parked thread, as in
 * {@code FutexPingPong} {@code waiting=park}, the baseline of "within 1.2x after the waiter has parked".
 *
 * <p>The peer's liveness: when it exits, the group's waiters are aborted (what ipc-core does when a
 * backend exits), so a wait that would never be set ends with PeerGoneException instead of hanging
 * the run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class SyncIndexRoundTrip {

    static final String COMMAND = "set";
    static final String EVENT_INDEX = "event_index";
    /**
     * Events in the group: a few, as a frontend with several requests in flight would have, so that
     * reserve's rotation over the slots is part of what is measured (one is in use at a time).
     */
    static final int EVENTS = 8;
    /** How long tear-down waits for the peer-exit hook to finish before closing the group under it. */
    private static final long EXIT_HOOK_WAIT_MILLIS = 5_000;

    @Param({"spin", "park"})
    public String waiting;

    private EventGroup events;
    private Channel channel;
    private ChannelWriter writer;
    private PeerProcess peer;
    private CompletableFuture<Void> abortOnPeerExit;

    @Setup(Level.Trial)
    public void start() {
        boolean park = parks(waiting);
        if (park && !Futex.isAvailable()) {
            throw new IllegalStateException("futex unavailable, no parked path to measure: " + Futex.status());
        }
        try {
            events = new EventGroup(EVENTS);
            if (park) {
                events.setAwaitBudget(0, 0);
            }
            channel = Channel.create();
            writer = channel.writer();
            peer = PeerProcess.start(SyncIndexSetPeer.class, channel.directory().toString(), events.name(), waiting);
            long pid = peer.pid();
            abortOnPeerExit = ProcessHandle.of(pid)
                    .orElseThrow(() -> new IllegalStateException("peer exited before measuring: pid=" + pid))
                    .onExit()
                    .thenRun(() -> events.abortWaiters("peer " + SyncIndexSetPeer.class.getSimpleName()
                            + " exited: pid=" + pid));
        } catch (RuntimeException | Error e) {
            try {
                stop(); // JMH runs no tear-down after a failed set-up: leave no process or file behind
            } catch (RuntimeException | Error cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    @Benchmark
    public int roundTrip() {
        try (SyncIndex sync = new SyncIndex(events)) {
            writer.write(new MessageObject(COMMAND, EVENT_INDEX, sync.index()));
            return sync.index();
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        CloseHelper.closeAll(peer, this::awaitExitHook, channel, events);
    }

    /** The hook touches the group's memory: let it finish before the group is unmapped. */
    private void awaitExitHook() throws Exception {
        if (abortOnPeerExit != null) {
            try {
                abortOnPeerExit.get(EXIT_HOOK_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException slow) {
                abortOnPeerExit.cancel(false);
            }
        }
    }

    /** True for "park", false for "spin". */
    static boolean parks(String waiting) {
        return switch (waiting) {
            case "spin" -> false;
            case "park" -> true;
            default -> throw new IllegalArgumentException("waiting must be spin or park: waiting=" + waiting);
        };
    }
}
