package ipc.bench.library;

import ipc.bench.harness.PeerProcess;
import ipc.bench.harness.ProcessCpu;
import ipc.bench.harness.ResultWriter;
import ipc.core.MessageProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An idle backend's CPU use (design.md: under 1 % of one core), a report Driver rather than a JMH
 * benchmark: JMH times operations, this is CPU time over a wall-clock window. A backend with
 * nothing to do is started and left to settle for {@link #SETTLE} at least (longer when the
 * suite's warm-up is), then its user plus system time is read from {@code /proc}
 * ({@link ProcessCpu}) before and after a window of {@link #WINDOW} at least. Score: CPU time /
 * window, in % of one core. Everything the backend JVM
 * runs counts: the loop parked on its doorbell, the frontend watchdog, Chronicle's and the JVM's
 * own threads.
 */
public final class IdleBackend {

    /** The result's name: {@code IdleBackend.cpu} in the report. */
    public static final String BENCHMARK = IdleBackend.class.getName() + ".cpu";
    /**
     * Settling time after start: measured per thread here, the backend's JIT compiler threads
     * still use ~1 % of a core 3-8 s after a start on a loaded machine and next to nothing after
     * 10 s; the target is about a backend that has been idle, not about its start.
     */
    static final Duration SETTLE = Duration.ofSeconds(10);
    /** Shortest window: /proc counts 10 ms ticks, so 10 s resolve 0.1 % of a core. */
    static final Duration WINDOW = Duration.ofSeconds(10);

    /** A backend with no handlers of its own: what every MessageProcess runs between messages. */
    public static final class IdleProcess extends MessageProcess {
        public IdleProcess(String name) {
            super(name);
            setJvmOptions(PeerProcess.PEER_HEAP);
        }
    }

    private IdleBackend() {
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** Driver step: settle for {@code warmup}, measure over {@code measurement}, write the score to {@code resultFile}. */
    public static void run(Duration warmup, Duration measurement, Path resultFile) throws IOException, InterruptedException {
        try (IdleProcess process = new IdleProcess("idle")) {
            process.start();
            long pid = process.pid().orElseThrow();
            Thread.sleep(max(warmup, SETTLE));
            Duration cpuBefore = ProcessCpu.cpuTime(pid);
            long start = System.nanoTime();
            Thread.sleep(max(measurement, WINDOW));
            Duration cpuAfter = ProcessCpu.cpuTime(pid);
            long window = System.nanoTime() - start;
            if (!process.isAlive()) {
                throw new IllegalStateException("idle backend exited during the measurement: exitCode=" + process.exitCode());
            }
            double cpuMillis = cpuAfter.minus(cpuBefore).toNanos() / 1e6;
            double percent = 100.0 * cpuAfter.minus(cpuBefore).toNanos() / window;
            System.out.printf("IdleBackend: %.0f ms CPU in %.2f s = %.2f %% of one core (pid %d)%n",
                    cpuMillis, window / 1e9, percent, pid);
            ResultWriter.write(resultFile, List.of(ResultWriter.score(BENCHMARK, "ss", percent, "%",
                    Map.of("cpu.ms", cpuMillis, "window.s", window / 1e9))));
            process.stop();
        }
    }
}
