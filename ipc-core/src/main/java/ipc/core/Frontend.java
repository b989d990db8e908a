package ipc.core;

import static ipc.core.launch.BackendLauncher.millis;
import ipc.core.launch.SpareBackend;
import ipc.core.launch.BackendLauncher;
import ipc.core.channel.Channel;
import ipc.core.channel.ChannelDescriptor;
import ipc.core.channel.ChannelOptions;
import ipc.core.channel.ChannelReader;
import ipc.core.channel.ChannelWriter;
import ipc.core.fork.ForkState;
import ipc.core.frame.FrameBuilder;
import ipc.core.frame.FrameCodec;
import ipc.core.frame.FrameHandler;
import ipc.core.launch.OutputForwarder;
import ipc.core.remote.RemoteCall;
import ipc.core.remote.RemoteCalls;
import ipc.core.channel.SelectBell;
import ipc.core.channel.WaitPeer;

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
final class Frontend implements RemoteCalls.Link {
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
    /** The backend process: replaced at each supervised restart (under {@link #restartLock}). */
    private volatile Process process;
    private volatile OutputForwarder output;
    /** The INIT frame's content: the state captured at start(), for a restarted backend. */
    private final MessageObject init;
    private final RestartPolicy policy;
    /** Orders a restart's spawn against close(): whichever comes first wins. */
    private final Object restartLock = new Object();
    /** close() has begun: no more restarts. Written under restartLock. */
    private volatile boolean closing;
    /** A stop was requested: a backend that dies after this is not restarted. */
    private volatile boolean stopRequested;
    private volatile int restarts;
    /** The backend has exited for good (no restart follows); set by the exit watcher. */
    private volatile boolean ended;
    private final java.util.concurrent.CountDownLatch endedLatch = new java.util.concurrent.CountDownLatch(1);
    /** The f2b index whose handler was running at the last death (0: none); the exit watcher's only. */
    private long runningAtLastDeath;
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
                     List<EventGroup> eventGroups, BackendLauncher launcher, MessageObject init, RestartPolicy policy) {
        this.owner = owner;
        this.init = init;
        this.policy = policy;
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
                           java.nio.file.Path journal, RestartPolicy policy, Transport transport) {
        Frontend f = spawn(p, pipe, jvmOptions, sigint, backendCpu, journal, policy, transport);
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
                          java.nio.file.Path journal, RestartPolicy policy, Transport transport) {
        long begin = System.nanoTime();
        FORK_STATE.requireRebuildable(p.getClass());
        Map<String, Object> state = FORK_STATE.capture(p);
        List<EventGroup> groups = FORK_STATE.handlesOf(p, EventGroup.class);
        ChannelOptions options = ChannelOptions.defaults().withB2fBell(SelectBell.frontend()).withName(p.toString())
            .withTransport(transport);
        SharedMemory.cleanStale(); // segments of crashed creators: their names carry no pid for the channel's sweep
        Channel channel = Channel.create(journal == null ? options : options.asJournal(Journal.prepareDirectory(journal)));
        long created = System.nanoTime();
        BackendLauncher.Started started = null;
        try {
            MessageObject init = new MessageObject(MessageProcess.INIT_COMMAND,
                "state", state,
                "ignoreSigint", !sigint,
                MessageProcess.BACKEND_CPU_KEY, backendCpu);
            channel.writer().write(init);
            long initWritten = System.nanoTime();
            BackendLauncher launcher = BackendLauncher.forThisJvm(BackendMain.class.getName(), jvmOptions)
                .withAotCache();
            started = SpareBackend.take(launcher, channel.directory());
            boolean spare = started != null;
            if (!spare) {
                started = launcher.start(List.of(channel.directory().toString()), channel.directory());
            }
            Process process = started.process();
            Frontend f = new Frontend(p.toString(), channel, started, pipe, groups, launcher, init, policy);
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
                Process p = process;
                while (true) {
                    try {
                        p.waitFor();
                    } catch (InterruptedException e) {
                        interrupted = true; // only the exit ends this thread
                        continue;
                    }
                    p = restartAfter(p);
                    if (p == null) {
                        break;
                    }
                }
                onBackendExit();
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            });
    }


    /**
     * True when a backend that exited with {@code code} is started again: it died (non-zero exit:
     * a crash, a kill, a failed run; exit 0 is a backend that ended its loop by itself), no stop
     * was requested nor close begun, and the policy has restarts left.
     */
    private boolean restartable(int code) {
        return code != 0 && !stopRequested && !closing && !released && restarts < policy.maxRestarts();
    }

    /**
     * After the death of {@code dead}: when {@link #restartable}, ends the typed calls sent to it,
     * lets its output drain, waits the policy's delay and starts a new backend on the same channel,
     * told to resume at the first frame whose handler did not return (native-notes/process.md,
     * "Supervised restart"). Returns the new process, or null when there is none (not restartable,
     * close() came during the delay, or the spawn failed): the death is then the process's end.
     */
    private Process restartAfter(Process dead) {
        int code = dead.exitValue();
        if (!restartable(code)) {
            return null;
        }
        try {
            return restart(dead, code);
        } catch (RuntimeException | Error e) {
            if (closing || released) {
                return null; // close() came first and removed the channel: this death is the end
            }
            LOG.error("cannot restart the backend: process={}", owner, e);
            return null;
        }
    }

    private Process restart(Process dead, int code) {
        long seen = System.nanoTime();
        int attempt = restarts + 1;
        String reason = "backend died: process=" + owner + " pid=" + dead.pid() + " exitCode=" + code
            + ", restarting it (attempt " + attempt + " of " + policy.maxRestarts() + ")";
        long callsUpTo;
        RemoteCalls calls;
        int endedGeneration = 0;
        synchronized (toBack) { // no frame of a call sent to the dead backend is written after this
            callsUpTo = toBack.lastIndex();
            synchronized (remoteLock) {
                calls = remoteCalls;
            }
            if (calls != null) {
                endedGeneration = calls.endGeneration(reason);
            }
        }
        if (calls != null) {
            calls.failAsyncOf(endedGeneration, reason);
            SelectBell.frontend().ring(); // waiting calls see it now
        }
        output.awaitDrained(OutputForwarder.DRAIN_GRACE);
        long drained = System.nanoTime();
        long running = channel.controlWord(ChannelDescriptor.F2B_RUNNING_OFFSET);
        long done = channel.controlWord(ChannelDescriptor.F2B_DONE_OFFSET);
        boolean inHandler = running != done && done != 0;
        boolean poison = inHandler && running == runningAtLastDeath;
        runningAtLastDeath = inHandler && !poison ? running : 0;
        java.time.Duration delay = policy.delayBefore(attempt);
        LOG.warn("backend died with exit code {}: process={} pid={}; restart {} of {} in {} ms{}", code, owner,
            dead.pid(), attempt, policy.maxRestarts(), delay.toMillis(),
            poison ? ", skipping the message it died on twice" : "");
        synchronized (restartLock) {
            long deadline = System.nanoTime() + delay.toNanos();
            boolean interrupted = false;
            while (!closing) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(restartLock, left);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (closing) {
                return null;
            }
            channel.offerToNewBackend();
            writeRestartFile(new MessageObject(MessageProcess.INIT_COMMAND,
                "state", init.get("state"),
                "ignoreSigint", init.get("ignoreSigint"),
                MessageProcess.BACKEND_CPU_KEY, init.get(MessageProcess.BACKEND_CPU_KEY),
                "attempt", attempt,
                "exit", code,
                "running", running,
                "done", done,
                "poison", poison,
                "callsUpTo", callsUpTo));
            BackendLauncher.Started started = SpareBackend.take(launcher, channel.directory(), true);
            if (started == null) {
                started = launcher.start(List.of(channel.directory().toString(), BackendLauncher.RESTART_ARG),
                    channel.directory());
            }
            output = started.output();
            process = started.process();
            restarts = attempt;
        }
        SpareBackend.prepare(launcher); // opt-in: the next restart (or start) adopts a warmed-up JVM
        if (poison) {
            // the message was dropped: an event its sender waits for will not come from it
            abortWaiters("message skipped after it killed the backend twice: process=" + owner);
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("backend restarted: process={} pid={} attempt={} drain={} ms spawn={} ms", owner, process.pid(),
                attempt, millis(drained - seen), millis(System.nanoTime() - drained));
        }
        return process;
    }

    private void writeRestartFile(MessageObject restart) {
        java.nio.file.Path file = channel.directory().resolve(BackendLauncher.RESTART_FILE);
        java.nio.file.Path temp = channel.directory().resolve(BackendLauncher.RESTART_FILE + ".tmp");
        try {
            java.nio.file.Files.deleteIfExists(temp);
            ipc.sync.ShmDirectory.createPrivateFile(temp);
            java.nio.file.Files.write(temp, FrameCodec.encode(restart));
            java.nio.file.Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write the restart file: " + file, e);
        }
    }

    /** Restarts so far. */
    int restarts() {
        return restarts;
    }

    /** True while a backend runs, or a dead one will be started again. */
    private boolean backendExpected() {
        Process p = process;
        return p.isAlive() || !ended && restartable(p.exitValue());
    }

    /** The exit watcher's stack: it makes a handful of calls; the JVM rounds it up to its minimum. */
    private static final long EXIT_WATCH_STACK_BYTES = 256 * 1024;

    /** Ends a start that will not complete: kills the backend and removes the channel. */
    void abortStart() {
        process.destroyForcibly();
        awaitExitUninterruptibly(process, KILL_GRACE);
        output.awaitDrained(OutputForwarder.DRAIN_GRACE); // what it printed comes before the exception
        channel.close();
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
        if (released || !backendExpected()) {
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
    @Override
    public void sendFrame(FrameBuilder frame, String what, int generation) {
        if (released || !backendExpected()) {
            OptionalInt code = exitCode();
            throw new ipc.sync.PeerGoneException("backend has exited, call not sent: process=" + owner
                + " exitCode=" + (code.isPresent() ? Integer.toString(code.getAsInt()) : "none") + " call=" + what);
        }
        synchronized (toBack) {
            if (generation != RemoteCalls.ANY_GENERATION && generation != remoteCalls.generation()) {
                throw new ipc.sync.PeerGoneException("backend died before the call was sent (it is being restarted): "
                    + "process=" + owner + " call=" + what);
            }
            toBack.write(frame);
        }
    }

    @Override
    public void pump(RemoteCall call, boolean block) {
        pipe.pump(call, block);
    }

    @Override
    public WaitPeer waitPeer() {
        return pipe.waitPeer();
    }

    /** This backend's typed remote calls (created on first use; their answers are routed off the pipe). */
    RemoteCalls remoteCalls() {
        RemoteCalls calls = remoteCalls;
        if (calls != null) {
            return calls;
        }
        synchronized (remoteLock) {
            if (remoteCalls == null) {
                remoteCalls = new RemoteCalls(owner, this);
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
        stopRequested = true; // a backend that dies from now on is not restarted
        if (released || !backendExpected()) {
            return;
        }
        synchronized (toBack) {
            toBack.write(new MessageObject(MessageProcess.STOP_COMMAND));
        }
    }

    /** Waits for the backend's last exit: one after which no restart follows. */
    boolean awaitExit(Duration timeout) {
        try {
            if (timeout == null) {
                endedLatch.await();
                return true;
            }
            return endedLatch.await(Math.max(0, Select.saturatedNanos(timeout)), TimeUnit.NANOSECONDS);
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
            Process process;
            synchronized (restartLock) { // after this no restart spawns: the process read below is the last
                closing = true;
                restartLock.notifyAll();
                process = this.process;
            }
            if (process.isAlive()) {
                boolean asked = true;
                try {
                    requestStop();
                } catch (RuntimeException e) {
                    // e.g. the channel's files removed under it: kill instead, and still release below
                    LOG.warn("cannot ask the backend to stop, killing it: process={} pid={}", owner, process.pid(), e);
                    asked = false;
                }
                if (!asked || !awaitExitUninterruptibly(process, CLOSE_GRACE)) {
                    if (asked) {
                        LOG.warn("backend did not stop within {}, killing it: process={} pid={}", CLOSE_GRACE, owner,
                            process.pid());
                    }
                    process.destroyForcibly();
                    awaitExitUninterruptibly(process, KILL_GRACE);
                }
            }
            release();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static boolean awaitExitUninterruptibly(Process process, Duration timeout) {
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

    /** True while the backend runs, or while a dead one is being restarted. */
    boolean isAlive() {
        return backendExpected();
    }

    /** The last backend's exit code once no restart follows it. */
    OptionalInt exitCode() {
        Process p = process;
        return backendExpected() ? OptionalInt.empty() : OptionalInt.of(p.exitValue());
    }

    long pid() {
        return process.pid();
    }

    private void onBackendExit() {
        ended = true;
        endedLatch.countDown();
        channel.markPeerGone(); // a writer waiting for room in a full ring gives up
        Process process = this.process;
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
