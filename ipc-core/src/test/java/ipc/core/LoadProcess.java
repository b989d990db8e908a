package ipc.core;

import ipc.sync.EventGroup;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The backend of the load and soak tests. Every frontend-to-backend message carries {@code seq},
 * which must count up from 0 with no gap (a gap throws, and the frontend sees the error); every
 * backend-to-frontend message carries {@code out}, counting up from 0, which the frontend checks
 * the same way. Data messages are folded into a running checksum that each ack carries, so the
 * frontend checks the content of what arrived as well as its order.
 *
 * <p>Shared-memory round: the frontend writes {@code value} to slot {@code 2 * slot} of
 * {@link #shared}, sends {@code shm}; the backend checks it and writes {@code value + 1} to
 * slot {@code 2 * slot + 1} (release) before it acks; the frontend then reads it.
 */
final class LoadProcess extends MessageProcess {
    static final int SHM_SLOTS = 16;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final EventGroup events;
    private final SharedMemory shared;
    private long in;
    private long out;
    private long sum;

    /** {@code events}: the group SyncIndex rounds use (owned by the caller); a fresh segment per process. */
    LoadProcess(String name, EventGroup events) {
        super(name);
        this.events = events;
        this.shared = SharedMemory.create("load-" + ProcessHandle.current().pid() + "-" + name,
            2L * SHM_SLOTS * Long.BYTES);
    }

    /** The checksum step, both sides: order-sensitive, so a reordered or lost value changes it. */
    static long mix(long sum, long value) {
        return Long.rotateLeft(sum, 7) * 0x9E3779B97F4A7C15L + value;
    }

    /** The value of data message {@code seq} to backend {@code peer}, both sides can recompute it. */
    static long value(int peer, long seq) {
        return seq * 0xBF58476D1CE4E5B9L ^ ((long) peer << 48) ^ (seq >>> 7);
    }

    /** The group of this process's SyncIndex rounds (frontend: the creator's instance). */
    EventGroup events() {
        return events;
    }

    MemorySegment shared() {
        return shared.segment();
    }

    private void accept(long seq) {
        if (seq != in) {
            throw new IllegalStateException("frontend-to-backend gap: expected=" + in + " seq=" + seq);
        }
        in++;
    }

    void c__data(long seq, long value) {
        accept(seq);
        sum = mix(sum, value);
        send_out__(new MessageObject("ack", "out", out++, "seq", seq, "sum", sum));
    }

    void c__stream(long seq, int count) {
        accept(seq);
        for (int k = 0; k < count; k++) {
            send_out__(new MessageObject("item", "out", out++, "k", k));
        }
    }

    void c__sync(long seq, int sync_index) {
        accept(seq);
        events.set(sync_index);
    }

    void c__shm(long seq, int slot, long value) {
        accept(seq);
        MemorySegment s = shared.segment();
        long seen = (long) LONG.getAcquire(s, (long) 2 * slot * Long.BYTES);
        if (seen != value) {
            throw new IllegalStateException("shared memory not as written: slot=" + slot + " expected=" + value
                + " seen=" + seen);
        }
        LONG.setRelease(s, (long) (2 * slot + 1) * Long.BYTES, value + 1);
        send_out__(new MessageObject("shmAck", "out", out++, "seq", seq, "slot", slot));
    }

    @Override
    protected void postRun__() {
        send_out__(new MessageObject("final", "out", out++, "in", in, "sum", sum));
    }

    @Override
    public void close() {
        super.close();
        shared.close();
    }
}
