package ipc.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ipc.sync.Affinity;
import ipc.sync.testing.CpuLists;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link MessageProcess#setBackendCpu}: the loop thread of a real backend is pinned, its other
 * threads are not, also when the frontend thread that starts it is pinned. Masks are read from
 * the kernel ({@code /proc/<pid>/task/<tid>/status}), threads told apart by name ({@code comm}).
 * Every pin of a frontend thread happens on a thread of its own, which ends with the test.
 */
@Timeout(120)
class BackendCpuTest extends ShmLeakCheck {

    /** Answers "where" with the loop thread's tid and CPUs, and checks the order of "seq" messages. */
    static final class Placed extends MessageProcess {
        private long expected;
        private long outOfOrder;

        Placed(String name) {
            super(name);
        }

        void c__where() throws IOException {
            send_out__(new MessageObject("where", "tid", loopTid(), "cpus", Affinity.cpus(),
                "thread", Thread.currentThread().getName()));
        }

        void c__seq(long n) {
            if (n != expected) {
                outOfOrder++;
            }
            expected = n + 1;
        }

        void c__count() {
            send_out__(new MessageObject("count", "received", expected, "outOfOrder", outOfOrder));
        }
    }

    /** The same question for the asynchronous loop. */
    static final class AsyncPlaced extends AsyncBackMessageProcess {
        AsyncPlaced(String name) {
            super(name);
        }

        CompletionStage<Void> c__where() throws IOException {
            send_out__(new MessageObject("where", "tid", loopTid(), "cpus", Affinity.cpus(),
                "thread", Thread.currentThread().getName()));
            return CompletableFuture.completedFuture(null);
        }
    }

    @Test
    void aBackendStartedFromAPinnedThreadPinsItsLoopThreadOnly() throws Exception {
        int[] all = Affinity.processCpus();
        assumeTrue(all.length >= 2, "needs two CPUs: cpus=" + Arrays.toString(all));
        int frontendCpu = all[1];
        int backendCpu = all[0];
        onOwnThread(() -> {
            Affinity.pin(frontendCpu);
            try (Placed p = new Placed("placed")) {
                p.setBackendCpu(backendCpu);
                p.start();
                assertArrayEquals(new int[] {frontendCpu}, Affinity.cpus(), "start() puts the caller's pin back");
                MessageObject where = ask(p);
                assertArrayEquals(new int[] {backendCpu}, (int[]) where.get("cpus"));
                long pid = p.pid().orElseThrow();
                Map<Integer, Task> tasks = tasksOf(pid);
                Task loop = tasks.get(where.getInt("tid"));
                assertNotNull(loop, "loop thread among the tasks: " + tasks);
                assertTrue(loop.comm().startsWith("ipc-loop-"), "loop thread named: " + loop);
                assertEquals(bits(backendCpu), loop.cpus(), "loop thread: " + loop);
                for (Task t : tasks.values()) {
                    if (t.tid() != loop.tid()) {
                        assertEquals(bits(all), t.cpus(), "every other thread on every CPU: " + t
                            + " all tasks: " + tasks.values());
                    }
                }
                p.stop();
                assertEquals(0, p.exitCode().orElseThrow());
            }
        });
    }

    @Test
    void withoutBackendCpuABackendOfAPinnedThreadRunsEverywhere() throws Exception {
        int[] all = Affinity.processCpus();
        assumeTrue(all.length >= 2, "needs two CPUs: cpus=" + Arrays.toString(all));
        onOwnThread(() -> {
            Affinity.pin(all[1]);
            try (Placed p = new Placed("unplaced")) {
                p.start();
                MessageObject where = ask(p);
                assertArrayEquals(all, (int[]) where.get("cpus"), "loop thread not pinned");
                for (Task t : tasksOf(p.pid().orElseThrow()).values()) {
                    assertEquals(bits(all), t.cpus(), "no thread inherits the starter's pin: " + t);
                }
                p.stop();
            }
        });
    }

    @Test
    void theAsyncLoopThreadIsPinnedToo() throws Exception {
        int[] all = Affinity.processCpus();
        int cpu = all[all.length - 1];
        try (AsyncPlaced p = new AsyncPlaced("async-placed")) {
            p.setBackendCpu(cpu);
            p.start();
            MessageObject where = ask(p);
            assertArrayEquals(new int[] {cpu}, (int[]) where.get("cpus"));
            assertTrue(where.getString("thread").startsWith("ipc-loop-async-placed"), where.toString());
            p.stop();
            assertEquals(0, p.exitCode().orElseThrow());
        }
    }

    @Test
    void messagesKeepTheirOrderWithAPinnedBackend() {
        int[] all = Affinity.processCpus();
        int n = 10_000;
        try (Placed p = new Placed("ordered")) {
            p.setBackendCpu(all[all.length - 1]);
            p.start();
            for (long i = 0; i < n; i++) {
                p.sendMessageToBack(new MessageObject("seq", "n", i));
            }
            p.sendMessageToBack(new MessageObject("count"));
            MessageObject count = p.getPipe().recv(Duration.ofSeconds(30));
            assertNotNull(count, "no answer to count");
            assertEquals(n, count.getLong("received"), count.toString());
            assertEquals(0, count.getLong("outOfOrder"), count.toString());
            p.stop();
        }
    }

    @Test
    void aCpuTheBackendsOsRefusesFailsStartNamingIt() {
        int refused = 4096; // beyond this machine's CPUs (the assumption checks) and below Affinity.MAX_CPUS
        assumeTrue(!Arrays.stream(Affinity.processCpus()).anyMatch(c -> c == refused));
        try (Placed p = new Placed("refused")) {
            p.setBackendCpu(refused);
            IllegalStateException e = assertThrows(IllegalStateException.class, p::start);
            assertTrue(e.getMessage().contains("backend could not start"), e.getMessage());
            assertTrue(e.getMessage().contains("cpu=4096 allowed=" + Arrays.toString(Affinity.processCpus())),
                e.getMessage());
            assertFalse(p.isAlive());
        }
    }

    @Test
    void setBackendCpuIsForBeforeStartAndForCpusOnly() {
        try (Placed p = new Placed("setter")) {
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> p.setBackendCpu(-1));
            assertTrue(negative.getMessage().contains("cpu=-1"), negative.getMessage());
            p.start();
            IllegalStateException late = assertThrows(IllegalStateException.class, () -> p.setBackendCpu(0));
            assertTrue(late.getMessage().contains("setBackendCpu"), late.getMessage());
            p.stop();
        }
    }

    // ------------------------------------------------------------------ helpers

    /** One thread of a process as the kernel sees it. */
    record Task(int tid, String comm, BitSet cpus) {
    }

    /** The backend's threads; ones that end while they are read are left out. */
    static Map<Integer, Task> tasksOf(long pid) throws IOException {
        Map<Integer, Task> tasks = new TreeMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path dir : entries.toList()) {
                try {
                    int tid = Integer.parseInt(dir.getFileName().toString());
                    String comm = Files.readString(dir.resolve("comm")).strip();
                    tasks.put(tid, new Task(tid, comm, CpuLists.allowed(dir.resolve("status"))));
                } catch (NoSuchFileException ended) {
                    // the thread ended since the listing
                }
            }
        }
        return tasks;
    }

    private static MessageObject ask(MessageProcess p) {
        p.sendMessageToBack(new MessageObject("where"));
        MessageObject where = p.getPipe().recv(Duration.ofSeconds(30));
        assertNotNull(where, "no answer to where");
        assertEquals("where", where.command(), where.toString());
        return where;
    }

    /** The calling thread's kernel tid, from {@code /proc/thread-self -> <pid>/task/<tid>}. */
    static int loopTid() throws IOException {
        Path self = Files.readSymbolicLink(Path.of("/proc/thread-self"));
        return Integer.parseInt(self.getFileName().toString());
    }


    private static BitSet bits(int... cpus) {
        BitSet set = new BitSet();
        for (int c : cpus) {
            set.set(c);
        }
        return set;
    }

    interface Body {
        void run() throws Exception;
    }

    /** Runs body on a platform thread of its own, so a pin it sets ends with it. */
    private static void onOwnThread(Body body) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofPlatform().name("backend-cpu-test").start(() -> {
            try {
                body.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        try {
            done.get(100, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw (Error) e.getCause();
        }
    }
}
