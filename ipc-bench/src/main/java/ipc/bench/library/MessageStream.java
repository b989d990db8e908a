package ipc.bench.library;

import ipc.bench.harness.StreamWindow;
import ipc.core.MessageObject;
import ipc.core.Pipe;
import ipc.core.SharedMemory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.CloseHelper;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One-way stream of 3-parameter messages (long, int, double) from the frontend to a backend that
 * counts them ({@link CountingProcess}); one operation is one message sent with
 * {@code sendMessageToBack}.
 *
 * <p>Sustained, not burst ({@link StreamWindow}): the frontend keeps at most 64 Ki messages in flight. Every
 * 1024 messages it reads the backend's progress word and, when the backend is
 * further behind than the window, waits for it; so over an iteration the score is the rate at
 * which the backend handles messages whenever that is the slower side, not the rate at which the
 * queue fills. At the end of each iteration the benchmark asks the backend for its {@code stats}
 * (which also checks that every message sent was handled) and reports the backend loop thread's
 * allocation per message as the secondary metric {@value #BACKEND_ALLOCATION} (B/op); JMH's gc
 * profiler gives the frontend's.
 *
 * <p>The messages are built before the measurement ({@link #DISTINCT} of them, sent in turn):
 * building a MessageObject boxes its values and copies them into a map (~200 B), a cost of the
 * API's immutable message, not of sending it, and it would hide whether the send path itself
 * allocates.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
public class MessageStream {

    /** The secondary metric holding the backend's allocation per message (the aux counter's field name). */
    public static final String BACKEND_ALLOCATION = "backendAllocRateNorm";

    /** Distinct prebuilt messages (a power of two, indexed by mask): values change from message to message. */
    static final int DISTINCT = 1 << 10;
    /** A stats answer waits behind at most a window of messages: milliseconds; 60 s only catches a hang. */
    private static final Duration STATS_TIMEOUT = Duration.ofSeconds(60);

    private static final AtomicInteger TRIALS = new AtomicInteger();

    /**
     * The stream itself, in an {@code @AuxCounters} state so that its one public field, the
     * backend's allocation per message in the last iteration, is reported beside the throughput
     * (an EVENTS counter is reported as set, not divided by time).
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Stream {
        /** Bytes the backend's loop thread allocated per message it handled in the last iteration. */
        public double backendAllocRateNorm;

        private SharedMemory progress;
        private StreamSender sender;

        @Setup(Level.Trial)
        public void start() {
            progress = SharedMemory.create(uniqueName("stream"), CountingProcess.PROGRESS_BYTES);
            sender = new StreamSender(new CountingProcess("stream", progress));
        }

        @TearDown(Level.Iteration)
        public void collectBackendStats() {
            backendAllocRateNorm = sender.stats(STATS_TIMEOUT).allocatedPerMessage();
        }

        @TearDown(Level.Trial)
        public void stop() {
            CloseHelper.closeAll(sender, progress);
        }
    }

    @Benchmark
    public void send(Stream stream) {
        stream.sender.sendOne();
    }

    /**
     * The same stream as {@link #send}, each message a one-way typed call
     * ({@code remote(Ticks.class).tick(seq, qty, price)}): no MessageObject at all, the frame built
     * from the primitives.
     */
    @Benchmark
    public void sendTyped(Stream stream) {
        stream.sender.sendOneTyped();
    }

    /** A SharedMemory name unique to this JVM and trial (SharedMemory replaces names whose creator is gone). */
    static String uniqueName(String kind) {
        return "bench-" + kind + "-" + ProcessHandle.current().pid() + "-" + TRIALS.incrementAndGet();
    }

    /**
     * The frontend side of a stream, shared with {@link ShmFootprint}: sends prebuilt ticks with the
     * window check, and asks for stats. One thread.
     */
    static final class StreamSender implements AutoCloseable {
        /** What a {@code stats} answer says about the window since the previous one. */
        record Stats(long handled, long messages, long allocated) {
            double allocatedPerMessage() {
                return messages == 0 ? 0 : (double) allocated / messages;
            }
        }

        private static final MessageObject STATS_REQUEST = new MessageObject(CountingProcess.STATS);

        private final CountingProcess process;
        private final Pipe pipe;
        private final MessageObject[] messages = new MessageObject[DISTINCT];
        private Ticks ticks;
        private long sent;

        StreamSender(CountingProcess process) {
            this.process = process;
            this.pipe = process.getPipe();
            for (int i = 0; i < DISTINCT; i++) {
                messages[i] = CountingProcess.tickMessage(i, i * 7, 100.0 + i / 64.0);
            }
            process.start();
            ticks = process.remote(Ticks.class);
        }

        long sent() {
            return sent;
        }

        long pid() {
            return process.pid().orElseThrow();
        }

        void sendOne() {
            long n = ++sent;
            process.sendMessageToBack(messages[(int) n & (DISTINCT - 1)]);
            if (StreamWindow.checkDue(n)) {
                StreamWindow.await(n, process::handledAcquire, this::checkAlive);
            }
        }

        /** {@link #sendOne} as a one-way typed call with the same values. */
        void sendOneTyped() {
            long n = ++sent;
            int i = (int) n & (DISTINCT - 1);
            ticks.tick(i, i * 7, 100.0 + i / 64.0);
            if (StreamWindow.checkDue(n)) {
                StreamWindow.await(n, process::handledAcquire, this::checkAlive);
            }
        }

        private void checkAlive() {
            if (!process.isAlive()) {
                throw new IllegalStateException("stream backend exited: exitCode=" + process.exitCode());
            }
        }

        /** Asks the backend for its stats (answered after every message sent so far) and checks none was lost. */
        Stats stats(Duration timeout) {
            process.sendMessageToBack(STATS_REQUEST);
            MessageObject reply = pipe.recv(timeout);
            if (reply == null || !CountingProcess.STATS.equals(reply.command())) {
                throw new IllegalStateException("no stats from the stream backend: reply=" + reply
                        + " exitCode=" + process.exitCode());
            }
            Stats stats = new Stats(reply.getLong(CountingProcess.HANDLED), reply.getLong(CountingProcess.MESSAGES),
                    reply.getLong(CountingProcess.ALLOCATED));
            if (stats.handled() != sent) {
                throw new IllegalStateException("backend handled a different number of messages than were sent: sent="
                        + sent + " handled=" + stats.handled());
            }
            return stats;
        }

        @Override
        public void close() {
            process.close();
        }
    }
}
