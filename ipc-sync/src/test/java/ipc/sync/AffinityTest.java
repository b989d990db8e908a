package ipc.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ipc.sync.testing.CpuLists;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Every pin happens on a dedicated platform thread, so the test runner's threads keep their masks. */
class AffinityTest {

    @Test
    void cpusOfAnUnpinnedThreadAreWhatTheKernelSays() throws Exception {
        onOwnThread(() -> {
            assertTrue(Affinity.isAvailable(), Affinity.status());
            int[] cpus = Affinity.cpus();
            assertArrayEquals(toArray(CpuLists.allowed(Path.of("/proc/thread-self/status"))), cpus);
            assertTrue(cpus.length >= 1);
            for (int i = 1; i < cpus.length; i++) {
                assertTrue(cpus[i - 1] < cpus[i], "sorted, no duplicates: " + java.util.Arrays.toString(cpus));
            }
            assertArrayEquals(cpus, Affinity.processCpus(), "nobody pinned: the thread's set is the process's");
        });
    }

    @Test
    void pinRestrictsTheCallingThreadToThatCpu() throws Exception {
        int[] all = Affinity.processCpus();
        int cpu = all[all.length - 1];
        onOwnThread(() -> {
            Affinity.pin(cpu);
            assertArrayEquals(new int[] {cpu}, Affinity.cpus());
            assertArrayEquals(new int[] {cpu}, toArray(CpuLists.allowed(Path.of("/proc/thread-self/status"))),
                "the kernel's view agrees");
            for (int i = 0; i < 1000; i++) {
                int now = CurrentCpu.id();
                assertEquals(cpu, now, "a pinned thread runs on its CPU");
            }
            Affinity.unpin();
            assertArrayEquals(all, Affinity.cpus(), "unpin restores the process's CPUs");
        });
    }

    @Test
    void pinOfOneThreadLeavesTheOthersAlone() throws Exception {
        int[] all = Affinity.processCpus();
        CountDownLatch pinned = new CountDownLatch(1);
        CountDownLatch checked = new CountDownLatch(1);
        Thread other = Thread.ofPlatform().name("affinity-test-other").start(() -> {
            try {
                pinned.await();
                assertArrayEquals(all, Affinity.cpus());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                checked.countDown();
            }
        });
        onOwnThread(() -> {
            Affinity.pin(all[0]);
            pinned.countDown();
            assertTrue(checked.await(10, TimeUnit.SECONDS));
            assertArrayEquals(all, Affinity.processCpus(), "a pinned thread does not shrink the process's set");
        });
        other.join();
        assertArrayEquals(all, Affinity.cpus(), "the test runner's thread is untouched");
    }

    @Test
    void aThreadStartedByAPinnedThreadInheritsItsPin() throws Exception {
        int cpu = Affinity.processCpus()[0];
        onOwnThread(() -> {
            Affinity.pin(cpu);
            int[][] childCpus = new int[1][];
            Thread child = Thread.ofPlatform().start(() -> childCpus[0] = Affinity.cpus());
            child.join();
            assertArrayEquals(new int[] {cpu}, childCpus[0], "the kernel copies the creator's mask (documented)");
        });
    }

    @Test
    void aCpuTheOsRefusesIsAnIllegalArgumentNamingItAndTheAllowedSet() throws Exception {
        int nproc = Runtime.getRuntime().availableProcessors();
        int[] all = Affinity.processCpus();
        String allowed = java.util.Arrays.toString(all);
        onOwnThread(() -> {
            for (int cpu : new int[] {-1, all[all.length - 1] + 1, nproc, 4096, Affinity.MAX_CPUS, Integer.MAX_VALUE}) {
                if (cpu >= 0 && cpu < Affinity.MAX_CPUS && CpuLists.online().get(cpu)) {
                    continue; // a machine where that one exists (but is not ours): not a refusal to test
                }
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Affinity.pin(cpu));
                assertTrue(e.getMessage().contains("cpu=" + cpu + " allowed=" + allowed), e.getMessage());
                assertArrayEquals(all, Affinity.cpus(), "a refused pin leaves the mask as it was: cpu=" + cpu);
            }
            assertThrows(IllegalArgumentException.class, () -> Affinity.set(new int[0]));
            assertThrows(IllegalArgumentException.class, () -> Affinity.set(new int[] {4096}));
        });
    }

    @Test
    void setAcceptsSeveralCpus() throws Exception {
        int[] all = Affinity.processCpus();
        onOwnThread(() -> {
            Affinity.set(all);
            assertArrayEquals(all, Affinity.cpus());
            Affinity.set(new int[] {all[0], 4096}); // the kernel keeps what it can use
            assertArrayEquals(new int[] {all[0]}, Affinity.cpus());
        });
    }

    // ------------------------------------------------------------------ helpers

    interface Body {
        void run() throws Exception;
    }

    /** Runs body on a fresh platform thread that ends with it, so a pin it sets dies with it. */
    static void onOwnThread(Body body) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofPlatform().name("affinity-test").start(() -> {
            try {
                body.run();
                done.complete(null);
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        });
        try {
            done.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw (Error) e.getCause();
        }
    }


    static int[] toArray(BitSet cpus) {
        return cpus.stream().toArray();
    }
}
