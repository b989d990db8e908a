package ipc.sync;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ipc.sync.testing.CpuLists;
import java.io.IOException;
import java.nio.file.Path;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

class CurrentCpuTest {

    @Test
    void answersWithACpuThisProcessMayRunOn() throws IOException {
        assertTrue(CurrentCpu.isAvailable(), "sched_getcpu is in every glibc this library runs on (Linux)");
        BitSet allowed = CpuLists.allowed(Path.of("/proc/self/status"));
        for (int i = 0; i < 1_000; i++) {
            int cpu = CurrentCpu.id();
            assertTrue(cpu >= 0 && allowed.get(cpu), "cpu=" + cpu + " allowed=" + allowed);
        }
    }

    @Test
    void otherThreadsGetTheirOwnAnswer() throws Exception {
        int[] seen = new int[4];
        Thread[] threads = new Thread[seen.length];
        for (int t = 0; t < threads.length; t++) {
            int slot = t;
            threads[t] = Thread.ofPlatform().start(() -> seen[slot] = CurrentCpu.id());
        }
        for (Thread t : threads) {
            t.join();
        }
        BitSet allowed = CpuLists.allowed(Path.of("/proc/self/status"));
        for (int cpu : seen) {
            assertTrue(cpu >= 0 && allowed.get(cpu), "cpu=" + cpu + " allowed=" + allowed);
        }
    }

}
