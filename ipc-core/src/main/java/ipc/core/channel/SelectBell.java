package ipc.core.channel;

import ipc.sync.Doorbell;
import ipc.sync.OwnedEntries;
import ipc.sync.SharedMapping;
import ipc.sync.ShmDirectory;
import ipc.sync.ParkingIdleStrategy;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * One {@link Doorbell} in a small file of its own ({@code ShmDirectory.root()/bell-<pid>-<n>}),
 * that the backends of many channels ring after each backend-to-frontend write, so that a
 * frontend thread can wait for "a message on any of my channels" on one futex word
 * ({@code Select.safeSelect} over N pipes, no thread per pipe).
 *
 * <p>The frontend creates it and passes it in {@link ChannelOptions#withB2fBell(SelectBell)};
 * each channel records the bell's path in its control segment ({@link ChannelDescriptor}), and
 * the backend's {@link Channel#open} maps that file and rings the word. A ring on a shared bell
 * wakes every waiter of that frontend; each re-polls its own channels, so a spurious wake-up
 * costs a poll and loses nothing.
 *
 * <p>Close: the creator unmaps and deletes the file; an opener only unmaps. Idempotent. Close it
 * after the channels that use it. A creator's bell not closed by then is deleted when its JVM
 * exits normally ({@link OwnedEntries}).
 *
 * <p>MessageProcess uses one bell per frontend JVM ({@link #frontend()}): every backend of this
 * JVM rings it, {@code Pipe.recv} and {@code Select.safeSelect} wait on it through
 * {@link #await}, and the frontend rings it itself when a backend exits, so a parked reader sees
 * end of stream at once. It is created on first use and deleted at this JVM's exit (after a
 * crash, by the stale sweep: its name carries the pid).
 */
public final class SelectBell implements AutoCloseable {
    /** File size: one doorbell word, alone on a 128-byte line (see {@link ChannelDescriptor#LINE_BYTES}). */
    public static final long FILE_BYTES = ChannelDescriptor.LINE_BYTES;
    /** Where the doorbell word sits in the file. */
    public static final long BELL_OFFSET = 0;

    /**
     * Longest single park in {@link #await}: a waiter re-tests its condition at least this often,
     * which bounds how late it notices a change that rings nothing (its own deadline is exact; a
     * ring is immediate). 50 ms costs 20 wake-ups a second per parked waiter, nothing measurable.
     */
    static final long MAX_PARK_NANOS = 50_000_000L;

    private static volatile SelectBell frontend;

    private final SharedMapping mapping;
    private final Doorbell doorbell;
    private final boolean creator;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SelectBell(SharedMapping mapping, boolean creator) {
        this.mapping = mapping;
        this.doorbell = new Doorbell(mapping.segment(), BELL_OFFSET);
        this.creator = creator;
    }

    /** Creates a new bell file under {@link ShmDirectory#root()} (mode 0600). */
    public static SelectBell create() {
        ShmDirectory.cleanStale();
        Path file = ShmDirectory.root().resolve(ShmDirectory.uniqueName("bell"));
        SharedMapping mapping = SharedMapping.create(file, FILE_BYTES);
        OwnedEntries.add(file); // removed at this JVM's exit if close() never comes
        return new SelectBell(mapping, true);
    }

    /**
     * This JVM's frontend bell, created on first use; its file is deleted at JVM exit by
     * {@link OwnedEntries}'s hook. Never closed otherwise: backends of this JVM may ring it until
     * they exit.
     */
    public static SelectBell frontend() {
        SelectBell bell = frontend;
        if (bell == null) {
            synchronized (SelectBell.class) {
                bell = frontend;
                if (bell == null) {
                    bell = create();
                    frontend = bell;
                }
            }
        }
        return bell;
    }

    /**
     * Waits until {@code ready} returns true (then true), or until {@code deadlineNanos} (a
     * {@link System#nanoTime()} value) passes or the thread is interrupted (then false; the
     * interrupt status is kept). Spins ({@link SpinWait}), yields, then parks on the bell with
     * ipc-sync's measured budget. The sequence is read before each test, so a ring between the test and the park
     * makes the park return at once: no ring is lost (native-notes/futex.md).
     */
    public boolean await(BooleanSupplier ready, long deadlineNanos) {
        return await(ready, deadlineNanos, WaitPeer.UNKNOWN);
    }

    /**
     * {@link #await(BooleanSupplier, long)} for a waiter that waits for one channel's backend:
     * announces its CPU to that backend and yields in the spin phase only when the backend may
     * share its core ({@link WaitPeer}).
     */
    public boolean await(BooleanSupplier ready, long deadlineNanos, WaitPeer peer) {
        int idleRounds = 0;
        while (true) {
            if (ready.getAsBoolean()) {
                return true;
            }
            boolean spinning = idleRounds < ParkingIdleStrategy.DEFAULT_SPINS;
            long remaining = 0;
            if (!spinning || SpinWait.checksClock(idleRounds)) {
                remaining = deadlineNanos - System.nanoTime();
                if (remaining <= 0 || Thread.currentThread().isInterrupted()) {
                    return false;
                }
            }
            if (idleRounds == 0) {
                peer.announce();
            }
            if (spinning) {
                if (SpinWait.spin(idleRounds, peer)) {
                    // Park now: the peer shares this core and yields alone keep it so.
                    idleRounds = ParkingIdleStrategy.DEFAULT_SPINS + ParkingIdleStrategy.DEFAULT_YIELDS;
                    continue;
                }
            } else if (idleRounds < ParkingIdleStrategy.DEFAULT_SPINS + ParkingIdleStrategy.DEFAULT_YIELDS) {
                Thread.yield();
            } else {
                // The sequence is read only here, before a park, never while spinning: a spinner
                // that reads the bell's word keeps its cache line shared, and every ring (a CAS
                // in the backend's send, on the round trip's critical path) then has to take the
                // line back from this core first. A frame published after this read rings a
                // later sequence, so the park below returns at once.
                int observed = doorbell.sequenceAcquire();
                if (ready.getAsBoolean()) {
                    return true;
                }
                doorbell.awaitChange(observed, Math.min(remaining, MAX_PARK_NANOS));
            }
            idleRounds++;
        }
    }

    /** Rings the bell: every waiter re-tests its condition. */
    public void ring() {
        doorbell.ring();
    }

    /** Maps an existing bell file (the backend side). */
    static SelectBell open(Path file) {
        SharedMapping mapping = SharedMapping.open(file);
        if (mapping.size() < FILE_BYTES) {
            mapping.close();
            throw new IllegalStateException("bell file too small: path=" + file + ", size=" + mapping.size()
                + ", expected=" + FILE_BYTES);
        }
        return new SelectBell(mapping, false);
    }

    /** The bell: ring it after publishing, wait on it when there is nothing to read. */
    public Doorbell doorbell() {
        return doorbell;
    }

    /** The bell's file. */
    public Path path() {
        return mapping.path();
    }

    /** Unmaps; the creator also deletes the file. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                if (creator) {
                    OwnedEntries.remove(mapping.path());
                }
            } finally {
                mapping.close();
            }
        }
    }

    @Override
    public String toString() {
        return "<SelectBell: path=" + mapping.path() + (closed.get() ? ", closed" : ", " + doorbell) + ">";
    }
}
