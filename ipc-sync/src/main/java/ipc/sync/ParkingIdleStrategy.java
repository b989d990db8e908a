package ipc.sync;

import org.agrona.concurrent.IdleStrategy;

/**
 * Spin, then yield, then park on a {@link Doorbell}: sub-microsecond hand-off while the
 * publisher is busy, no CPU once it has gone quiet, and a publisher pays a FUTEX_WAKE only
 * while this consumer sleeps. Trade-off: up to {@code spins + yields} of burnt CPU after each
 * burst of work, before the first park.
 *
 * <p>Use: one instance per consumer thread (it keeps per-thread counters; not thread-safe),
 * the usual Agrona duty cycle:
 * <pre>{@code
 *   while (running) { idle.idle(poll()); }   // poll() returns the work done, 0 for none
 * }</pre>
 * Each {@code idle()} ends by reading the bell's sequence; the park of a later {@code idle()}
 * waits for a change from that value. That read precedes the caller's last poll, so a message
 * published (and rung) after the poll found nothing has changed the sequence, and the park
 * returns at once: no ring is lost. {@code maxParkNanos} bounds one park so the caller can check
 * deadlines, flags and interruption between polls.
 */
public final class ParkingIdleStrategy implements IdleStrategy {
    /**
     * Default spins: 1000 {@code Thread.onSpinWait()} (PAUSE, about 10-40 ns each here, ~10-40 us
     * in all) - a few times the ~5 us a park plus FUTEX_WAKE hand-off costs (native-notes/futex.md),
     * so a reply that comes within a few wake-costs is caught without a syscall on either side.
     */
    public static final int DEFAULT_SPINS = 1000;
    /**
     * Default yields: 10 {@code Thread.yield()} (~1 us each when the core is otherwise idle; longer
     * when it gives the core to the peer on a 2-core machine, which is the point of yielding).
     */
    public static final int DEFAULT_YIELDS = 10;
    /**
     * Default longest park: 100 ms, so a consumer loop sees its stop flag, a deadline or a dead
     * peer within a tenth of a second, at 10 wake-ups per idle second.
     */
    public static final long DEFAULT_MAX_PARK_NANOS = 100_000_000L;

    private final Doorbell bell;
    private final int spins;
    private final int yields;
    private final long maxParkNanos;

    private int spun;
    private int yielded;
    private boolean haveObserved;
    private int observedSequence;

    /** With {@link #DEFAULT_SPINS}, {@link #DEFAULT_YIELDS} and {@link #DEFAULT_MAX_PARK_NANOS}. */
    public ParkingIdleStrategy(Doorbell bell) {
        this(bell, DEFAULT_SPINS, DEFAULT_YIELDS, DEFAULT_MAX_PARK_NANOS);
    }

    /**
     * @param spins        {@code Thread.onSpinWait()} calls before yielding, {@code >= 0}
     * @param yields       {@code Thread.yield()} calls before parking, {@code >= 0}
     * @param maxParkNanos longest single park, {@code > 0}
     */
    public ParkingIdleStrategy(Doorbell bell, int spins, int yields, long maxParkNanos) {
        if (bell == null) {
            throw new IllegalArgumentException("bell must not be null");
        }
        if (spins < 0 || yields < 0 || maxParkNanos <= 0) {
            throw new IllegalArgumentException("need spins >= 0, yields >= 0, maxParkNanos > 0: spins=" + spins
                + " yields=" + yields + " maxParkNanos=" + maxParkNanos);
        }
        this.bell = bell;
        this.spins = spins;
        this.yields = yields;
        this.maxParkNanos = maxParkNanos;
    }

    /** Resets the back-off after work ({@code workCount > 0}); otherwise one {@link #idle()} step. */
    @Override
    public void idle(int workCount) {
        if (workCount > 0) {
            reset();
        } else {
            idle();
        }
    }

    /**
     * One step of the back-off: spin, or yield, or park until the bell rings (at most
     * {@code maxParkNanos}); then read the sequence that the next park will wait on. The first
     * call after {@link #reset()} only spins and reads: it has no earlier read to park on.
     */
    @Override
    public void idle() {
        if (!haveObserved) {
            Thread.onSpinWait();
        } else if (spun < spins) {
            spun++;
            Thread.onSpinWait();
        } else if (yielded < yields) {
            yielded++;
            Thread.yield();
        } else {
            bell.awaitChange(observedSequence, maxParkNanos);
        }
        observedSequence = bell.sequenceAcquire();
        haveObserved = true;
    }

    /** Back to spinning: call after the caller found work. */
    @Override
    public void reset() {
        spun = 0;
        yielded = 0;
        haveObserved = false;
    }

    @Override
    public String alias() {
        return "parking";
    }

    @Override
    public String toString() {
        return "ParkingIdleStrategy{spins=" + spins + ", yields=" + yields + ", maxParkNanos=" + maxParkNanos + "}";
    }
}
