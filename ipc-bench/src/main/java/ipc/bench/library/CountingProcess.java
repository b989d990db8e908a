package ipc.bench.library;

import ipc.bench.harness.PeerProcess;
import ipc.core.MessageObject;
import ipc.core.MessageProcess;
import ipc.core.SharedMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;

/**
 * The backend of the stream benchmarks ({@link MessageStream}, {@link ShmFootprint}): counts the
 * 3-parameter {@code tick} messages it handles and publishes the count in a shared word, so the
 * frontend can keep a bounded number of messages in flight without a reply per message; on
 * {@code stats} it answers with how many it handled and how many bytes its loop thread allocated
 * meanwhile (the backend half of design.md's "0 B/op on both sides").
 *
 * <p>The progress word: one {@code long} at offset 0 of a {@link SharedMemory} the frontend
 * creates, written by the backend with release semantics after each message, read by the
 * frontend with acquire; monotonic, so a stale read only makes the frontend wait a little longer.
 */
public final class CountingProcess extends MessageProcess implements Ticks {

    static final String TICK = "tick";
    static final String STATS = "stats";
    /** Reply fields of {@code stats}. */
    static final String HANDLED = "handled";
    static final String MESSAGES = "messages";
    static final String ALLOCATED = "allocated";

    private static final VarHandle WORD = ValueLayout.JAVA_LONG.varHandle();
    /** One long, alone on a 128-byte line (two cache lines: no false sharing with anything the JVM maps next). */
    static final long PROGRESS_BYTES = 128;

    /** Re-opened by name in the backend (fork semantics). */
    private final SharedMemory progress;

    // Backend side, set in preRun__.
    private transient MemorySegment progressWord;
    private transient com.sun.management.ThreadMXBean threads;
    private transient long handled;
    /** What the values add up to: the handler reads all three parameters, as a real one would. */
    private transient long checksum;
    private transient long handledMark;
    private transient long allocatedMark;

    /** @param progress a segment of at least {@link #PROGRESS_BYTES}, created by the frontend */
    public CountingProcess(String name, SharedMemory progress) {
        super(name);
        if (progress.size() < PROGRESS_BYTES) {
            throw new IllegalArgumentException("progress segment too small: size=" + progress.size()
                    + " needed=" + PROGRESS_BYTES);
        }
        this.progress = progress;
        setJvmOptions(PeerProcess.PEER_HEAP);
    }

    /** A message of the stream: three primitive parameters, as design.md's throughput target says. */
    static MessageObject tickMessage(long seq, int qty, double price) {
        return new MessageObject(TICK, "seq", seq, "qty", qty, "price", price);
    }

    /** Frontend: messages the backend has handled so far (acquire read of the shared word). */
    long handledAcquire() {
        return (long) WORD.getAcquire(progress.segment(), 0L);
    }

    @Override
    protected void preRun__() {
        progressWord = progress.segment();
        threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        allocatedMark = threads.getCurrentThreadAllocatedBytes();
    }

    /** Backend: one message of the stream. */
    void c__tick(long seq, int qty, double price) {
        tick(seq, qty, price);
    }

    /** Backend, called through {@code remote(Ticks.class)}: one one-way typed call of the stream. */
    @Override
    public void tick(long seq, int qty, double price) {
        checksum += seq + qty + (long) price;
        WORD.setRelease(progressWord, 0L, ++handled);
    }

    /**
     * Backend: answers with the messages handled since the last {@code stats} and the bytes this
     * (the loop) thread allocated meanwhile, read before the answer is built, so the answer's own
     * allocation counts in neither this window nor the next.
     */
    void c__stats() {
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedMark;
        long messages = handled - handledMark;
        send_out__(new MessageObject(STATS, HANDLED, handled, MESSAGES, messages, ALLOCATED, allocated,
                "checksum", checksum));
        handledMark = handled;
        allocatedMark = threads.getCurrentThreadAllocatedBytes();
    }
}
