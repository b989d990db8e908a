package ipc.core;

import ipc.core.channel.SelectBell;
import ipc.core.channel.WaitPeer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Waits for messages on many {@link Pipe}s at once: the seed's {@code safe_select}.
 *
 * <p>Every backend of this JVM rings one shared {@link SelectBell} after each message it sends,
 * so a select over 1 pipe or 100 waits on one futex word: it spins briefly, then parks, and
 * uses no CPU while nothing arrives. No thread per pipe.
 */
public final class Select {
    private Select() {
    }

    /**
     * The pipes that have a message ready (or are at end of stream), waiting up to
     * {@code timeout} for one: {@code null} waits forever, {@link Duration#ZERO} only polls.
     * An interrupt returns an empty list instead of throwing, and keeps the thread's interrupt
     * status so that a loop can test it.
     *
     * @throws IllegalArgumentException for a negative timeout or a null pipe
     */
    public static List<Pipe> safeSelect(Collection<? extends Pipe> pipes, Duration timeout) {
        if (timeout != null && timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: timeout=" + timeout);
        }
        for (Pipe p : pipes) {
            if (p == null) {
                throw new IllegalArgumentException("pipes must not contain null: pipes=" + pipes);
            }
        }
        long deadline = System.nanoTime() + (timeout == null ? Long.MAX_VALUE / 2 : saturatedNanos(timeout));
        List<Pipe> ready = new ArrayList<>(2);
        // One pipe: its backend is the peer to yield to. Several: any of them may be on this core.
        WaitPeer peer = pipes.size() == 1 ? pipes.iterator().next().waitPeer() : WaitPeer.UNKNOWN;
        SelectBell.frontend().await(() -> collectReady(pipes, ready), deadline, peer);
        return ready;
    }

    private static boolean collectReady(Collection<? extends Pipe> pipes, List<Pipe> ready) {
        for (Pipe p : pipes) {
            if (p.poll()) {
                ready.add(p);
            }
        }
        return !ready.isEmpty();
    }

    static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE / 2;
        }
    }
}
