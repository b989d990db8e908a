package ipc.core;

import ipc.sync.EventGroup;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.OptionalInt;

/**
 * The frontend's book-keeping for one {@link LoadProcess}: what it sent, what it expects back, in
 * which order, with which checksum. Every check fails with an AssertionError that names the
 * backend and the numbers. Used by one thread (the context's loop).
 */
final class LoadPeer {
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    final int id;
    final LoadProcess process;
    final Pipe pipe;
    /** Next frontend-to-backend seq. */
    long nextSeq;
    /** Next backend-to-frontend out number expected. */
    long nextOut;
    /** Data seqs sent and not yet acked, oldest first. */
    final ArrayDeque<Long> unacked = new ArrayDeque<>();
    long dataSent;
    long acked;
    long ackSum;
    /** Items of streams requested and not yet received. */
    long itemsDue;
    int nextItem;
    long items;
    long syncs;
    long shmRounds;
    /** The slot of the shared-memory round in flight, or -1. */
    int shmSlot = -1;
    long shmValue;
    boolean ended;

    /** {@code jvmOptions}: the backend's JVM options, or null for the library's default. */
    LoadPeer(int id, String name, EventGroup events, List<String> jvmOptions) {
        this.id = id;
        this.process = new LoadProcess(name, events);
        if (jvmOptions != null) {
            process.setJvmOptions(jvmOptions);
        }
        this.pipe = process.getPipe();
    }

    void sendData() {
        long seq = nextSeq++;
        process.sendMessageToBack(new MessageObject("data", "seq", seq, "value", LoadProcess.value(id, seq)));
        unacked.addLast(seq);
        dataSent++;
    }

    /** One stream at a time per peer, so item numbers restart at 0 when none is due. */
    void sendStream(int count) {
        if (itemsDue != 0) {
            throw new IllegalStateException("a stream is still running: " + this);
        }
        process.sendMessageToBack(new MessageObject("stream", "seq", nextSeq++, "count", count));
        itemsDue += count;
    }

    /** Sends the sync command for {@code syncIndex}; the caller waits on its SyncIndex. */
    void sendSync(int syncIndex) {
        process.sendMessageToBack(new MessageObject("sync", "seq", nextSeq++, "sync_index", syncIndex));
        syncs++;
    }

    void sendShm(int slot, long value) {
        MemorySegment s = process.shared();
        LONG.setRelease(s, (long) 2 * slot * Long.BYTES, value);
        process.sendMessageToBack(new MessageObject("shm", "seq", nextSeq++, "slot", slot, "value", value));
        shmSlot = slot;
        shmValue = value;
    }

    boolean shmInFlight() {
        return shmSlot >= 0;
    }

    /**
     * Checks one message from this backend and updates the books.
     *
     * @return the message's command
     */
    String onMessage(MessageObject m) {
        if (m.command().equals(MessageProcess.ERROR_COMMAND)) {
            throw new AssertionError(this + ": the backend reported an error: " + m);
        }
        long out = m.getLong("out");
        if (out != nextOut) {
            throw new AssertionError(this + ": backend-to-frontend gap or reorder: expected out=" + nextOut
                + " got " + m);
        }
        nextOut++;
        switch (m.command()) {
            case "ack" -> {
                Long oldest = unacked.pollFirst();
                long seq = m.getLong("seq");
                if (oldest == null || oldest != seq) {
                    throw new AssertionError(this + ": ack out of order: expected seq=" + oldest + " got " + m);
                }
                ackSum = LoadProcess.mix(ackSum, LoadProcess.value(id, seq));
                if (m.getLong("sum") != ackSum) {
                    throw new AssertionError(this + ": checksum mismatch at seq=" + seq + ": expected=" + ackSum
                        + " got " + m);
                }
                acked++;
            }
            case "item" -> {
                if (itemsDue == 0) {
                    throw new AssertionError(this + ": an item nobody asked for: " + m);
                }
                int k = m.getInt("k");
                if (k != nextItem) {
                    throw new AssertionError(this + ": stream item out of order: expected k=" + nextItem + " got " + m);
                }
                itemsDue--;
                items++;
                nextItem = itemsDue == 0 ? 0 : k + 1;
            }
            case "shmAck" -> {
                if (shmSlot != m.getInt("slot")) {
                    throw new AssertionError(this + ": shmAck for slot " + m.getInt("slot") + ", expected " + shmSlot);
                }
                long back = (long) LONG.getAcquire(process.shared(), (long) (2 * shmSlot + 1) * Long.BYTES);
                if (back != shmValue + 1) {
                    throw new AssertionError(this + ": shared memory answer: expected=" + (shmValue + 1) + " read=" + back);
                }
                shmSlot = -1;
                shmRounds++;
            }
            case "final" -> {
                if (m.getLong("in") != nextSeq) {
                    throw new AssertionError(this + ": backend saw " + m.getLong("in") + " messages, sent " + nextSeq);
                }
                if (m.getLong("sum") != ackSum || !unacked.isEmpty()) {
                    throw new AssertionError(this + ": final checksum " + m.getLong("sum") + " vs acked " + ackSum
                        + ", unacked=" + unacked.size());
                }
                ended = true;
            }
            default -> throw new AssertionError(this + ": unexpected message " + m);
        }
        return m.command();
    }

    /** Stops cleanly: the backend's final message must match the books; exit code 0. */
    void stopAndCheck(Duration bound) {
        process.requestStop();
        drainToEnd(bound);
        if (!ended) {
            throw new AssertionError(this + ": no final message before end of stream");
        }
        if (!process.waitStop(bound) || process.exitCode().orElse(-1) != 0) {
            throw new AssertionError(this + ": clean stop expected exit 0, got " + process.exitCode());
        }
    }

    /** Reads to end of stream, checking everything; fails when the stream has not ended within bound. */
    void drainToEnd(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            MessageObject m = pipe.recv(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (m != null) {
                onMessage(m);
                continue;
            }
            if (pipe.poll() && !process.isAlive()) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(this + ": no end of stream within " + bound);
            }
        }
    }

    OptionalInt exitCode() {
        return process.exitCode();
    }

    @Override
    public String toString() {
        return "peer " + id + " " + process + " (seq=" + nextSeq + " out=" + nextOut + " acked=" + acked + " items="
            + items + " syncs=" + syncs + " shm=" + shmRounds + ")";
    }
}
