package ipc.core;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A typed remote call of primitives ({@code long add(long, long)}, {@code void tick(long)})
 * allocates nothing on either side once warm: on this thread, measured around each window of
 * calls, and in the backend's loop thread, measured by the backend itself between
 * {@code mark()} and {@code allocatedSinceMark()}. As in MessageRoundTripAllocationTest, a
 * window in which Chronicle rolls to a new cycle file or maps a chunk holds a few kilobytes, so
 * at least half of the windows must be exactly zero on both sides.
 */
@Timeout(120)
public class RemoteAllocationTest {
    private static final int WARM_UP = 30_000;
    private static final int WINDOWS = 20;
    private static final int CALLS_PER_WINDOW = 1_000;

    public interface Adder {
        long add(long a, long b);

        void tick(long seq);

        void mark();

        long allocatedSinceMark();
    }

    public static class AdderProcess extends MessageProcess implements Adder {
        private transient com.sun.management.ThreadMXBean threads;
        private transient long mark;
        private transient long ticks;

        public AdderProcess(String name) {
            super(name);
        }

        @Override
        protected void preRun__() {
            threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        }

        @Override
        public long add(long a, long b) {
            return a + b;
        }

        @Override
        public void tick(long seq) {
            ticks += seq;
        }

        @Override
        public void mark() {
            mark = threads.getCurrentThreadAllocatedBytes();
        }

        @Override
        public long allocatedSinceMark() {
            return threads.getCurrentThreadAllocatedBytes() - mark;
        }
    }

    @Test
    void primitiveCallsAllocateNothingOnEitherSide() {
        try (AdderProcess p = new AdderProcess("adder")) {
            p.start();
            Adder adder = p.remote(Adder.class);
            long sum = 0;
            for (int i = 0; i < WARM_UP; i++) {
                sum += adder.add(i, 1);
                adder.tick(i);
            }
            long overhead = Allocations.overhead();
            long backendOverhead = backendOverhead(adder);
            int clean = 0;
            StringBuilder report = new StringBuilder();
            for (int w = 0; w < WINDOWS; w++) {
                adder.mark();
                long before = Allocations.allocatedByThisThread();
                for (int i = 0; i < CALLS_PER_WINDOW; i++) {
                    sum += adder.add(i, w);
                    adder.tick(i);
                }
                long frontend = Allocations.allocatedByThisThread() - before - overhead;
                long backend = adder.allocatedSinceMark() - backendOverhead;
                report.append(frontend).append('/').append(backend).append(' ');
                if (frontend <= 0 && backend <= 0) {
                    clean++;
                }
            }
            System.out.println("typed calls, bytes per window of " + CALLS_PER_WINDOW + " add + tick (frontend/backend): "
                + report);
            assertTrue(clean >= WINDOWS / 2, "at least half the windows allocate nothing on both sides: " + report);
            assertEquals(3, adder.add(1, 2));
            assertTrue(sum > 0);
        }
    }

    /** What mark() + allocatedSinceMark() cost in the backend with no call between them. */
    private static long backendOverhead(Adder adder) {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            adder.mark();
            min = Math.min(min, adder.allocatedSinceMark());
        }
        return min;
    }
}
