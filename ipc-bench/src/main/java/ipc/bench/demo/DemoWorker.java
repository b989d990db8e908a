package ipc.bench.demo;

import ipc.core.MessageObject;
import ipc.core.MessageProcess;
import ipc.core.SharedMemory;
import ipc.sync.EventGroup;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * One of the demo's worker backends. Its fields travel to the backend at {@code start()} (fork
 * semantics): its slot, and the EventGroup and SharedMemory the frontend created, which the
 * backend re-opens by name.
 */
public final class DemoWorker extends MessageProcess implements Squarer {

    /** Doubles each worker writes into the shared array: its slice is [slot * SLICE, (slot + 1) * SLICE). */
    static final int SLICE = 1000;

    private final int slot;
    private final EventGroup events;
    private final SharedMemory array;

    DemoWorker(int slot, EventGroup events, SharedMemory array) {
        super("worker-" + slot);
        this.slot = slot;
        this.events = events;
        this.array = array;
        // Small backends: the demo's work needs little heap, and the serial collector adds no GC threads.
        setJvmOptions(List.of("-Xmx64m", "-XX:+UseSerialGC"));
    }

    // ------------------------------------------------------------------ backend

    /** A job: answers with the square of {@code x}. */
    void c__square(int job, long x) {
        logger.info("c__square: job {} x={}", job, x);
        send_out__(new MessageObject("squared", "worker", slot, "job", job, "x", x, "result", x * x));
    }

    /** The typed job ({@link Squarer}): runs here, in the backend, when the frontend calls its proxy. */
    @Override
    public long squareOf(long x) {
        return Math.multiplyExact(x, x);
    }

    /** Fills this worker's slice of the shared array with {@code base + i}, then sets event {@code syncIndex}. */
    void c__fill(int syncIndex, double base) {
        MemorySegment doubles = array.segment();
        for (int i = 0; i < SLICE; i++) {
            doubles.setAtIndex(ValueLayout.JAVA_DOUBLE, (long) slot * SLICE + i, base + i);
        }
        logger.info("c__fill: wrote {} doubles from index {}, setting event {}", SLICE, slot * SLICE, syncIndex);
        events.set(syncIndex); // everything written before the set is visible to the waiter after its await
    }

    /**
     * How long this backend's JIT has compiled so far, in ms (CompilationMXBean): the demo warms
     * up until no JVM of it compiles any more, so that its latency summary is of compiled code
     * with the cores free, as a benchmark's would be.
     */
    void c__compiled() {
        send_out__(new MessageObject("compiled", "ms", ManagementFactory.getCompilationMXBean().getTotalCompilationTime()));
    }

    /** The latency probe: answers with the same sequence number. */
    void c__echo(long seq) {
        send_out__(new MessageObject("echo", "seq", seq));
    }

    // ------------------------------------------------------------------ frontend

    int slot() {
        return slot;
    }

    void square(int job, long x) {
        sendMessageToBack(new MessageObject("square", "job", job, "x", x));
    }

    void fill(int syncIndex, double base) {
        sendMessageToBack(new MessageObject("fill", "syncIndex", syncIndex, "base", base));
    }

    void compiled() {
        sendMessageToBack(new MessageObject("compiled"));
    }

    void echo(long seq) {
        sendMessageToBack(new MessageObject("echo", "seq", seq));
    }
}
