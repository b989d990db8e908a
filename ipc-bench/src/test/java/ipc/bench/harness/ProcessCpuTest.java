package ipc.bench.harness;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProcessCpuTest {

    @Test
    void countsABusyLoopAndNotASleep() throws Exception {
        long pid = ProcessHandle.current().pid();
        Duration before = ProcessCpu.cpuTime(pid);
        long end = System.nanoTime() + 300_000_000L;
        long spins = 0;
        while (System.nanoTime() < end) {
            spins++;
        }
        Duration busy = ProcessCpu.cpuTime(pid).minus(before);
        // 300 ms of spinning on a shared 2-core machine gets at least a third of a core.
        assertTrue(busy.toMillis() >= 100, "busy=" + busy + " spins=" + spins);

        Process sleeper = new ProcessBuilder("sleep", "1").start();
        Thread.sleep(500);
        Duration idle = ProcessCpu.cpuTime(sleeper.pid());
        sleeper.destroy();
        sleeper.waitFor();
        assertTrue(idle.toMillis() <= 20, "a sleeping process used idle=" + idle);
    }
}
