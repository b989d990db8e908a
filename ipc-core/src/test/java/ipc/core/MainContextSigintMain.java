package ipc.core;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A small frontend program for {@code MainContextTest}'s real-SIGINT cases: a MainContext with
 * {@code workers} backends (each holding a SharedMemory it re-opens by fork semantics, each
 * ignoring SIGINT) running the default {@link MainContext#call()} loop. It prints one line
 * {@code STARTED pid=.. backends=.. shm=..} once its workers run, {@code CLOSED ...} from close,
 * and {@code CALL RETURNED ...} when call() is over.
 *
 * <p>Mode {@code clean}: close() stops and closes every worker. Mode {@code hang}: close() prints
 * {@code CLOSING} and then never finishes (ignoring interrupts), so only a second SIGINT ends
 * the JVM.
 */
public final class MainContextSigintMain {
    private MainContextSigintMain() {
    }

    static final class Worker extends MessageProcess {
        private final SharedMemory shared; // re-opened by name in the backend

        Worker(String name, SharedMemory shared) {
            super(name);
            this.shared = shared;
        }

        @Override
        protected void preRun__() {
            shared.segment().set(ValueLayout.JAVA_LONG, 0, ProcessHandle.current().pid());
        }
    }

    static final class Context extends MainContext {
        private final boolean hang;
        private final int nWorkers;
        private final List<Worker> workers = new ArrayList<>();
        private final List<SharedMemory> memories = new ArrayList<>();
        private boolean closed;

        Context(boolean hang, int nWorkers) {
            this.hang = hang;
            this.nWorkers = nWorkers;
        }

        @Override
        protected void startProcesses() {
            long me = ProcessHandle.current().pid();
            for (int i = 0; i < nWorkers; i++) {
                SharedMemory shm = SharedMemory.create("sigint-" + me + "-" + i, 64);
                memories.add(shm);
                Worker w = new Worker("worker-" + i, shm);
                w.ignoreSIGINT();
                workers.add(w);
            }
            for (Worker w : workers) {
                w.start();
            }
        }

        @Override
        protected void startThreads() {
            System.out.println("STARTED pid=" + ProcessHandle.current().pid()
                + " backends=" + workers.stream().map(w -> String.valueOf(w.pid().getAsLong())).collect(Collectors.joining(","))
                + " shm=" + memories.stream().map(SharedMemory::name).collect(Collectors.joining(",")));
            System.out.flush();
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            if (hang) {
                System.out.println("CLOSING interrupted=" + Thread.currentThread().isInterrupted());
                System.out.flush();
                while (true) {
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException ignored) {
                        // a close that will not finish: only a second Ctrl-C gets out
                    }
                }
            }
            boolean interrupted = Thread.currentThread().isInterrupted();
            for (Worker w : workers) {
                w.requestStop();
            }
            StringBuilder exits = new StringBuilder();
            for (Worker w : workers) {
                w.close();
                exits.append(w.getName()).append('=').append(w.exitCode().orElse(-1)).append(' ');
            }
            memories.forEach(SharedMemory::close);
            closed = true;
            System.out.println("CLOSED interrupted=" + interrupted + " exits=" + exits.toString().trim());
            System.out.flush();
        }
    }

    public static void main(String[] args) {
        Context ctx = new Context(args[0].equals("hang"), Integer.parseInt(args[1]));
        ctx.call();
        System.out.println("CALL RETURNED interruptedBySigint=" + ctx.interruptedBySigint());
        System.out.flush();
    }
}
