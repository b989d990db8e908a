package ipc.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The main class of a backend JVM: {@code BackendMain <channel directory>}.
 *
 * <p>Opens the channel, reads the INIT frame the frontend wrote before spawning it, rebuilds the
 * {@link MessageProcess} from its state (no constructor of the user's runs), answers READY, then
 * runs {@code preRun__}, {@code run()} and {@code postRun__}, and exits 0. A failure to rebuild
 * is answered with an error frame and exit code {@link #EXIT_START_FAILED}; an exception from
 * {@code preRun__}, {@code run()} or {@code postRun__} is sent as an error message and ends the
 * process with {@link #EXIT_RUN_FAILED}. The process also exits when its frontend is gone.
 */
public final class BackendMain {
    private static final Logger LOG = LoggerFactory.getLogger(BackendMain.class);

    /** The backend could not rebuild the object (a class or field the frontend sent is unusable). */
    static final int EXIT_START_FAILED = 2;
    /** preRun__, run or postRun__ threw. */
    static final int EXIT_RUN_FAILED = 3;
    /** The frontend's INIT frame did not arrive: the frontend died while starting us. */
    static final int EXIT_NO_INIT = 4;

    /**
     * How long to wait for INIT: the frontend writes it before spawning us, so it is there at once
     * unless the channel is broken; 10 s only guards against waiting forever.
     */
    private static final Duration INIT_TIMEOUT = Duration.ofSeconds(10);

    private static final ForkState FORK_STATE = new ForkState(MessageProcess.class, MessageProcess.FORKED_FIELDS);

    private BackendMain() {
    }

    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: BackendMain <channel directory>   (started by MessageProcess.start())");
            System.exit(64);
        }
        System.exit(run(Path.of(args[0])));
    }

    static int run(Path channelDirectory) {
        long begin = System.nanoTime();
        Channel channel = Channel.open(channelDirectory);
        FrontendWatchdog.exitWhenGone(channel.frontendPid());
        ChannelReader fromFront = channel.reader();
        ChannelWriter toFront = channel.writer();
        long opened = System.nanoTime();
        MessageObject init = readInit(fromFront);
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
        } catch (RuntimeException | LinkageError e) {
            LOG.error("cannot rebuild the process object: {}", e.toString(), e);
            toFront.write(MessageProcess.errorMessage(MessageProcess.INIT_COMMAND, e.toString()));
            return EXIT_START_FAILED;
        }
        toFront.write(new MessageObject(MessageProcess.READY_COMMAND, "pid", ProcessHandle.current().pid()));
        if (LOG.isDebugEnabled()) {
            long ready = System.nanoTime();
            LOG.debug("ready: process={} channelOpen={} ms initAndRebuild={} ms", process,
                Frontend.millis(opened - begin), Frontend.millis(ready - opened));
        }
        return runLifecycle(process);
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
                process.send_out__(MessageProcess.errorMessage(phase, t.toString()));
            } catch (RuntimeException sendFailed) {
                t.addSuppressed(sendFailed);
            }
            return EXIT_RUN_FAILED;
        }
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
