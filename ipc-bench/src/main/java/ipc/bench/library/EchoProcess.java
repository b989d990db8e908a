package ipc.bench.library;

import ipc.bench.harness.PeerProcess;
import ipc.core.MessageObject;
import ipc.core.MessageProcess;
import java.lang.management.ManagementFactory;

/**
 * The backend of {@link MessageProcessRoundTrip}: {@code c__echo(long seq)} answers with a message
 * carrying the same sequence number, the smallest useful round trip through the public API. On
 * {@code stats} it answers with the echoes it handled and the bytes its loop thread allocated
 * meanwhile (ThreadMXBean), the backend half of the round trip's allocation.
 */
public final class EchoProcess extends MessageProcess implements Adder {

    /** The command the benchmark sends and the backend answers with. */
    public static final String ECHO = "echo";
    /** The key of the one parameter, the sequence number. */
    public static final String SEQ = "seq";
    public static final String STATS = "stats";
    /** Reply fields of {@code stats}. */
    static final String MESSAGES = "messages";
    static final String ALLOCATED = "allocated";

    /** Prebuilt replies: {@code echo(seq)} for every seq below this (a power of two). */
    public static final int PREBUILT = 1024;

    /** Answer from {@link #PREBUILT} prebuilt replies (set before start: travels to the backend). */
    private boolean prebuiltReplies;

    // Backend side, set in preRun__.
    private transient MessageObject[] replies;
    private transient com.sun.management.ThreadMXBean threads;
    private transient long handled;
    private transient long handledMark;
    private transient long allocatedMark;

    public EchoProcess(String name) {
        super(name);
        setJvmOptions(PeerProcess.options());
    }

    /**
     * Before start: the backend answers {@code echo(seq)} for {@code 0 <= seq < }{@link #PREBUILT}
     * with a reply built once, so that what it allocates per echo is the library's alone (the
     * ladder's dispatch rung; the top rung builds each reply, as a user's handler would).
     */
    public EchoProcess withPrebuiltReplies() {
        prebuiltReplies = true;
        return this;
    }

    @Override
    protected void preRun__() {
        if (prebuiltReplies) {
            replies = new MessageObject[PREBUILT];
            for (int k = 0; k < PREBUILT; k++) {
                replies[k] = new MessageObject(ECHO, SEQ, (long) k);
            }
        }
        threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        allocatedMark = threads.getCurrentThreadAllocatedBytes();
    }

    /** Backend: sends {@code seq} straight back. */
    void c__echo(long seq) {
        send_out__(replies != null && seq >= 0 && seq < PREBUILT ? replies[(int) seq] : new MessageObject(ECHO, SEQ, seq));
        handled++;
    }

    /**
     * Backend: the echoes handled since the last {@code stats} and the bytes this (the loop)
     * thread allocated meanwhile, read before the answer is built and marked again after it is
     * sent, so the answer counts in no window.
     */
    void c__stats() {
        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedMark;
        send_out__(new MessageObject(STATS, MESSAGES, handled - handledMark, ALLOCATED, allocated));
        handledMark = handled;
        allocatedMark = threads.getCurrentThreadAllocatedBytes();
    }

    /** Backend, called through {@code remote(Adder.class)}: one typed round trip. */
    @Override
    public long add(long a, long b) {
        handled++;
        return a + b;
    }

    /** Frontend: asks the backend to echo {@code seq}. */
    void echo(long seq) {
        sendMessageToBack(new MessageObject(ECHO, SEQ, seq));
    }
}
