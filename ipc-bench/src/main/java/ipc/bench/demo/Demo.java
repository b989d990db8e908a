package ipc.bench.demo;

import ipc.core.MainContext;
import ipc.core.MessageObject;
import ipc.core.MessageProcess;
import ipc.core.Pipe;
import ipc.core.RemoteException;
import ipc.core.Select;
import ipc.core.SharedMemory;
import ipc.sync.EventGroup;
import ipc.sync.ShmDirectory;
import ipc.sync.SyncIndex;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.slf4j.event.Level;

/**
 * The README's first command ({@code mvn -B -q -Pdemo -pl ipc-bench -am verify -DskipTests}): a
 * {@link MainContext} with {@value #WORKERS} worker backends ({@link DemoWorker}) that
 *
 * <ol>
 *   <li>answer jobs, the frontend multiplexing their pipes with {@link Select#safeSelect};</li>
 *   <li>each fill a third of a {@link SharedMemory} array and signal it through an
 *       {@link EventGroup} event that the frontend waits on with a {@link SyncIndex};</li>
 *   <li>echo {@value #ROUND_TRIPS} messages for a round-trip latency summary (HdrHistogram).</li>
 * </ol>
 * Then it closes everything and checks that no backend process and no file of this JVM is left
 * under {@code /dev/shm} (the frontend's select bell goes with a shutdown hook at exit).
 *
 * <p>Run it directly with {@code java @ipc-core/jvm.options -cp <class path> ipc.bench.demo.Demo}.
 */
public final class Demo extends MainContext {

    static final int WORKERS = 3;
    /** Jobs handed out in step 1: three per worker. */
    static final int JOBS = 9;
    /** Round trips the latency summary is made of. */
    static final int ROUND_TRIPS = 10_000;
    /** The latency step's warm-up ends after this at the latest ({@link LatencyStep}): on a loaded machine the demo must still end within a minute. */
    static final Duration WARM_UP_AT_MOST = Duration.ofSeconds(8);
    /** How long a step may wait for a backend: far beyond its milliseconds, it only turns a hang into an error. */
    static final Duration STEP_TIMEOUT = Duration.ofSeconds(20);

    private final long pid = ProcessHandle.current().pid();
    private final int roundTrips;
    private final Duration warmUpAtMost;
    private final List<DemoWorker> workers = new ArrayList<>();
    private EventGroup events;
    private SharedMemory array;
    private boolean closed;

    public static void main(String[] args) throws IOException {
        // Before any logger exists: "name - LEVEL - message", warnings only, except the workers' own
        // lines, which show what each backend does (backends inherit these settings).
        MessageProcess.formatLogger(Level.WARN);
        System.setProperty("org.slf4j.simpleLogger.log." + DemoWorker.class.getSimpleName(), "info");
        long start = System.nanoTime();
        Demo demo = new Demo(ROUND_TRIPS, WARM_UP_AT_MOST);
        demo.call();
        System.out.printf("%ndone in %.1f s; %s%n", (System.nanoTime() - start) / 1e9, demo.leftBehind());
    }

    /** A demo whose latency step makes {@code roundTrips} after warming up for at most {@code warmUpAtMost}. */
    Demo(int roundTrips, Duration warmUpAtMost) {
        this.roundTrips = roundTrips;
        this.warmUpAtMost = warmUpAtMost;
    }

    @Override
    protected void startProcesses() {
        long t0 = System.nanoTime();
        System.out.printf("ipc demo: frontend pid %d, %d worker backends (separate JVMs) over /dev/shm%n", pid, WORKERS);
        events = new EventGroup(8);
        array = SharedMemory.create("demo-" + pid, (long) WORKERS * DemoWorker.SLICE * Double.BYTES);
        for (int i = 0; i < WORKERS; i++) {
            DemoWorker w = new DemoWorker(i, events, array);
            w.ignoreSIGINT(); // Ctrl-C goes to the frontend, whose close() stops the workers
            workers.add(w);
        }
        MessageProcess.startAll(workers); // the JVMs boot side by side, not one after another
        System.out.printf("[1/4] started %d workers in %.2f s:", WORKERS, (System.nanoTime() - t0) / 1e9);
        workers.forEach(w -> System.out.printf(" %s pid %d", w.getName(), w.pid().orElseThrow()));
        System.out.println();
    }

    @Override
    protected void startThreads() {
        // everything runs on the main loop
    }

    @Override
    public void call() {
        start();
        try {
            jobs();
            sharedArray();
            latency();
        } finally {
            close();
        }
    }

    /** Step 2: JOBS jobs, at most one per worker at a time, answers taken as they come with safeSelect. */
    private void jobs() {
        System.out.printf("[2/4] %d jobs, one per idle worker; answers multiplexed with Select.safeSelect; then typed calls%n", JOBS);
        Map<Pipe, DemoWorker> byPipe = new HashMap<>();
        workers.forEach(w -> byPipe.put(w.getPipe(), w));
        int handedOut = 0;
        int answered = 0;
        for (DemoWorker w : workers) {
            w.square(handedOut, 10L + handedOut);
            handedOut++;
        }
        while (answered < JOBS) {
            List<Pipe> ready = Select.safeSelect(byPipe.keySet(), STEP_TIMEOUT);
            if (ready.isEmpty()) {
                throw new IllegalStateException("no answer within " + STEP_TIMEOUT + ": answered=" + answered);
            }
            for (Pipe pipe : ready) {
                DemoWorker w = byPipe.get(pipe);
                MessageObject answer = pipe.recv();
                if (answer == null) {
                    throw new IllegalStateException(w.getName() + " ended: exitCode=" + w.exitCode());
                }
                answered++;
                System.out.printf("      %s answered job %d: %d^2 = %d%n", w.getName(), answer.getInt("job"),
                        answer.getLong("x"), answer.getLong("result"));
                if (handedOut < JOBS) {
                    w.square(handedOut, 10L + handedOut);
                    handedOut++;
                }
            }
        }
        // The same work as typed calls: each worker as an object; the answers travel beside the
        // pipes that safeSelect watched above, and never appear on them.
        StringBuilder typed = new StringBuilder();
        for (DemoWorker w : workers) {
            Squarer squarer = w.remote(Squarer.class, STEP_TIMEOUT);
            long x = 20L + w.slot();
            typed.append(typed.isEmpty() ? "" : ", ").append(w.getName()).append(".squareOf(").append(x).append(") = ")
                    .append(squarer.squareOf(x));
        }
        System.out.println("      typed calls, remote(Squarer.class): " + typed);
        try {
            workers.getFirst().remote(Squarer.class, STEP_TIMEOUT).squareOf(Long.MAX_VALUE);
            throw new IllegalStateException("squareOf(Long.MAX_VALUE) did not overflow");
        } catch (RemoteException e) {
            System.out.println("      a typed call that throws in the backend: RemoteException " + e.getMessage());
        }
    }

    /** Step 3: every worker fills its slice of the shared array; the frontend waits on one SyncIndex per worker. */
    private void sharedArray() {
        System.out.printf("[3/4] each worker fills %d doubles of a %d-double SharedMemory array, then sets an EventGroup event%n",
                DemoWorker.SLICE, WORKERS * DemoWorker.SLICE);
        long t0 = System.nanoTime();
        List<SyncIndex> syncs = new ArrayList<>();
        String whileWaiting;
        try {
            for (DemoWorker w : workers) {
                SyncIndex sync = new SyncIndex(events, STEP_TIMEOUT); // reserves an event of the group
                syncs.add(sync);
                w.fill(sync.index(), 1000.0 * (w.slot() + 1));
            }
            whileWaiting = events.toString();
        } finally {
            syncs.forEach(SyncIndex::close); // waits for each event to be set, then releases it
        }
        System.out.printf("      all %d events set after %.2f ms; the group while waiting %s, after release %s%n",
                WORKERS, (System.nanoTime() - t0) / 1e6, whileWaiting, events);
        MemorySegment doubles = array.segment();
        for (DemoWorker w : workers) {
            long from = (long) w.slot() * DemoWorker.SLICE;
            double sum = 0;
            for (int i = 0; i < DemoWorker.SLICE; i++) {
                sum += doubles.getAtIndex(ValueLayout.JAVA_DOUBLE, from + i);
            }
            double base = 1000.0 * (w.slot() + 1);
            double expected = DemoWorker.SLICE * base + DemoWorker.SLICE * (DemoWorker.SLICE - 1) / 2.0;
            if (sum != expected) {
                throw new IllegalStateException("slice of " + w.getName() + " reads wrong: sum=" + sum + " expected=" + expected);
            }
            System.out.printf("      frontend reads %s's slice [%d, %d): %.0f .. %.0f, sum %.0f as expected%n", w.getName(),
                    from, from + DemoWorker.SLICE, doubles.getAtIndex(ValueLayout.JAVA_DOUBLE, from),
                    doubles.getAtIndex(ValueLayout.JAVA_DOUBLE, from + DemoWorker.SLICE - 1), sum);
        }
    }

    /** Step 4: round trips to one worker, timed one by one ({@link LatencyStep}). */
    private void latency() {
        LatencyStep.run(workers.getFirst(), workers, roundTrips, warmUpAtMost);
        System.out.println("      (the benchmarks: mvn -B -Preport -pl ipc-bench -am verify -DskipTests)");
    }

    /** Stops every worker (each runs postRun__ and exits), then frees the array and the events. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        workers.forEach(MessageProcess::requestStop);
        StringBuilder exits = new StringBuilder();
        for (DemoWorker w : workers) {
            w.close();
            exits.append(' ').append(w.getName()).append('=').append(w.exitCode().isPresent() ? w.exitCode().getAsInt() : "?");
        }
        if (array != null) {
            array.close();
        }
        if (events != null) {
            events.close();
        }
        System.out.println("stopped: exit codes" + exits);
    }

    /** What of this run is still there: backend processes and files of this JVM under /dev/shm (the select bell aside). */
    String leftBehind() throws IOException {
        // Backends only: a first run also leaves the library's AOT cache training (ipc.core.AotTrainer)
        // running in the background, on purpose, until it has written the cache.
        long children = ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .filter(p -> p.info().arguments().map(args -> List.of(args).contains("ipc.core.BackendMain")).orElse(true))
                .count();
        List<String> files;
        try (Stream<java.nio.file.Path> entries = java.nio.file.Files.list(ShmDirectory.root())) {
            files = entries.map(p -> p.getFileName().toString())
                    .filter(name -> name.contains("-" + pid) && !name.startsWith("bell-"))
                    .toList();
        }
        return "left behind: " + children + " backend processes, " + (files.isEmpty() ? "no files" : "files " + files)
                + " in " + ShmDirectory.root() + " (the select bell is removed at exit)";
    }
}
