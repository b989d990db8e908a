package ipc.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.time.Duration;

/**
 * Organises a program of many processes: the seed's {@code MainContext}. Subclasses create and
 * start their {@link MessageProcess}es in {@link #startProcesses()}, their threads in
 * {@link #startThreads()}, stop everything in {@link #close()}, and run the main loop in
 * {@link #call()}.
 *
 * <p>Start order, and how it differs from the seed: the seed's {@code super().__init__()}, called
 * last in the subclass's constructor, runs startProcesses then startThreads (processes fork
 * before threads exist). A Java superclass constructor runs first, before the subclass's fields
 * are set, so here that step is {@link #start()}: it runs startProcesses then startThreads once,
 * and {@link #call()} (the default one) and {@link #runAsThread()} call it first. An override of
 * {@code call()} begins with {@code start()} (idempotent), as the ported tutorial does.
 *
 * <p>Ctrl-C: from {@code start()} on, SIGINT to this JVM interrupts the thread that runs
 * {@code call()} instead of ending the JVM, so the loop ends (a {@link Select#safeSelect} returns
 * empty and the interrupt status tells the loop to stop) and {@code close()} stops every process
 * cleanly. A second SIGINT while closing exits at once (status 130). Backends that called
 * {@link MessageProcess#ignoreSIGINT()} ignore the terminal's SIGINT and are stopped by close().
 */
public abstract class MainContext implements AutoCloseable {
    /** The default {@link #call()} logs "alive" this often: the seed's one-second select timeout. */
    static final Duration ALIVE_PERIOD = Duration.ofSeconds(1);

    /** Exit status after a second Ctrl-C: 128 + SIGINT, what a shell reports for a SIGINT death. */
    static final int EXIT_ON_SECOND_SIGINT = 130;

    protected final Logger logger = LoggerFactory.getLogger(getClass().getSimpleName());

    private final Object lock = new Object();
    private boolean started;
    private volatile Thread loopThread;
    private volatile boolean interruptedBySigint;

    protected MainContext() {
    }

    /**
     * Creates and starts the processes (mandatory). Runs once, before {@link #startThreads()}.
     * Several processes start faster with {@link MessageProcess#startAll} than with one
     * {@code start()} after another: their backend JVMs then boot side by side.
     */
    protected abstract void startProcesses();

    /** Creates and starts the threads, if any (mandatory). Runs once, after the processes. */
    protected abstract void startThreads();

    /** Stops every process and thread (mandatory). Keep it idempotent: stopThread calls it too. */
    @Override
    public abstract void close();

    /**
     * Runs {@link #startProcesses()} then {@link #startThreads()}, once; later calls do nothing.
     * Also routes SIGINT to the thread that called it (or the {@link #runAsThread()} thread).
     */
    public void start() {
        synchronized (lock) {
            if (started) {
                return;
            }
            started = true;
            if (loopThread == null) {
                loopThread = Thread.currentThread();
            }
            installSigintHandler();
            startProcesses();
            startThreads();
        }
    }

    /**
     * The main loop (the seed's {@code __call__}). The default starts, logs "alive" every second
     * until the thread is interrupted (Ctrl-C, {@link #stopThread()}), then closes.
     */
    public void call() {
        start();
        try {
            while (!Thread.currentThread().isInterrupted()) {
                logger.info("alive");
                Thread.sleep(ALIVE_PERIOD);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
        }
    }

    /** Starts, then runs {@link #call()} in a new thread, for tests and embedding. */
    public Thread runAsThread() {
        Thread t;
        synchronized (lock) {
            if (loopThread != null && loopThread.isAlive() && loopThread != Thread.currentThread()) {
                throw new IllegalStateException("already running in thread " + loopThread.getName());
            }
            t = Thread.ofPlatform().name(getClass().getSimpleName() + "-main").unstarted(this::call);
            loopThread = t;
        }
        start();
        t.start();
        return t;
    }

    /** Interrupts the thread that runs {@link #call()}, joins it, then calls {@link #close()}. */
    public void stopThread() {
        Thread t = loopThread;
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        close();
    }

    /** True when the loop thread was interrupted by a SIGINT (Ctrl-C). */
    public boolean interruptedBySigint() {
        return interruptedBySigint;
    }

    /** The seed's {@code formatLogger}: see {@link MessageProcess#formatLogger(Level)}. */
    public static void formatLogger(Level level) {
        LogFormat.apply(level);
    }

    private void installSigintHandler() {
        try {
            Signal.handle(new Signal("INT"), new SignalHandler() {
                private volatile boolean once;

                @Override
                public void handle(Signal signal) {
                    Thread t = loopThread;
                    if (once || t == null || !t.isAlive()) {
                        System.exit(EXIT_ON_SECOND_SIGINT); // shutdown hooks still remove our files
                    }
                    once = true;
                    interruptedBySigint = true;
                    logger.warn("SIGINT: stopping the main loop and closing");
                    t.interrupt();
                }
            });
        } catch (IllegalArgumentException unavailable) {
            logger.warn("cannot route SIGINT on this JVM (-Xrs?): {}", unavailable.getMessage());
        }
    }
}
