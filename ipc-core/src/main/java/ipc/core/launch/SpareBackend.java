package ipc.core.launch;


import ipc.sync.ShmDirectory;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pre-started spare backend ({@code -Dipc.spareBackend=true}, off by default): after a
 * {@code start()}, this JVM launches one more backend JVM with exactly the same command (java,
 * flags, forwarded properties, JVM options, AOT cache, class path) and the single argument
 * {@value BackendLauncher#SPARE_ARG}. The spare boots, initialises Chronicle and the native calls
 * (it creates, uses and deletes a scratch channel of its own, {@code spare-<its pid>-<n>} under
 * {@link ShmDirectory#root()}), then blocks reading one line from its stdin. The next
 * {@code start()} whose command is the same writes its channel directory on that line and closes
 * the pipe, and adopts the process as its backend: the spare then runs {@link ipc.core.BackendMain}'s
 * usual path on that channel (INIT, rebuild, READY), and its pid, exit code, output, signals and
 * process group are those of any backend (it is this JVM's child, started the same way).
 *
 * <p>A spare that is not used never outlives this JVM: end of file on its stdin (this JVM has
 * exited, however: the kernel closes the pipe) makes it exit 0 at once, and it watches its parent
 * as a backend watches its frontend ({@link FrontendWatchdog}); a shutdown hook of this JVM kills
 * it and removes its files. A start with another command kills the spare and leaves a new one
 * for the new command. A class path that needs an argfile (over
 * {@link BackendLauncher#MAX_INLINE_CLASSPATH_CHARS}) gets no spare.
 *
 * <p>Why off by default: the spare is a whole idle JVM (~80 MB resident) for as long as this JVM
 * lives, and one JVM start of CPU per {@code start()} spent ahead of time (the last one wasted);
 * an application that starts one long-lived backend gains nothing from it. An application that
 * starts backends one after another (workers, restarts) gets each start after the first in
 * about a tenth of the time (native-notes/jvm-flags.md, "Backend start").
 */
public final class SpareBackend {
    private static final Logger LOG = LoggerFactory.getLogger(SpareBackend.class);

    /** {@code -Dipc.spareBackend=true} turns the spare on. */
    public static final String PROPERTY = "ipc.spareBackend";

    /** How long the shutdown hook and {@link #stop()} wait for a killed spare to be gone. */
    private static final long KILL_WAIT_MILLIS = 2_000;

    /** A spare's output is forwarded from its spawn on (its warm-up may print), by the forwarder the start takes over. */
    private record Spare(List<String> key, BackendLauncher.Started started) {
        Process process() {
            return started.process();
        }
    }

    private static final Object LOCK = new Object();
    /** The spare, or null; guarded by LOCK. */
    private static Spare spare;
    /** A spare is being spawned; guarded by LOCK. */
    private static boolean spawning;
    private static boolean hookInstalled;

    private SpareBackend() {
    }

    static boolean enabled() {
        return Boolean.getBoolean(PROPERTY);
    }

    /**
     * The spare for exactly this command, handed {@code channelDirectory} and no longer a spare;
     * null when there is none (or it died), and the caller starts a backend as usual.
     */
    public static BackendLauncher.Started take(BackendLauncher launcher, Path channelDirectory) {
        return take(launcher, channelDirectory, false);
    }

    /**
     * {@link #take(BackendLauncher, Path)} for a start ({@code restart} false) or a supervised
     * restart of the backend of {@code channelDirectory} ({@link BackendLauncher#RESTART_ARG}).
     */
    public static BackendLauncher.Started take(BackendLauncher launcher, Path channelDirectory, boolean restart) {
        if (!enabled()) {
            return null;
        }
        Spare taken;
        synchronized (LOCK) {
            taken = spare;
            if (taken == null || !taken.key().equals(launcher.key())) {
                return null; // a spare of another command is replaced after this start
            }
            spare = null;
        }
        if (taken.process().isAlive()) {
            try (OutputStream in = taken.process().getOutputStream()) {
                String line = restart ? channelDirectory + "\t" + BackendLauncher.RESTART_ARG
                    : channelDirectory.toString();
                in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                return taken.started();
            } catch (IOException e) {
                LOG.debug("spare backend not usable: pid={} {}", taken.process().pid(), e.toString());
            }
        }
        kill(taken);
        return null;
    }

    /**
     * After a start with this command: unless a spare of this command lives or is being started,
     * kills a spare of another command and starts one for this one, on a daemon thread (the
     * caller does not wait for the spawn).
     */
    public static void prepare(BackendLauncher launcher) {
        if (!enabled() || launcher.needsClasspathArgfile()) {
            return;
        }
        List<String> key = launcher.key();
        Spare old;
        synchronized (LOCK) {
            if (spawning || spare != null && spare.key().equals(key) && spare.process().isAlive()) {
                return;
            }
            spawning = true;
            old = spare;
            spare = null;
            if (!hookInstalled) {
                Runtime.getRuntime().addShutdownHook(new Thread(SpareBackend::stop, "ipc-spare-backend-stop"));
                hookInstalled = true;
            }
        }
        Thread spawn = new Thread(() -> {
            Spare started = null;
            try {
                if (old != null) {
                    kill(old);
                }
                started = new Spare(key, launcher.startWithInput(List.of(BackendLauncher.SPARE_ARG), null));
                LOG.debug("spare backend started: pid={}", started.process().pid());
            } catch (RuntimeException e) {
                LOG.debug("cannot start a spare backend: {}", e.toString());
            } finally {
                synchronized (LOCK) {
                    spawning = false;
                    spare = started;
                    LOCK.notifyAll();
                }
            }
        }, "ipc-spare-backend-start");
        spawn.setDaemon(true);
        spawn.start();
    }

    /** The spare's pid, if one is there (tests). */
    public static OptionalLong pid() {
        synchronized (LOCK) {
            return spare == null ? OptionalLong.empty() : OptionalLong.of(spare.process().pid());
        }
    }

    /** Kills the spare, if any, and removes its files; at this JVM's exit and for tests. */
    public static void stop() {
        Spare s;
        synchronized (LOCK) {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILL_WAIT_MILLIS);
            while (spawning && System.nanoTime() - deadline < 0) { // a spawn in flight would install one after us
                try {
                    LOCK.wait(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            s = spare;
            spare = null;
        }
        if (s != null) {
            kill(s);
        }
    }

    /** SIGKILL (it holds nothing of anyone's), wait for it, then remove what it had under the root. */
    private static void kill(Spare s) {
        Process process = s.process();
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // it is being killed anyway
        }
        process.destroyForcibly();
        boolean interrupted = false;
        try {
            process.waitFor(KILL_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (!process.isAlive()) {
            removeFilesOf(process.pid());
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The entries a killed spare may have left (its scratch channel, its bell) are named with its
     * pid, which is dead now: the root's stale sweep removes them.
     */
    private static void removeFilesOf(long pid) {
        try {
            ShmDirectory.cleanStale();
        } catch (RuntimeException e) {
            LOG.debug("cannot remove the files of spare backend pid={}: {}", pid, e.toString());
        }
    }
}
