package ipc.core;

import ipc.sync.EventGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The frontend's half of one started {@link MessageProcess}: the channel, the backend process,
 * and what happens when that process exits.
 *
 * <p>Start protocol: create the channel (its control segment holds the frontend pid and the
 * select bell's path); write the INIT frame (the captured state, class name included, and the
 * SIGINT choice and the loop thread's CPU) as the first frontend-to-backend frame; spawn
 * the backend on {@link BackendMain} (with every CPU of this process, not the calling thread's pin:
 * {@link BackendLauncher#spawn}); wait for its first frame, READY (it rebuilt the object) or
 * an error (it could not), or for its exit. Death: when the process exits, for whatever reason,
 * the waiters on the EventGroups the object holds get PeerGoneException, the forwarders of its
 * output are given {@link OutputForwarder#DRAIN_GRACE} to copy what it printed last, and the
 * select bell rings, so a parked reader sees end of stream at once, after the backend's last line.
 */
final class Frontend {
    private static final Logger LOG = LoggerFactory.getLogger(Frontend.class);

    /**
     * How long {@code close()} waits for a backend to stop on request before killing it: long
     * enough for a postRun__ that flushes something, short enough that a hung backend does not
     * hang the frontend's shutdown.
     */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

    /** How long to wait for a killed backend to be reaped: SIGKILL ends a process in milliseconds. */
    static final Duration KILL_GRACE = Duration.ofSeconds(10);

    private static final ForkState FORK_STATE = new ForkState(MessageProcess.class, MessageProcess.FORKED_FIELDS);

    private final String owner;
    private final Channel channel;
    private final ChannelWriter toBack;
    private final Process process;
    private final OutputForwarder output;
    private final Pipe pipe;
    private final List<EventGroup> eventGroups;
    private final BackendLauncher launcher;
    private long spawnedAt;
    private volatile boolean released;
    /**
     * Set by {@link #onBackendExit} once the process has exited and its output is drained: the
     * pipe's end of stream waits for it, so a reader that sees null has seen the backend's last line.
     */
    private volatile boolean exitHandled;
    private final Object remoteLock = new Object();
    /** Typed remote calls to this backend, created at the first call; written under remoteLock, read without it. */
    private volatile RemoteCalls remoteCalls;
    /** Set first thing when the backend process has exited (before its output is drained). */
    private volatile String exitReason;

    private Frontend(String owner, Channel channel, BackendLauncher.Started started, Pipe pipe,
                     List<EventGroup> eventGroups, BackendLauncher launcher) {
        this.owner = owner;
        this.channel = channel;
        this.toBack = channel.writer();
        this.process = started.process();
        this.output = started.output();
        this.pipe = pipe;
        this.eventGroups = eventGroups;
        this.launcher = launcher;
    }

    /**
     * Starts a backend for {@code p} and returns once it is ready: {@link #spawn} then
     * {@link #awaitStarted}.
     */
    static Frontend launch(MessageProcess p, Pipe pipe, List<String> jvmOptions, boolean sigint, int backendCpu,
                           java.nio.file.Path journal) {
        Frontend f = spawn(p, pipe, jvmOptions, sigint, backendCpu, journal);
        f.awaitStarted();
        return f;
    }

    /**
     * The first half of a start: captures {@code p}'s state, creates the channel, writes INIT and
     * spawns the backend, without waiting for it; {@link #awaitStarted} is the second half. Several
     * processes started this way boot their JVMs at the same time
     * ({@link MessageProcess#startAll}). On failure nothing is left running.
     */
    static Frontend spawn(MessageProcess p, Pipe pipe, List<String> jvmOptions, boolean sigint, int backendCpu,
                          java.nio.file.Path journal) {
        long begin = System.nanoTime();
        FORK_STATE.requireRebuildable(p.getClass());
        Map<String, Object> state = FORK_STATE.capture(p);
        List<EventGroup> groups = FORK_STATE.handlesOf(p, EventGroup.class);
        ChannelOptions options = ChannelOptions.defaults().withB2fBell(SelectBell.frontend()).withName(p.toString());
        Channel channel = Channel.create(journal == null ? options : options.asJournal(Journal.prepareDirectory(journal)));
        long created = System.nanoTime();
        BackendLauncher.Started started = null;
        try {
            channel.writer().write(new MessageObject(MessageProcess.INIT_COMMAND,
                "state", state,
                "ignoreSigint", !sigint,
                MessageProcess.BACKEND_CPU_KEY, backendCpu));
            long initWritten = System.nanoTime();
            BackendLauncher launcher = BackendLauncher.forThisJvm(BackendMain.class.getName(), jvmOptions)
                .withAotCache();
            started = SpareBackend.take(launcher, channel.directory());
            boolean spare = started != null;
            if (!spare) {
                started = launcher.start(List.of(channel.directory().toString()), channel.directory());
            }
            Process process = started.process();
            Frontend f = new Frontend(p.toString(), channel, started, pipe, groups, launcher);
            pipe.attach(f.pipeSource(channel.reader(), channel.waitPeer()));
            if (LOG.isDebugEnabled()) {
                LOG.debug("spawned in {} ms: process={} pid={} spare={} captureAndChannel={} ms init={} ms spawn={} ms",
                    millis(System.nanoTime() - begin), f.owner, process.pid(), spare, millis(created - begin),
                    millis(initWritten - created), millis(System.nanoTime() - initWritten));
            }
            f.spawnedAt = System.nanoTime();
            return f;
        } catch (RuntimeException | Error e) {
            if (started != null) {
                Process process = started.process();
                process.destroyForcibly();
                try {
                    process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
                started.output().awaitDrained(OutputForwarder.DRAIN_GRACE); // what it printed comes before the exception
            }
            channel.close();
            throw e;
        }
    }

    /**
     * The second half of a start: waits for the backend's READY. On failure (an error frame, the
     * backend's exit, the start timeout) the backend is killed and the channel removed, and the
     * failure is thrown.
     */
    void awaitStarted() {
        try {
            awaitReady();
        } catch (RuntimeException | Error e) {
            abortStart();
            throw e;
        }
        watchExit();
        SpareBackend.prepare(launcher);
        LOG.debug("ready {} ms after the spawn: process={} pid={}", millis(System.nanoTime() - spawnedAt), owner,
            process.pid());
    }

    /**
     * Runs {@link #onBackendExit} as soon as the backend process has exited, on a daemon thread of
     * its own that blocks in {@code Process.waitFor()} (woken by the JDK's reaper the moment the
     * child is reaped) and never wakes before. Not {@code process.onExit().thenRun(...)}: the JDK
     * completes that future through {@code handleAsync} on the common ForkJoinPool, so when the
     * user's tasks fill the pool (a task blocked in a remote call to this very backend, measured:
     * 10 s) the waiters' PeerGoneException and the pipe's end of stream wait for a free worker.
     */
    private void watchExit() {
        Thread.ofPlatform()
            .daemon()
            .name("ipc-exit-" + owner)
            .stackSize(EXIT_WATCH_STACK_BYTES)
            .start(() -> {
                boolean interrupted = false;
                while (true) {
                    try {
                        process.waitFor();
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true; // only the exit ends this thread
                    }
                }
                onBackendExit();
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            });
    }

    /** The exit watcher's stack: it makes a handful of calls; the JVM rounds it up to its minimum. */
    private static final long EXIT_WATCH_STACK_BYTES = 256 * 1024;

    /** Ends a start that will not complete: kills the backend and removes the channel. */
    void abortStart() {
        process.destroyForcibly();
        awaitExitUninterruptibly(KILL_GRACE);
        output.awaitDrained(OutputForwarder.DRAIN_GRACE); // what it printed comes before the exception
        channel.close();
    }

    /** Nanoseconds as milliseconds with one decimal, for the timing logs. */
    static String millis(long nanos) {
        return String.format("%.1f", nanos / 1e6);
    }

    private Pipe.Source pipeSource(ChannelReader reader, WaitPeer waitPeer) {
        return new Pipe.Source() {
            @Override
            public WaitPeer waitPeer() {
                return waitPeer;
            }

            @Override
            public boolean poll(FrameHandler handler) {
                return reader.poll(handler);
            }

            @Override
            public boolean hasNext() {
                return reader.hasNext();
            }

            @Override
            public boolean producerExited() {
                return exitHandled;
            }
        };
    }

    /**
     * How often {@link #awaitReady} looks for the backend's first frame. It polls instead of
     * parking on the select bell: a parked frontend sets the bell's waiters bit, and the backend's
     * READY write then has to FUTEX_WAKE it, which makes the backend link its futex downcall (an
     * FFM stub generated at run time, 0.1-0.2 s of a backend's start here) before READY instead of
     * after it, in its first park. 1 ms adds at most 1 ms to a start that takes hundreds, for ~1000
     * wake-ups a second while it lasts.
     */
    static final Duration READY_POLL = Duration.ofMillis(1);

    /** The backend's first frame says whether it rebuilt the object. */
    private void awaitReady() {
        long deadline = System.nanoTime() + MessageProcess.START_TIMEOUT.toNanos();
        // A start is bounded (READY, an error, the backend's exit or the deadline): an interrupt
        // (Ctrl-C routed by MainContext) is kept for the caller's loop instead of turning the
        // park below into a busy spin.
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                boolean exited = !process.isAlive(); // read before the poll: a frame written before the exit is seen
                MessageObject first = pipe.takeDirect();
                if (first != null) {
                    if (MessageProcess.READY_COMMAND.equals(first.command())) {
                        return;
                    }
                    throw new IllegalStateException("backend could not start: process=" + owner
                        + " reason=" + (first.has("reason") ? first.get("reason") : first));
                }
                if (exited) {
                    throw new IllegalStateException("backend exited during start: process=" + owner
                        + " exitCode=" + process.exitValue());
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("backend not ready within " + MessageProcess.START_TIMEOUT
                        + ": process=" + owner + " pid=" + process.pid());
                }
                LockSupport.parkNanos(READY_POLL.toNanos());
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    void send(MessageObject message) {
        if (released || !process.isAlive()) {
            OptionalInt code = exitCode();
            String notSent = "backend has exited, message not sent: process=" + owner
                + " exitCode=" + (code.isPresent() ? Integer.toString(code.getAsInt()) : "none")
                + " command=" + message.command();
            // The message may carry the index of an event its sender is about to wait for (the
            // SyncIndex pattern): reserved after the exit's abort, nothing would ever end that
            // wait. Abort again, so the wait fails instead of hanging.
            abortWaiters(notSent);
            throw new IllegalStateException(notSent);
        }
        synchronized (toBack) { // Chronicle appenders are not for concurrent threads
            toBack.write(message);
        }
    }

    /**
     * Writes a typed remote call's request frame.
     *
     * @throws PeerGoneException when the backend has exited
     */
    void sendFrame(FrameBuilder frame, String what) {
        if (released || !process.isAlive()) {
            OptionalInt code = exitCode();
            throw new ipc.sync.PeerGoneException("backend has exited, call not sent: process=" + owner
                + " exitCode=" + (code.isPresent() ? Integer.toString(code.getAsInt()) : "none") + " call=" + what);
        }
        synchronized (toBack) {
            toBack.write(frame);
        }
    }

    /** This backend's typed remote calls (created on first use; their answers are routed off the pipe). */
    RemoteCalls remoteCalls() {
        RemoteCalls calls = remoteCalls;
        if (calls != null) {
            return calls;
        }
        synchronized (remoteLock) {
            if (remoteCalls == null) {
                remoteCalls = new RemoteCalls(owner, this, pipe);
                pipe.routeAnswersTo(remoteCalls);
                String reason = exitReason;
                if (reason != null) {
                    remoteCalls.backendGone(reason);
                }
            }
            return remoteCalls;
        }
    }

    void requestStop() {
        if (released || !process.isAlive()) {
            return;
        }
        synchronized (toBack) {
            toBack.write(new MessageObject(MessageProcess.STOP_COMMAND));
        }
    }

    boolean awaitExit(Duration timeout) {
        try {
            if (timeout == null) {
                process.waitFor();
                return true;
            }
            return process.waitFor(Math.max(0, Select.saturatedNanos(timeout)), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * After exit: let the output forwarders copy the backend's last lines (bounded by
     * {@link OutputForwarder#DRAIN_GRACE}), keep what the backend sent (in the pipe), then remove
     * the channel's files.
     */
    synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        output.awaitDrained(OutputForwarder.DRAIN_GRACE);
        try {
            pipe.drainAndDetach();
        } finally {
            channel.close(); // whatever the drain did: an unclosed channel leaves its queues to Chronicle's finalizer
        }
    }

    /**
     * Stops the backend, killing it after {@link #CLOSE_GRACE}, and frees its files. Waits even
     * when the calling thread is interrupted (as {@code ExecutorService.close()} does), so that a
     * loop ended by an interrupt (Ctrl-C, {@code stopThread}) still leaves no process or file
     * behind; the interrupt status is restored before returning.
     */
    void close() {
        boolean interrupted = Thread.interrupted();
        try {
            if (process.isAlive()) {
                boolean asked = true;
                try {
                    requestStop();
                } catch (RuntimeException e) {
                    // e.g. the channel's files removed under it: kill instead, and still release below
                    LOG.warn("cannot ask the backend to stop, killing it: process={} pid={}", owner, process.pid(), e);
                    asked = false;
                }
                if (!asked || !awaitExitUninterruptibly(CLOSE_GRACE)) {
                    if (asked) {
                        LOG.warn("backend did not stop within {}, killing it: process={} pid={}", CLOSE_GRACE, owner,
                            process.pid());
                    }
                    process.destroyForcibly();
                    awaitExitUninterruptibly(KILL_GRACE);
                }
            }
            release();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean awaitExitUninterruptibly(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    long pid() {
        return process.pid();
    }

    private void onBackendExit() {
        try {
            int code = process.exitValue();
            String reason = "backend exited: process=" + owner + " pid=" + process.pid() + " exitCode=" + code;
            RemoteCalls calls;
            synchronized (remoteLock) {
                exitReason = reason;
                calls = remoteCalls;
            }
            if (calls != null) {
                calls.backendGone(reason);
                SelectBell.frontend().ring(); // waiting calls see it now, not after the output's drain
            }
            // First the waiters (PeerGoneException within a second, even when the drain takes its
            // whole grace), then the backend's last lines, then our word on its exit and end of stream.
            abortWaiters("backend exited: process=" + owner + " pid=" + process.pid() + " exitCode=" + code);
            output.awaitDrained(OutputForwarder.DRAIN_GRACE);
            if (code != 0) {
                LOG.warn("backend exited with code {}: process={} pid={}", code, owner, process.pid());
            }
        } finally {
            exitHandled = true;
            SelectBell.frontend().ring();
        }
    }

    private void abortWaiters(String reason) {
        for (EventGroup group : eventGroups) {
            group.abortWaiters(reason);
        }
    }

}
