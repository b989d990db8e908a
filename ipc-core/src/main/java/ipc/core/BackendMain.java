package ipc.core;

import static ipc.core.launch.BackendLauncher.millis;
import ipc.core.frame.ErrorMessage;
import ipc.core.launch.BackendLauncher;
import ipc.core.channel.Channel;
import ipc.core.channel.ChannelOptions;
import ipc.core.channel.ChannelReader;
import ipc.core.channel.ChannelWriter;
import ipc.core.channel.chronicle.ChronicleDefaults;
import ipc.core.fork.ForkState;
import ipc.core.frame.FrameCodec;
import ipc.core.launch.FrontendWatchdog;
import ipc.core.channel.SelectBell;

import ipc.sync.Affinity;
import ipc.sync.Futex;
import ipc.sync.ShmDirectory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The main class of a backend JVM: {@code BackendMain <channel directory>}.
 *
 * <p>Opens the channel, reads the INIT frame the frontend wrote before spawning it, rebuilds the
 * {@link MessageProcess} from its state (no constructor of the user's runs), answers READY, then
 * runs {@code preRun__}, {@code run()} and {@code postRun__} on its main thread, renamed
 * {@code ipc-loop-<name>} (and pinned to the CPU of {@link MessageProcess#setBackendCpu}, if
 * any, before READY), and exits 0. A failure to rebuild or to pin
 * is answered with an error frame and exit code {@link #EXIT_START_FAILED}; an exception from
 * {@code preRun__}, {@code run()} or {@code postRun__} is sent as an error message and ends the
 * process with {@link #EXIT_RUN_FAILED}. The process also exits when its frontend is gone
 * ({@link FrontendWatchdog#EXIT_FRONTEND_GONE}).
 */
public final class BackendMain {
    private static final Logger LOG = LoggerFactory.getLogger(BackendMain.class);

    /** The backend could not rebuild the object (a class or field the frontend sent is unusable). */
    static final int EXIT_START_FAILED = 2;
    /** preRun__, run or postRun__ threw. */
    static final int EXIT_RUN_FAILED = 3;
    /** The frontend's INIT frame did not arrive: the frontend died while starting us. */
    static final int EXIT_NO_INIT = 4;

    /** {@code -Dipc.chroniclePosix=true} keeps Chronicle's native posix layer in backends; see {@link #skipChroniclePosix}. */
    static final String CHRONICLE_POSIX_PROPERTY = "ipc.chroniclePosix";

    /**
     * How long to wait for INIT: the frontend writes it before spawning us, so it is there at once
     * unless the channel is broken; 10 s only guards against waiting forever.
     */
    private static final Duration INIT_TIMEOUT = Duration.ofSeconds(10);

    private static final ForkState FORK_STATE = new ForkState(MessageProcess.class, MessageProcess.FORKED_FIELDS);

    private BackendMain() {
    }


    public static void main(String[] args) {
        ChronicleDefaults.apply(); // before anything loads a class of Chronicle's or creates its loggers
        boolean restart = isRestart(args);
        if (args.length != 1 && !restart) {
            System.err.println("usage: BackendMain <channel directory> [" + BackendLauncher.RESTART_ARG
                + "]   (started by MessageProcess.start())");
            System.exit(64);
        }
        skipChroniclePosix();
        System.exit(BackendLauncher.SPARE_ARG.equals(args[0]) ? runSpare() : run(Path.of(args[0]), restart));
    }

    /**
     * A spare backend: initialises what every backend's start initialises (Chronicle, a channel
     * from both ends, a frame each way, the FFM downcalls of FileSpace and Futex), then waits for
     * one line on stdin, the channel directory of the start that takes it (and {@link BackendLauncher#RESTART_ARG}
     * after a tab for a supervised restart), and runs as a backend of that channel. End of
     * file, or an empty line, means it is not wanted (its frontend closed the pipe or exited):
     * exit 0. Its parent, the frontend, is watched as a backend watches its frontend meanwhile.
     */
    static int runSpare() {
        long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
        if (parent <= 1) {
            return 0; // orphaned before it began: nobody will take it
        }
        FrontendWatchdog.Watch watchdog = FrontendWatchdog.exitWhenGone(parent);
        try {
            warmUp(); // links FileSpace's downcalls too (the scratch channel reserves its files)
            Futex.isAvailable(); // a backend links it in its first park, after READY: a spare has the time
        } catch (RuntimeException e) {
            LOG.debug("spare backend warm-up failed (the start that takes it pays instead): {}", e.toString());
        }
        String line;
        try {
            line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            line = null;
        }
        if (line == null || line.isBlank()) {
            return 0;
        }
        watchdog.stop(); // run() watches the channel's frontend, the same process
        String[] handed = line.strip().split("\t");
        return run(Path.of(handed[0]), isRestart(handed));
    }

    /**
     * A scratch channel of this process, created, opened, used both ways and removed. The watchdog
     * may end this JVM in the middle (its frontend died): the exit hook of {@link ipc.sync.OwnedEntries},
     * where Channel.create and SelectBell.create record what they make, removes the files then.
     */
    private static void warmUp() {
        Path dir = ShmDirectory.root().resolve(ShmDirectory.uniqueName("spare"));
        try (SelectBell bell = SelectBell.create();
             Channel front = Channel.create(ChannelOptions.defaults().withDirectory(dir).withB2fBell(bell));
             Channel back = Channel.open(dir)) {
            front.writer().write(new MessageObject(MessageProcess.INIT_COMMAND, "state", Map.of("warm", 1),
                "ignoreSigint", false));
            MessageObject init = readInit(back.reader());
            back.writer().write(new MessageObject(MessageProcess.READY_COMMAND, "pid", ProcessHandle.current().pid()));
            MessageObject[] ready = new MessageObject[1];
            long deadline = System.nanoTime() + INIT_TIMEOUT.toNanos();
            while (ready[0] == null && System.nanoTime() - deadline < 0) {
                front.reader().poll(frame -> ready[0] = frame.toMessageObject());
            }
            if (init == null || ready[0] == null) {
                throw new IllegalStateException("scratch channel lost a frame: directory=" + dir);
            }
        }
    }

    /**
     * Unless {@value #CHRONICLE_POSIX_PROPERTY}{@code =true}, makes Chronicle's posix layer a no-op
     * in this JVM before Chronicle first loads it. Chronicle (chronicle-core's {@code Jvm}
     * initializer) loads it eagerly, through jnr-ffi, which generates its native bindings with ASM
     * at run time: the largest single cost of a cached backend start (0.47-0.67 s on this machine
     * under load, with the AOT cache), and none of it can be cached (generated classes). The
     * layer's one use on a channel's path is {@code msync(MS_ASYNC)} when a mapped chunk is
     * released (strace of a 1 M-message queue run: 217 such calls, no other), which
     * Linux has treated as a no-op since 2.6.19 (the kernel tracks dirty shared pages itself), and
     * channel files are removed after use anyway. Backend code of the user's own that relies on
     * Chronicle's msync for durability ({@code SyncMode.SYNC} on a disk queue) sets the property.
     */
    static void skipChroniclePosix() {
        if (!Boolean.getBoolean(CHRONICLE_POSIX_PROPERTY)) {
            ChronicleDefaults.skipPosixLayer();
        }
    }

    /**
     * Runs the backend of the channel in {@code channelDirectory} and returns its exit code. The
     * channel is closed on every way out, so that none of its Chronicle queues, tailers or appenders
     * is left to Chronicle's finalizer (which closes a discarded queue at some later GC and warns when
     * that close fails), and the watchdog stops watching.
     */
    static int run(Path channelDirectory, boolean restart) {
        long begin = System.nanoTime();
        Channel channel = Channel.open(channelDirectory);
        FrontendWatchdog.Watch watchdog = null;
        try {
            watchdog = FrontendWatchdog.exitWhenGone(channel.frontendPid());
            return serve(channel, channelDirectory, begin, restart);
        } finally {
            if (watchdog != null) {
                watchdog.stop();
            }
            try {
                channel.close();
            } catch (RuntimeException e) {
                LOG.warn("cannot close the channel: channel={}", channelDirectory, e);
            }
        }
    }

    private static int serve(Channel channel, Path channelDirectory, long begin, boolean restart) {
        ChannelReader fromFront = channel.reader();
        ChannelWriter toFront = channel.writer();
        long opened = System.nanoTime();
        MessageObject init = restart ? readRestart(channelDirectory) : readInit(fromFront);
        if (init == null) {
            LOG.error("no INIT frame within {}: channel={}", INIT_TIMEOUT, channelDirectory);
            return EXIT_NO_INIT;
        }
        if (init.getBoolean("ignoreSigint")) {
            BackendSignals.ignoreSigint();
        }
        MessageProcess process;
        try {
            @SuppressWarnings("unchecked")
            Map<String, ?> state = (Map<String, ?>) init.get("state");
            process = (MessageProcess) FORK_STATE.restore(state, ClassLoader.getSystemClassLoader());
            Backend backend = new Backend(process, fromFront, toFront,
                LoggerFactory.getLogger(process.getClass().getSimpleName() + "." + process.getName()));
            process.attachBackend(backend);
            if (restart) {
                backend.skipAbandonedCalls(init.getLong("callsUpTo"));
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.error("cannot rebuild the process object: {}", e.toString(), e);
            toFront.write(ErrorMessage.of(MessageProcess.INIT_COMMAND, describe(e)));
            return EXIT_START_FAILED;
        }
        try {
            placeLoopThread(process, init);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.error("cannot pin the loop thread: {}", e.getMessage());
            toFront.write(ErrorMessage.of(MessageProcess.INIT_COMMAND,
                "setBackendCpu: " + e.getMessage()));
            return EXIT_START_FAILED;
        }
        if (restart) {
            String skipped;
            try {
                skipped = resume(fromFront, init);
            } catch (RuntimeException e) {
                LOG.error("cannot resume where the last backend stopped: {}", e.getMessage());
                toFront.write(ErrorMessage.of(MessageProcess.INIT_COMMAND, describe(e)));
                return EXIT_START_FAILED;
            }
            toFront.write(new MessageObject(MessageProcess.RESTARTED_COMMAND,
                "attempt", init.getInt("attempt"), "exit", init.getInt("exit")));
            if (skipped != null) {
                LOG.error("message {} skipped: its handler was running when the backend died, twice in a row", skipped);
                toFront.write(ErrorMessage.of(skipped,
                    "skipped: the backend died in its handler twice in a row (restart " + init.getInt("attempt") + ")"));
            }
        } else {
            toFront.write(new MessageObject(MessageProcess.READY_COMMAND, "pid", ProcessHandle.current().pid()));
        }
        if (LOG.isDebugEnabled()) {
            long ready = System.nanoTime();
            LOG.debug("ready: process={} channelOpen={} ms initAndRebuild={} ms", process,
                millis(opened - begin), millis(ready - opened));
        }
        return runLifecycle(process);
    }

    /**
     * Names this thread, which runs the loop, and pins it to INIT's {@code backendCpu} when there
     * is one, before READY, so that a CPU this OS refuses fails the frontend's {@code start()}.
     * Only this thread: the process's other threads were born with the frontend process's CPUs
     * ({@link BackendLauncher#spawn}) and keep them.
     */
    static void placeLoopThread(MessageProcess process, MessageObject init) {
        Thread.currentThread().setName(MessageProcess.LOOP_THREAD_PREFIX + process.getName());
        int cpu = init.has(MessageProcess.BACKEND_CPU_KEY) ? init.getInt(MessageProcess.BACKEND_CPU_KEY)
            : MessageProcess.NO_BACKEND_CPU;
        if (cpu != MessageProcess.NO_BACKEND_CPU) {
            Affinity.pin(cpu);
            LOG.debug("loop thread pinned: process={} cpu={}", process, cpu);
        }
    }

    private static int runLifecycle(MessageProcess process) {
        String phase = "preRun__";
        try {
            process.preRun__();
            phase = "run";
            process.run();
            phase = "postRun__";
            process.postRun__();
            process.logger.debug("bye!");
            return 0;
        } catch (Throwable t) {
            process.logger.error("{} failed: {}", phase, t.toString(), t);
            try {
                process.send_out__(ErrorMessage.of(phase, describe(t)));
            } catch (RuntimeException sendFailed) {
                t.addSuppressed(sendFailed);
            }
            return EXIT_RUN_FAILED;
        }
    }

    /** How many causes an error reason names at most: enough for wrapper chains, bounded for cycles. */
    private static final int MAX_CAUSES = 4;

    /**
     * The failure and its causes, one line: the frontend sees only this reason, and a wrapper such
     * as ExceptionInInitializerError says nothing without its cause.
     */
    static String describe(Throwable failure) {
        StringBuilder reason = new StringBuilder(failure.toString());
        Throwable cause = failure.getCause();
        for (int i = 0; i < MAX_CAUSES && cause != null && cause != failure; i++, cause = cause.getCause()) {
            reason.append("; caused by ").append(cause);
        }
        return reason.toString();
    }

    /** {@code <channel directory> --restart}: the command line, or a spare's line split at its tab. */
    private static boolean isRestart(String[] parts) {
        return parts.length == 2 && BackendLauncher.RESTART_ARG.equals(parts[1]);
    }

    /**
     * A restarted backend's INIT: the file the frontend wrote in the channel directory (the state
     * captured at start(), the death's exit code, where to resume), read and removed.
     */
    private static MessageObject readRestart(Path channelDirectory) {
        Path file = channelDirectory.resolve(BackendLauncher.RESTART_FILE);
        try {
            byte[] bytes = java.nio.file.Files.readAllBytes(file);
            java.nio.file.Files.delete(file);
            return FrameCodec.decode(bytes);
        } catch (IOException e) {
            LOG.error("cannot read the restart file: {}", e.toString());
            return null;
        }
    }

    /**
     * Positions a restarted backend's reader at the first frame whose handler did not return: the
     * one whose handler was running at the death, else the one after the last that finished (the
     * INIT frame, first in the queue, when none had). A frame that was running at the death before
     * too is consumed unhandled instead: its command is returned, for the pipe's "error" message.
     *
     * @return the skipped frame's command, or null when none was skipped
     */
    static String resume(ChannelReader fromFront, MessageObject restart) {
        return fromFront.resume(restart.getLong("running"), restart.getLong("done"), restart.getBoolean("poison"));
    }

    private static MessageObject readInit(ChannelReader reader) {
        MessageObject[] init = new MessageObject[1];
        long deadline = System.nanoTime() + INIT_TIMEOUT.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (reader.poll(frame -> init[0] = frame.toMessageObject())) {
                return init[0];
            }
            Thread.onSpinWait();
            Thread.yield();
        }
        return null;
    }
}
