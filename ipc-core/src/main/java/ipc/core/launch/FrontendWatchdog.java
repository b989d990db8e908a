package ipc.core.launch;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a backend exit when its frontend dies, even by SIGKILL, which gives the frontend no
 * chance to stop it.
 *
 * <p>A daemon thread blocks in {@code poll(2)} on a pidfd of the frontend ({@link ProcessExitWait}):
 * it wakes once, when the frontend exits, and never while messages flow, so it takes no slice of
 * the hot path's CPUs. Where pidfds are missing it checks the frontend every {@link #PERIOD}
 * instead: {@code ProcessHandle.of(pid)} records the process's start time, and {@code isAlive()}
 * compares it, so a pid the kernel recycles for another process does not count as the frontend.
 * Not {@code onExit()}: for a process that is not our child the JDK polls with sleeps that start
 * at 300 ms and grow toward 5 s. Not {@code prctl(PR_SET_PDEATHSIG)}: it fires when the
 * <em>thread</em> that forked the backend ends, and a JVM's threads come and go.
 *
 * <p>Last words: a backend's stdout and stderr are pipes its frontend reads
 * ({@link OutputForwarder}); once the frontend is dead nobody reads them, and what the backend
 * writes there is lost (silently: the JVM ignores SIGPIPE, and a PrintStream keeps the EPIPE to
 * itself). So that the "frontend gone" warning and whatever shutdown hooks print still reach the
 * terminal or file the frontend printed to, {@link #exitWhenGone} opens the frontend's own stdout
 * and stderr at the start ({@code /proc/<frontend pid>/fd/1} and {@code /2}, while it lives) and,
 * when it is gone, makes them this JVM's System.out and System.err before logging.
 */
public final class FrontendWatchdog {

    private static final Logger LOG = LoggerFactory.getLogger(FrontendWatchdog.class);

    /**
     * The polling fallback's period (no pidfds): 200 ms: a death is seen within 200 ms, which leaves 800 ms of the one-second budget for the
     * exit; each check reads one /proc entry (microseconds), so 5 checks a second cost far below
     * 1 % of a core in an idle backend.
     */
    public static final Duration PERIOD = Duration.ofMillis(200);

    /**
     * 500 ms for shutdown hooks before {@link #exitWhenGone} halts: together with {@link #PERIOD}
     * the backend is gone within 700 ms plus the time the JVM takes to halt.
     */
    static final Duration EXIT_GRACE = Duration.ofMillis(500);

    /**
     * The backend's exit status when its frontend died: distinct from 0 (clean stop), 1 (uncaught
     * exception in main), BackendMain's 2, 3 and 4 (start failed, run failed, no INIT) and 128+n
     * (killed by signal n), so a log or a shell tells why it ended.
     */
    public static final int EXIT_FRONTEND_GONE = 5;

    private FrontendWatchdog() {
    }

    /** A running watch: {@link #stop} ends it without calling its callback. */
    public static final class Watch {
        private final Thread thread;
        private final ProcessExitWait exit;

        private Watch(Thread thread, ProcessExitWait exit) {
            this.thread = thread;
            this.exit = exit;
        }

        /** Stops watching; the callback does not run unless it already has. Idempotent. */
        public void stop() {
            if (exit != null) {
                exit.cancel();
            }
            thread.interrupt();
        }

        /** The watching thread (it ends after the callback or a stop). */
        public Thread thread() {
            return thread;
        }

        /** True when the watch blocks on a pidfd, false when it polls every period. */
        public boolean blocking() {
            return exit != null;
        }
    }

    /**
     * Starts a daemon thread that runs onGone once, on that thread, when the frontend is no longer
     * alive (at once if it is already gone), then ends. {@code period} applies only where pidfds
     * are missing (the polling fallback).
     */
    public static Watch start(long frontendPid, Duration period, Runnable onGone) {
        ProcessExitWait exit = ProcessExitWait.open(frontendPid);
        Runnable watch = exit != null ? () -> {
            if (exit.await() == ProcessExitWait.EXITED) {
                onGone.run();
            }
        } : polling(frontendPid, period, onGone);
        Thread thread = new Thread(null, watch, "ipc-frontend-watchdog-" + frontendPid, WATCH_STACK_BYTES);
        thread.setDaemon(true);
        thread.start();
        return new Watch(thread, exit);
    }

    /** The watch thread's stack: it runs one poll, or a loop of sleeps, then the exit path's logging. */
    private static final long WATCH_STACK_BYTES = 256 * 1024;

    private static Runnable polling(long frontendPid, Duration period, Runnable onGone) {
        Optional<ProcessHandle> frontend = ProcessHandle.of(frontendPid);
        // When the frontend is our parent (it spawned us), its death re-parents us at once, even
        // while it is a zombie that nobody has reaped yet and isAlive() still says true.
        boolean frontendIsParent = parentPid() == frontendPid;
        long periodNanos = period.toNanos();
        return () -> {
            try {
                while (frontend.isPresent() && frontend.get().isAlive()
                       && (!frontendIsParent || parentPid() == frontendPid)) {
                    TimeUnit.NANOSECONDS.sleep(periodNanos);
                }
            } catch (InterruptedException e) {
                return;
            }
            onGone.run();
        };
    }

    /**
     * The frontend's file descriptor {@code fd} opened for appending, when this JVM's own
     * {@code fd} is something else (a pipe to the frontend) and the frontend is our parent (it
     * reads that pipe); null otherwise, or when it cannot be opened (a socket cannot be reopened
     * through /proc).
     */
    private static PrintStream frontendStream(long frontendPid, int fd) {
        if (parentPid() != frontendPid) {
            return null;
        }
        Path theirs = Path.of("/proc", Long.toString(frontendPid), "fd", Integer.toString(fd));
        try {
            if (Files.readSymbolicLink(theirs).equals(Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(fd))))) {
                return null; // inherited: our own stream is the frontend's already
            }
            return new PrintStream(new FileOutputStream(theirs.toFile(), true), true);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    private static long parentPid() {
        return ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
    }

    /**
     * Watches the frontend; when it is gone, logs a warning and exits the
     * JVM with {@link #EXIT_FRONTEND_GONE}, halting after {@link #EXIT_GRACE} if shutdown hooks
     * have not finished by then.
     */
    public static Watch exitWhenGone(long frontendPid) {
        PrintStream frontendOut = frontendStream(frontendPid, 1);
        PrintStream frontendErr = frontendStream(frontendPid, 2);
        return start(frontendPid, PERIOD, () -> {
            if (frontendOut != null) {
                System.setOut(frontendOut);
            }
            if (frontendErr != null) {
                System.setErr(frontendErr);
            }
            LOG.warn("frontend gone, backend exits: frontendPid={} exitCode={}", frontendPid, EXIT_FRONTEND_GONE);
            Thread halter = new Thread(() -> {
                try {
                    Thread.sleep(EXIT_GRACE);
                } catch (InterruptedException e) {
                    // halt anyway: the JVM is exiting
                }
                Runtime.getRuntime().halt(EXIT_FRONTEND_GONE);
            }, "ipc-frontend-watchdog-halt");
            halter.setDaemon(true);
            halter.start();
            System.exit(EXIT_FRONTEND_GONE);
        });
    }
}
