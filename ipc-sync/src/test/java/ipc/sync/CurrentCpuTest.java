package ipc.sync;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

class CurrentCpuTest {

    @Test
    void answersWithACpuThisProcessMayRunOn() throws IOException {
        assertTrue(CurrentCpu.isAvailable(), "sched_getcpu is in every glibc this library runs on (Linux)");
        BitSet allowed = allowedCpus();
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
        BitSet allowed = allowedCpus();
        for (int cpu : seen) {
            assertTrue(cpu >= 0 && allowed.get(cpu), "cpu=" + cpu + " allowed=" + allowed);
        }
    }

    /** Cpus_allowed_list of /proc/self/status, e.g. "0-1" or "0,2-3". */
    private static BitSet allowedCpus() throws IOException {
        String list = Files.readAllLines(Path.of("/proc/self/status")).stream()
            .filter(l -> l.startsWith("Cpus_allowed_list:"))
            .findFirst().orElseThrow().substring("Cpus_allowed_list:".length()).strip();
        BitSet cpus = new BitSet();
        for (String range : list.split(",")) {
            String[] ends = range.split("-");
            int from = Integer.parseInt(ends[0]);
            int to = ends.length == 1 ? from : Integer.parseInt(ends[1]);
            cpus.set(from, to + 1);
        }
        return cpus;
    }
}
