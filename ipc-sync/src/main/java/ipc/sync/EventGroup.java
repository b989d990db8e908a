package ipc.sync;

import static ipc.sync.EventGroupDescriptor.GENERATION_MASK;
import static ipc.sync.EventGroupDescriptor.RESERVED;
import static ipc.sync.EventGroupDescriptor.SET;
import static ipc.sync.EventGroupDescriptor.WAITERS;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fixed set of cross-process events in one shared segment, addressed by an int index that
 * can travel in a message (the seed's {@code EventGroup}).
 *
 * <pre>{@code
 *   EventGroup eg = new EventGroup(10);       // creator: a file under ShmDirectory.root()
 *   SharedEvent e = eg.reserve();              // any process that holds the group
 *   send(e.index());                           // the peer: EventGroup.open(name).set(index)
 *   e.await();                                 // or await(Duration), or a SyncIndex
 *   eg.release(e);
 * }</pre>
 *
 * <p>An index names a slot and a reservation of it: {@link #reserve()} hands out
 * {@code generation << 16 | slot} with a generation that changes on every reservation of the
 * slot (layout and bit tables: {@link EventGroupDescriptor}). So a {@link #set(int)} that
 * arrives after its waiter gave up and released is ignored, and never wakes a later
 * reservation of the same slot. A plain slot number (the seed's 0..n-1) is not an index.
 *
 * <p>Reserve and release are lock-free CAS steps on the slot's state word, correct between
 * threads and processes alike: no two holders ever get the same reservation. When no slot is
 * free, {@link #reserve()} first takes back slots whose holder process has died.
 *
 * <p>Lifecycle: {@code new EventGroup(n)} creates the file (entry {@code eg-<pid>-<n>}, so a
 * group whose creator died is removed by {@link ShmDirectory#cleanStale()}); {@link #open(String)}
 * maps it in another process by {@link #name()}. {@link #close()} is idempotent: it aborts this
 * instance's waiters, unmaps, and, on the creator, deletes the file. A creator that never closes
 * (the seed's pattern: a group made in a process's constructor and left to the program's end)
 * has the file deleted when its JVM exits normally ({@link OwnedEntries}); an opener's exit never
 * deletes it. Any use after close throws {@link IllegalStateException}. Instances are thread-safe.
 *
 * <p>Memory consistency effects: actions of a thread (of any process) before {@code set(i)}
 * happen-before actions of a thread after an await on {@code i} returns normally, or after
 * {@code isSet()} returns true. Actions of a holder before {@code release} happen-before actions
 * of the next holder of that slot after its {@code reserve} returns.
 */
public final class EventGroup implements AutoCloseable {
    /*
     * Overview:
     *
     * The state word of a slot (EventGroupDescriptor) is the only shared mutable state, and
     * every transition is one CAS on it:
     *
     *   reserve: FREE(g)          -> RESERVED(g+1)              scan from a per-instance hint
     *   set(i):  RESERVED(g)[S=0] -> RESERVED(g)[S=1, W=0]       only if g is i's generation;
     *                                                            FUTEX_WAKE(all) iff W was 1
     *   clear:   RESERVED(g)[S=1] -> RESERVED(g)[S=0]
     *   await:   RESERVED(g)[W=0] -> RESERVED(g)[W=1]            then FUTEX_WAIT(expect that)
     *   release: RESERVED(g)      -> FREE(g)                     FUTEX_WAKE(all) iff W was 1
     *
     * A set for a generation that is not the slot's current reservation changes nothing, so
     * it can neither wake nor mark a later holder. The waiter/setter pair is the Doorbell
     * protocol (native-notes/futex.md): the waiter sleeps only while the word still equals
     * the value with W that it announced; any set or release changes the word, and one that
     * replaced a value with W set calls FUTEX_WAKE, so no set is lost.
     *
     * await = spin (awaitSpins acquire reads, default ParkingIdleStrategy.DEFAULT_SPINS), yield
     * (awaitYields, default DEFAULT_YIELDS), then park in slices of PARK_SLICE_NANOS. The budget
     * is this instance's (setAwaitBudget), read once when a wait starts; (0, 0) parks at once.
     * The slices exist for abortWaiters: it bumps a JVM-local epoch and FUTEX_WAKEs every slot
     * with W set, but a waiter that read the old epoch just before, and enters FUTEX_WAIT just
     * after that wake, sleeps on an unchanged word; the slice bounds how long it can miss the
     * abort.
     *
     * Happens-before: every transition is a volatile CAS; await and isSet read the word with
     * acquire (getAcquire while spinning, getVolatile before parking). set's CAS releases the
     * setter's earlier writes to the waiter that reads S=1; release's CAS releases the
     * holder's writes to the next reserve's CAS on the same word.
     */

    /**
     * Longest single FUTEX_WAIT of an await: 50 ms. abortWaiters must reach a waiter within
     * 100 ms even when its wake-up raced the waiter's park (see Overview); half of that leaves
     * room for scheduling delay on a loaded machine. 20 wake-ups a second cost a parked waiter
     * nothing measurable.
     */
    static final long PARK_SLICE_NANOS = 50_000_000L;

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    private static final long PID = ProcessHandle.current().pid();

    private final String name;
    private final SharedMapping mapping;
    private final MemorySegment segment;
    private final int capacity;
    private final boolean creator;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Bumped by abortWaiters; an event obtained before the bump may no longer wait. */
    private final AtomicLong abortEpoch = new AtomicLong();
    private volatile String abortReason = "";
    /** Where the next reserve starts scanning: plain and racy on purpose, any value in range is correct. */
    private int reserveHint;
    /**
     * The back-off of waits through this instance (setAwaitBudget). Volatile so that a change
     * reaches waits started later on any thread; a wait that reads one new and one old value
     * merely backs off a little longer or shorter once.
     */
    private volatile int awaitSpins = ParkingIdleStrategy.DEFAULT_SPINS;
    private volatile int awaitYields = ParkingIdleStrategy.DEFAULT_YIELDS;

    /**
     * Creates a group of {@code capacity} free events in a new file under
     * {@link ShmDirectory#root()} (after removing stale entries of dead processes).
     *
     * @throws IllegalArgumentException unless {@code 1 <= capacity <=}
     *                                  {@link EventGroupDescriptor#MAX_CAPACITY}
     */
    public EventGroup(int capacity) {
        EventGroupDescriptor.checkCapacity(capacity);
        ShmDirectory.cleanStale();
        String fresh = ShmDirectory.uniqueName("eg");
        SharedMapping created = SharedMapping.create(ShmDirectory.root().resolve(fresh),
            EventGroupDescriptor.totalBytes(capacity));
        OwnedEntries.add(created.path()); // removed at this JVM's exit if close() never comes
        try {
            EventGroupDescriptor.writeHeader(created.segment(), capacity, PID);
        } catch (RuntimeException | Error e) {
            created.close();
            OwnedEntries.remove(created.path());
            throw e;
        }
        this.name = fresh;
        this.mapping = created;
        this.segment = created.segment();
        this.capacity = capacity;
        this.creator = true;
    }

    private EventGroup(String name, SharedMapping mapping, int capacity) {
        this.name = name;
        this.mapping = mapping;
        this.segment = mapping.segment();
        this.capacity = capacity;
        this.creator = false;
    }

    /**
     * Maps the group created elsewhere under this {@link #name()}; closing the result only unmaps.
     *
     * @throws IllegalArgumentException when {@code name} is not a plain file name
     * @throws IllegalStateException    when no such group exists (its creator closed or died),
     *                                  or the file is not an EventGroup of this version
     */
    public static EventGroup open(String name) {
        if (name == null || name.isEmpty() || name.indexOf('/') >= 0 || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("EventGroup name must be a plain file name: name=" + name);
        }
        Path file = ShmDirectory.root().resolve(name);
        SharedMapping opened = SharedMapping.open(file);
        try {
            return new EventGroup(name, opened, EventGroupDescriptor.checkHeader(opened.segment(), name));
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
    }

    /** The handle another process passes to {@link #open(String)}: the file name under the root. */
    public String name() {
        return name;
    }

    /** Whether this instance created the group (and so deletes its file on close). */
    public boolean isCreator() {
        return creator;
    }

    /** How many events the group has. */
    public int size() {
        return capacity;
    }

    /**
     * Reserves a free event (a CAS from FREE to RESERVED with the slot's next generation). When
     * every slot is reserved, first frees the slots whose holder process has died, then tries again.
     *
     * @throws NotEnoughEvents when, at one instant, every event was reserved by a live holder
     */
    public SharedEvent reserve() {
        checkOpen();
        boolean reclaimed = false;
        int[] first = null;
        int[] second = null;
        while (true) {
            SharedEvent event = tryReserve();
            if (event != null) {
                return event;
            }
            // One scan is no snapshot: slots it passed may have been freed, and ones ahead of it
            // taken, while it ran. Two equal collects of (RESERVED, generation) prove that every
            // slot was reserved at one instant between them (the generation rules out ABA).
            if (first == null) {
                first = new int[capacity];
                second = new int[capacity];
            }
            collectReservations(first);
            collectReservations(second);
            if (!Arrays.equals(first, second) || !allReserved(second)) {
                continue; // others made progress meanwhile: scan again
            }
            if (reclaimed || reclaimDeadHolders() == 0) {
                throw new NotEnoughEvents("no free event: size=" + capacity + " name=" + name);
            }
            reclaimed = true;
        }
    }

    private void collectReservations(int[] into) {
        for (int slot = 0; slot < capacity; slot++) {
            into[slot] = (int) INT.getVolatile(segment, EventGroupDescriptor.stateOffset(slot)) & (GENERATION_MASK | RESERVED);
        }
    }

    private static boolean allReserved(int[] states) {
        for (int state : states) {
            if ((state & RESERVED) == 0) {
                return false;
            }
        }
        return true;
    }

    private SharedEvent tryReserve() {
        int start = reserveHint;
        for (int k = 0; k < capacity; k++) {
            int slot = start + k < capacity ? start + k : start + k - capacity;
            long offset = EventGroupDescriptor.stateOffset(slot);
            int state = (int) INT.getVolatile(segment, offset);
            while ((state & RESERVED) == 0) {
                int reserved = EventGroupDescriptor.nextGenerationBits(state) | RESERVED;
                int witness = (int) INT.compareAndExchange(segment, offset, state, reserved);
                if (witness == state) {
                    LONG.setRelease(segment, EventGroupDescriptor.holderOffset(slot),
                        EventGroupDescriptor.holder(EventGroupDescriptor.generation(reserved), PID));
                    reserveHint = slot + 1 < capacity ? slot + 1 : 0;
                    return new SharedEvent(this, EventGroupDescriptor.index(slot, reserved), abortEpoch.get());
                }
                state = witness; // lost a race for this slot: retry it only while it stays FREE
            }
        }
        return null;
    }

    /**
     * Frees every reserved slot whose holder word names this slot's generation and a dead pid.
     * The holder word is written after the reserving CAS, so a brand-new reservation may still
     * show the previous generation: it does not match and is left alone.
     */
    private int reclaimDeadHolders() {
        int reclaimed = 0;
        for (int slot = 0; slot < capacity; slot++) {
            long offset = EventGroupDescriptor.stateOffset(slot);
            int state = (int) INT.getVolatile(segment, offset);
            if ((state & RESERVED) == 0) {
                continue;
            }
            long holder = (long) LONG.getAcquire(segment, EventGroupDescriptor.holderOffset(slot));
            int holderGeneration = (int) (holder >>> 32);
            long holderPid = holder & 0xFFFF_FFFFL;
            if (holderGeneration != EventGroupDescriptor.generation(state) || holderPid == 0 || holderPid == PID
                || ProcessHandle.of(holderPid).map(ProcessHandle::isAlive).orElse(false)) {
                continue;
            }
            if ((int) INT.compareAndExchange(segment, offset, state, state & GENERATION_MASK) == state) {
                reclaimed++;
                wakeIfWaiters(state, offset);
            }
        }
        return reclaimed;
    }

    /**
     * Sets the event of reservation {@code index} and wakes its waiters, in any process. A set
     * for a reservation that has been released (a late set), or of an event already set, changes
     * nothing.
     *
     * @return true when this call set the event; false when it was already set or the
     *         reservation is gone
     * @throws IllegalArgumentException when {@code index} is not an index of this group
     */
    public boolean set(int index) {
        int slot = checkIndex(index);
        checkOpen();
        long offset = EventGroupDescriptor.stateOffset(slot);
        int state = (int) INT.getVolatile(segment, offset);
        while (isReservation(state, index) && (state & SET) == 0) {
            int witness = (int) INT.compareAndExchange(segment, offset, state, (state | SET) & ~WAITERS);
            if (witness == state) {
                wakeIfWaiters(state, offset);
                return true;
            }
            state = witness;
        }
        return false;
    }

    /** Clears the event of reservation {@code index}; false when it was not set or is released. */
    boolean clear(int index) {
        int slot = checkIndex(index);
        checkOpen();
        long offset = EventGroupDescriptor.stateOffset(slot);
        int state = (int) INT.getVolatile(segment, offset);
        while (isReservation(state, index) && (state & SET) != 0) {
            int witness = (int) INT.compareAndExchange(segment, offset, state, state & ~SET);
            if (witness == state) {
                return true;
            }
            state = witness;
        }
        return false;
    }

    /** Whether reservation {@code index} is live and set (an acquire read). */
    boolean isSet(int index) {
        int slot = checkIndex(index);
        checkOpen();
        int state = (int) INT.getAcquire(segment, EventGroupDescriptor.stateOffset(slot));
        return isReservation(state, index) && (state & SET) != 0;
    }

    /** Releases a reserved event for reuse. */
    public void release(SharedEvent event) {
        checkOwn(event);
        release_ind(event.index());
    }

    /**
     * Releases reservation {@code index} for reuse (the seed's {@code release_ind}); works from
     * any process. Waiters on it, if any, are woken and fail with IllegalStateException. (The
     * seed's name, pinned by the API.)
     *
     * @throws IllegalArgumentException when {@code index} is not an index of this group
     * @throws IllegalStateException    when that reservation was already released
     */
    public void release_ind(int index) {
        int slot = checkIndex(index);
        checkOpen();
        long offset = EventGroupDescriptor.stateOffset(slot);
        int state = (int) INT.getVolatile(segment, offset);
        while (true) {
            if (!isReservation(state, index)) {
                throw new IllegalStateException("event already released: index=" + index + " slot=" + slot
                    + " generation=" + EventGroupDescriptor.generation(index) + " " + describeState(state)
                    + " name=" + name);
            }
            int witness = (int) INT.compareAndExchange(segment, offset, state, state & GENERATION_MASK);
            if (witness == state) {
                wakeIfWaiters(state, offset);
                return;
            }
            state = witness;
        }
    }

    /**
     * An event handle for reservation {@code index} (e.g. one received in a message). It does not
     * check that the reservation is still live: a set on a stale handle is ignored.
     *
     * @throws IllegalArgumentException when {@code index} is not an index of this group
     */
    public SharedEvent fromIndex(int index) {
        checkIndex(index);
        checkOpen();
        return new SharedEvent(this, index, abortEpoch.get());
    }

    /** The index of an event of this group (same as {@code event.index()}). */
    public int asIndex(SharedEvent event) {
        checkOwn(event);
        return event.index();
    }

    /**
     * Ends, with {@link PeerGoneException} carrying {@code reason}, every wait through this
     * instance on an event obtained (reserved or {@link #fromIndex}) before this call; waits on
     * events obtained later are not affected. Waiters parked in the kernel are woken at once; one
     * whose park raced this call notices within one 50 ms park slice. Waiters in other
     * processes are woken spuriously and wait on. ipc-core calls this when the peer that should
     * set the events has exited.
     */
    public void abortWaiters(String reason) {
        abortReason = String.valueOf(reason);
        abortEpoch.incrementAndGet();
        if (closed.get() || !Futex.isAvailable()) {
            return; // fallback waiters poll the epoch within TimedParking.MAX_PARK_NANOS
        }
        for (int slot = 0; slot < capacity; slot++) {
            long offset = EventGroupDescriptor.stateOffset(slot);
            if (((int) INT.getVolatile(segment, offset) & WAITERS) != 0) {
                Futex.wake(segment, offset, Integer.MAX_VALUE);
            }
        }
    }

    /**
     * Aborts this instance's waiters (reason "EventGroup closed"), unmaps the segment and, on the
     * creator, deletes the file (unless this JVM's exit hook already has: {@link OwnedEntries#remove}).
     * Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        abortReason = "EventGroup closed: name=" + name;
        abortEpoch.incrementAndGet();
        try {
            if (Futex.isAvailable()) {
                for (int slot = 0; slot < capacity; slot++) { // wake our parked waiters before unmapping
                    long offset = EventGroupDescriptor.stateOffset(slot);
                    if (((int) INT.getVolatile(segment, offset) & WAITERS) != 0) {
                        Futex.wake(segment, offset, Integer.MAX_VALUE);
                    }
                }
            }
        } finally {
            try {
                if (creator) {
                    OwnedEntries.remove(mapping.path());
                }
            } finally {
                mapping.close();
            }
        }
    }

    /**
     * Sets how waits through this instance ({@link SharedEvent#await()}, {@link SyncIndex#close()})
     * back off before they park: {@code spins} {@code Thread.onSpinWait()} reads of the event, then
     * {@code yields} {@code Thread.yield()} reads, then FUTEX_WAIT. The defaults,
     * {@link ParkingIdleStrategy#DEFAULT_SPINS} and {@link ParkingIdleStrategy#DEFAULT_YIELDS},
     * catch a set that comes within ~50 us at a fraction of a microsecond, at the price of that much
     * CPU per wait; {@code (0, 0)} parks at once, for waits known to be long, a core that must not
     * be spent spinning, or measuring the parked path (native-notes/futex.md).
     *
     * <p>The budget belongs to this instance in this JVM: other instances of the same group
     * ({@link #open(String)}, a backend's copy of a group field) keep theirs. A wait reads it when
     * it starts, so waits already in progress are not affected.
     *
     * @throws IllegalArgumentException when {@code spins} or {@code yields} is negative
     */
    public void setAwaitBudget(int spins, int yields) {
        if (spins < 0 || yields < 0) {
            throw new IllegalArgumentException("need spins >= 0 and yields >= 0: spins=" + spins + " yields=" + yields
                + " name=" + name);
        }
        awaitSpins = spins;
        awaitYields = yields;
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return closed.get();
    }

    /** {@code "<EventGroup: f0 R1 f2>"}: every slot, f free or R reserved, with its slot number. */
    @Override
    public String toString() {
        if (closed.get()) {
            return "<EventGroup: name=" + name + " closed>";
        }
        StringBuilder text = new StringBuilder(16 + capacity * 4).append("<EventGroup:");
        for (int slot = 0; slot < capacity; slot++) {
            int state = (int) INT.getVolatile(segment, EventGroupDescriptor.stateOffset(slot));
            text.append(' ').append((state & RESERVED) != 0 ? 'R' : 'f').append(slot);
        }
        return text.append('>').toString();
    }

    /**
     * Waits until reservation {@code event} is set; false on timeout. See {@link SharedEvent#await}.
     *
     * @param timeoutNanos {@link Futex#NO_TIMEOUT} for no limit
     */
    boolean await(SharedEvent event, long timeoutNanos) {
        int index = event.index();
        int slot = EventGroupDescriptor.slot(index);
        long offset = EventGroupDescriptor.stateOffset(slot);
        long start = System.nanoTime();
        int spins = awaitSpins;
        int yields = awaitYields;
        checkOpen();
        checkNotAborted(event);
        for (int spin = 0; spin < spins; spin++) {
            if (isSetOrThrow((int) INT.getAcquire(segment, offset), index)) {
                return true;
            }
            if (timeoutNanos != Futex.NO_TIMEOUT && System.nanoTime() - start >= timeoutNanos) {
                return false;
            }
            Thread.onSpinWait();
        }
        for (int yield = 0; yield < yields; yield++) {
            if (isSetOrThrow((int) INT.getAcquire(segment, offset), index)) {
                return true;
            }
            if (timeoutNanos != Futex.NO_TIMEOUT && System.nanoTime() - start >= timeoutNanos) {
                return false;
            }
            Thread.yield();
        }
        long parkInterval = TimedParking.MIN_PARK_NANOS;
        while (true) {
            checkOpen();
            checkNotAborted(event);
            int state = (int) INT.getVolatile(segment, offset);
            if (isSetOrThrow(state, index)) {
                return true;
            }
            long remaining = timeoutNanos == Futex.NO_TIMEOUT
                ? Long.MAX_VALUE : timeoutNanos - (System.nanoTime() - start);
            if (remaining <= 0) {
                return false;
            }
            if (!Futex.isAvailable()) {
                parkInterval = TimedParking.park(parkInterval, remaining);
                continue;
            }
            if ((state & WAITERS) == 0) {
                int witness = (int) INT.compareAndExchange(segment, offset, state, state | WAITERS);
                if (witness != state) {
                    continue; // set, released or another waiter announced: look again
                }
                state |= WAITERS;
            }
            Futex.await(segment, offset, state, Math.min(remaining, PARK_SLICE_NANOS));
        }
    }

    private boolean isSetOrThrow(int state, int index) {
        if (!isReservation(state, index)) {
            throw new IllegalStateException("event released while waiting on it: index=" + index + " slot="
                + EventGroupDescriptor.slot(index) + " " + describeState(state) + " name=" + name);
        }
        return (state & SET) != 0;
    }

    private void checkNotAborted(SharedEvent event) {
        if (event.epoch() != abortEpoch.get()) {
            throw new PeerGoneException("waiters aborted: reason=" + abortReason + " index=" + event.index()
                + " name=" + name);
        }
    }

    /** Whether {@code state} holds the live reservation that {@code index} names. */
    private static boolean isReservation(int state, int index) {
        return (state & RESERVED) != 0 && (state & GENERATION_MASK) == (index & GENERATION_MASK);
    }

    private void wakeIfWaiters(int replacedState, long offset) {
        // A fallback-path process cannot wake a futex-path sleeper; that one sees the change
        // at the end of its park slice.
        if ((replacedState & WAITERS) != 0 && Futex.isAvailable()) {
            Futex.wake(segment, offset, Integer.MAX_VALUE);
        }
    }

    private int checkIndex(int index) {
        int slot = EventGroupDescriptor.slot(index);
        if (index < 0 || EventGroupDescriptor.generation(index) == 0 || slot >= capacity) {
            throw new IllegalArgumentException("index out of range: index=" + index + " slot=" + slot
                + " generation=" + EventGroupDescriptor.generation(index) + " size=" + capacity
                + (index >= 0 && EventGroupDescriptor.generation(index) == 0
                    ? " (an index carries a generation: plain slot numbers are not indexes)" : "")
                + " name=" + name);
        }
        return slot;
    }

    private void checkOwn(SharedEvent event) {
        if (event == null) {
            throw new IllegalArgumentException("event must not be null: name=" + name);
        }
        if (event.group() != this && !event.group().name.equals(name)) {
            throw new IllegalArgumentException("event of another group: event=" + event + " group=" + name);
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("EventGroup closed: name=" + name);
        }
    }

    private static String describeState(int state) {
        return "state=" + ((state & RESERVED) != 0 ? "RESERVED" : "FREE")
            + " stateGeneration=" + EventGroupDescriptor.generation(state);
    }
}
