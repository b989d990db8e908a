package ipc.core.tutorial;

import ipc.core.MainContext;
import ipc.core.MessageObject;
import ipc.core.Pipe;
import ipc.core.Select;
import ipc.core.SharedMemory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed tutorial's main1: a MainContext with 5 worker processes, each with its own shared
 * array, multiplexed with safeSelect, run with runAsThread and stopped with stopThread.
 */
@Timeout(120)
class MainContextTutorialTest {

    /** Does "work" on its shared array: fills it with a value the frontend chose, then says ready. */
    static final class WorkerProcess extends SharedArrayProcess {
        private final transient SharedMemory shmem;   // frontend side: created here; backend side: arrayBack

        WorkerProcess(String name) {
            super(name, "shm-" + name + "-" + ProcessHandle.current().pid());
            this.shmem = SharedMemory.create(shmemName, 100 * 100 * Double.BYTES);
        }

        void c__doWork(double value) {
            logger.info("c__doWork: will change array values from {} to {}",
                arrayBack.getAtIndex(ValueLayout.JAVA_DOUBLE, 0), value);
            for (long i = 0; i < 100 * 100; i++) {
                arrayBack.setAtIndex(ValueLayout.JAVA_DOUBLE, i, value);
            }
            logger.info("c__doWork: ..did that!");
            send_out__(new MessageObject("ready", "value", value));
        }

        void doWork(double value) {
            sendMessageToBack(new MessageObject("doWork", "value", value));
        }

        double[] firstValues() {
            double[] v = new double[5];
            for (int i = 0; i < v.length; i++) {
                v[i] = shmem.segment().getAtIndex(ValueLayout.JAVA_DOUBLE, i);
            }
            return v;
        }

        @Override
        public void close() {
            super.close();
            shmem.close();
        }
    }

    /** The seed's Manager: hands work to idle workers and checks their arrays when they answer. */
    static final class Manager extends MainContext {
        private final int nWorkers;
        private final Duration timeout = Duration.ofMillis(200);
        private final List<WorkerProcess> cache = new ArrayList<>();
        private final ArrayDeque<WorkerProcess> availCache = new ArrayDeque<>();
        private final Map<Pipe, WorkerProcess> processByPipe = new HashMap<>();
        private final List<Pipe> readPipes = new ArrayList<>();
        final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        volatile int answers;
        volatile boolean closed;
        private double nextValue = 1.0;

        Manager(int nWorkers) {
            this.nWorkers = nWorkers;
        }

        @Override
        protected void startProcesses() {
            for (int i = 0; i < nWorkers; i++) {
                WorkerProcess p = new WorkerProcess("worker-" + i);
                p.ignoreSIGINT();
                cache.add(p);
                availCache.add(p);
                processByPipe.put(p.getPipe(), p);
                readPipes.add(p.getPipe());
            }
            logger.info("startProcesses: starting multiprocesses");
            for (WorkerProcess p : cache) {
                p.start();
            }
            logger.info("startProcesses: all multiprocesses running");
        }

        @Override
        protected void startThreads() {
            // no threads in this app
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            for (WorkerProcess p : cache) {
                p.requestStop();
            }
            for (WorkerProcess p : cache) {
                p.waitStop();
                p.close();
            }
            closed = true;
        }

        @Override
        public void call() {
            start();
            for (int i = 0; i < 3; i++) {
                giveWork(availCache.poll());
            }
            while (!Thread.currentThread().isInterrupted()) {
                List<Pipe> reads = Select.safeSelect(readPipes, timeout);
                if (reads.isEmpty()) {
                    logger.debug("still alive");
                    continue;
                }
                for (Pipe pipe : reads) {
                    WorkerProcess p = processByPipe.get(pipe);
                    MessageObject msg = pipe.recv();
                    if (msg == null) {
                        problems.add("worker ended unexpectedly: " + p + " exit=" + p.exitCode());
                        readPipes.remove(pipe);
                        continue;
                    }
                    handleMessage(p, msg);
                }
            }
            close();
        }

        private void giveWork(WorkerProcess p) {
            p.doWork(nextValue++);
        }

        private void handleMessage(WorkerProcess p, MessageObject msg) {
            double value = msg.getDouble("value");
            double[] vals = p.firstValues();
            logger.info("handleMessage : subprocess {} returned {} with values {}", p, msg.command(), vals[0]);
            for (double v : vals) {
                if (v != value) {
                    problems.add(p + " array holds " + v + " but reported " + value);
                }
            }
            answers++;
            availCache.add(p);
            giveWork(availCache.poll());
        }
    }

    @Test
    void main1() throws Exception {
        int before = childCount();
        Manager manager = new Manager(5);
        manager.runAsThread();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (manager.answers < 20 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        manager.stopThread();
        assertTrue(manager.answers >= 20, "workers answered: " + manager.answers);
        assertTrue(manager.problems.isEmpty(), manager.problems.toString());
        assertTrue(manager.closed);
        assertEquals(before, childCount(), "no backend process remains");
        for (int i = 0; i < 5; i++) {
            assertFalse(SharedMemoryTestSupport.exists("shm-worker-" + i + "-" + ProcessHandle.current().pid()));
        }
        assertTrue(leftoverChannels().isEmpty(), "no channel directory remains: " + leftoverChannels());
    }

    private static int childCount() {
        return (int) ProcessHandle.current().children().filter(ProcessHandle::isAlive).count();
    }

    /** Channel directories of this JVM still on disk. */
    static List<Path> leftoverChannels() throws Exception {
        Path root = ipc.sync.ShmDirectory.root();
        String mine = "-" + ProcessHandle.current().pid() + "-";
        try (Stream<Path> entries = Files.list(root)) {
            return entries.filter(e -> e.getFileName().toString().startsWith("ch" + mine)).toList();
        }
    }
}
