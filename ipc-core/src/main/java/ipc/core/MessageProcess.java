package ipc.core;

import ipc.core.frame.ErrorMessage;
import ipc.core.launch.BackendLauncher;
import ipc.core.remote.RemoteApi;
import ipc.core.frame.FrameBuilder;
import ipc.core.remote.RemoteCalls;
import ipc.core.remote.RemoteClient;
import ipc.core.remote.RemoteProxies;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * A frontend/backend pair: the frontend is this object in the calling JVM; the backend is a
 * separate JVM that {@link #start()} spawns, in which the same object, rebuilt from its state at
 * start, runs {@code c__<command>} handlers for the {@link MessageObject}s the frontend sends.
 *
 * <pre>{@code
 * class MyProcess extends MessageProcess {
 *     MyProcess(String name) { super(name); }
 *     void c__myStuff(String parameter) { ... }            // backend
 *     void myStuff(String parameter) {                      // frontend
 *         sendMessageToBack(new MessageObject("myStuff", "parameter", parameter));
 *     }
 * }
 * }</pre>
 *
 * <p>Fork semantics: the backend sees the object's fields as they were at {@code start()}
 * (primitives, String, arrays, enums, records, collections of these, and library handles such
 * as {@code EventGroup} and {@link SharedMemory}, which re-open the same shared object); the
 * constructor does not run again. A subclass is a top-level or static nested class. Handler
 * parameters bind by name, so compile with {@code -parameters}.
 *
 * <p>Lifecycle: NEW, then {@link #start()} (RUNNING), {@link #requestStop()} (STOPPING), the
 * backend's exit (STOPPED: its files are removed, what it sent stays readable on the pipe), and
 * {@link #close()} (CLOSED). Frontend methods are thread-safe; backend methods run on the
 * backend's loop thread.
 */
public abstract class MessageProcess implements AutoCloseable {
    /** The command of the message a backend sends when a command fails; see {@link #errorMessage}. */
    public static final String ERROR_COMMAND = ErrorMessage.COMMAND;

    /** Reserved commands; a user command never starts with two underscores. */
    static final String STOP_COMMAND = "__stop__";
    static final String INIT_COMMAND = "__init__";
    static final String READY_COMMAND = "__ready__";
    /** The pipe's message at each supervised restart ({@link #setRestart}): keys "attempt" and "exit". */
    static final String RESTARTED_COMMAND = "restarted";
    /** INIT's key for {@link #setBackendCpu}'s CPU ({@link #NO_BACKEND_CPU}: none). */
    static final String BACKEND_CPU_KEY = "backendCpu";
    /**
     * The backend's loop thread's name is this plus the process name, so that {@code top -H},
     * {@code jstack} and {@code /proc/<pid>/task/<tid>/comm} (its first 15 bytes) show which it is.
     */
    static final String LOOP_THREAD_PREFIX = "ipc-loop-";

    /** Fields of this class that travel to the backend with the subclass's own. */
    static final List<String> FORKED_FIELDS = List.of("name", "listening", "timeout");

    /**
     * How long {@link #start()} waits for the backend to report that it rebuilt the object: a JVM
     * start plus the first queue mapping is ~0.5 s here; 60 s only catches a hung or starved start.
     */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    /** {@link #setBackendCpu} not called: the backend's loop thread runs wherever the kernel puts it. */
    static final int NO_BACKEND_CPU = -1;

    /** Lifecycle of the frontend side, in order. */
    enum State { NEW, RUNNING, STOPPING, STOPPED, CLOSED }

    /** Backend: true makes {@link #run()} poll with zero timeout, for an override of readPipes__. */
    protected boolean listening;

    /** Backend: how long {@link #run()} lets each {@link #readPipes__} wait when not listening. */
    protected Duration timeout = Duration.ofSeconds(1);

    /** Named {@code ClassName.name}, like the seed's {@code MyProcess.my-process}; both sides. */
    protected Logger logger;

    private final String name;

    // Frontend side. Field initializers also run when a backend rebuilds the object (the one
    // constructor that runs there is the private no-argument one), so the backend has these too,
    // unused.
    private final Object lifecycleLock = new Object();
    private final Pipe pipe;
    private final List<String> jvmOptions = new ArrayList<>(BackendLauncher.DEFAULT_JVM_OPTIONS);
    private boolean sigint = true;
    private int backendCpu = NO_BACKEND_CPU;
    private java.nio.file.Path journal;
    private RestartPolicy restart = RestartPolicy.never();
    /** Null: the default of {@link Transport#PROPERTY}, read at start(). */
    private Transport transport;
    private volatile State state = State.NEW;
    private Frontend frontend;

    // Backend side: set by BackendMain only.
    private Backend backend;

    protected MessageProcess(String name) {
        this.name = Objects.requireNonNull(name, "name");
        this.logger = LoggerFactory.getLogger(getClass().getSimpleName() + "." + name);
        this.pipe = new Pipe(getClass().getSimpleName() + "." + name);
    }

    /** Only for rebuilding in the backend: the fields come from the frontend's state. */
    private MessageProcess() {
        this.name = null;
        this.pipe = null;
    }

    // ------------------------------------------------------------------ frontend

    /** This process's name, as given to the constructor. */
    public String getName() {
        return name;
    }

    /** The pipe on which the backend's {@code send_out__} messages arrive. */
    public Pipe getPipe() {
        return pipe;
    }

    /**
     * Sets the backend JVM's own options (heap, GC, -D...), replacing the default
     * {@code -Xmx128m -XX:+UseSerialGC}; the library's flags (ipc-core/jvm.options) always come
     * first. Call before {@link #start()}.
     */
    public void setJvmOptions(List<String> options) {
        synchronized (lifecycleLock) {
            requireState(State.NEW, "setJvmOptions");
            jvmOptions.clear();
            jvmOptions.addAll(options);
        }
    }

    /** Makes the backend ignore SIGINT (the terminal's Ctrl-C); call before {@link #start()}. */
    public void ignoreSIGINT() {
        synchronized (lifecycleLock) {
            requireState(State.NEW, "ignoreSIGINT");
            sigint = false;
        }
    }

    /**
     * Pins the backend's loop thread (the one that runs {@code preRun__}, {@link #run()} and the
     * {@code c__} handlers, named {@code ipc-loop}) to {@code cpu}, before {@code preRun__}. The
     * backend's other threads (GC, JIT, Chronicle's) stay on every CPU the frontend process may
     * use, whatever the pin of the thread that calls {@code start()}; threads that the loop thread
     * itself starts inherit its pin (Linux copies the creator's mask; {@code ipc.sync.Affinity.unpin()}
     * in such a thread undoes it), and so do the virtual-thread carriers that an
     * {@link AsyncBackMessageProcess}'s first background task makes it start
     * (native-notes/affinity.md). A CPU that the backend's OS refuses fails {@link #start()} with
     * an IllegalStateException naming the CPU and the allowed ones. Call before {@code start()}.
     *
     * @throws IllegalArgumentException when {@code cpu < 0}
     * @throws IllegalStateException    after {@code start()}
     */
    public void setBackendCpu(int cpu) {
        if (cpu < 0) {
            throw new IllegalArgumentException("backend cpu must be >= 0: cpu=" + cpu + " process=" + this);
        }
        synchronized (lifecycleLock) {
            requireState(State.NEW, "setBackendCpu");
            backendCpu = cpu;
        }
    }

    /**
     * Keeps both directions' messages in {@code dir} after the process ends, instead of removing
     * them: the channel's two Chronicle queues are created there (the directory owner-only, created
     * with its parents when missing; an existing one must be empty), neither side deletes what it
     * has read, and {@link Journal#open} reads them back. A journal grows with the traffic (one
     * roll-cycle file per second per direction while messages flow, native-notes/journal.md), and
     * stays the user's to remove. Call before {@link #start()}.
     *
     * @throws IllegalStateException after {@code start()}
     */
    public void setJournal(java.nio.file.Path dir) {
        Objects.requireNonNull(dir, "dir");
        synchronized (lifecycleLock) {
            requireState(State.NEW, "setJournal");
            journal = dir.toAbsolutePath();
        }
    }

    /**
     * What happens when the backend dies (a crash, a kill, a non-zero exit; never a requested
     * stop): by default ({@link RestartPolicy#never()}) the process ends, as in the seed; with
     * {@link RestartPolicy#backoff} the backend is started again from the state captured at
     * {@code start()}, after the policy's delay, and resumes at the first message whose handler
     * had not returned, so that every message sent is handled and none that finished is handled
     * twice. Each restart puts a {@code "restarted"} message (keys {@code attempt}, {@code exit})
     * on the pipe. Typed calls waiting for the dead backend end with PeerGoneException; later
     * ones go to the new backend. A message whose handler was running at two deaths in a row is
     * skipped: it comes back as an {@code "error"} message naming its command. When the policy
     * is used up the process ends as without supervision. Call before {@link #start()}.
     *
     * @throws IllegalStateException after {@code start()}
     */
    public void setRestart(RestartPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        synchronized (lifecycleLock) {
            requireState(State.NEW, "setRestart");
            restart = policy;
        }
    }

    /** How many times the backend has been restarted ({@link #setRestart}); 0 before start. */
    public int restarts() {
        Frontend f = frontend;
        return f == null ? 0 : f.restarts();
    }

    /**
     * What carries this process's frames ({@link Transport}): CHRONICLE (the default, and the
     * default of {@code -Dipc.transport}) or RING. Call before {@link #start()}.
     *
     * @throws IllegalStateException after {@code start()}
     */
    public void setTransport(Transport transport) {
        Objects.requireNonNull(transport, "transport");
        synchronized (lifecycleLock) {
            requireState(State.NEW, "setTransport");
            this.transport = transport;
        }
    }

    /**
     * The transport set with {@link #setTransport}, else the default of {@code -Dipc.transport}
     * (CHRONICLE when that is not set either).
     */
    public Transport getTransport() {
        Transport t = transport;
        return t != null ? t : Transport.fromSystemProperty();
    }

    /** The transport of a start, checked against the journal. */
    private Transport startTransport() {
        Transport t = getTransport();
        if (t == Transport.RING && journal != null) {
            throw new IllegalStateException("setJournal needs the CHRONICLE transport; this process runs on RING, "
                + "which keeps nothing it has delivered: process=" + this + " journal=" + journal);
        }
        return t;
    }

    /** The journal directory set with {@link #setJournal}, if any. */
    public java.util.Optional<java.nio.file.Path> getJournal() {
        return java.util.Optional.ofNullable(journal);
    }

    /**
     * Spawns the backend and returns once it has rebuilt this object (before its
     * {@code preRun__}). Fails, with nothing left running, when the object cannot be carried to
     * the backend (a field of an unsupported type, an inner class) or the backend cannot start.
     *
     * <p>A start is a JVM start (about 0.6 s on a 2-core machine with the backend AOT cache). With
     * {@code -Dipc.spareBackend=true} each start also leaves one pre-started backend JVM for the
     * next start with the same JVM options, which then takes tens of milliseconds; it costs an
     * idle JVM while this JVM lives (see native-notes/jvm-flags.md, "The spare backend").
     */
    public void start() {
        synchronized (lifecycleLock) {
            requireState(State.NEW, "start");
            frontend = Frontend.launch(this, pipe, jvmOptions, sigint, backendCpu, journal, restart, startTransport());
            state = State.RUNNING;
        }
    }

    /**
     * Starts several processes at once and returns when every backend is ready: all backends are
     * spawned first, then each is waited for, so their JVMs boot side by side instead of one after
     * another (use it in {@code MainContext.startProcesses()}). When any start fails, the
     * processes whose backends were already ready are closed, the others' backends are killed
     * (those processes stay NEW), and the first failure is thrown with the others suppressed.
     *
     * @throws IllegalStateException when a process is not NEW (nothing is started then), or as
     *         {@link #start()}
     */
    public static void startAll(java.util.Collection<? extends MessageProcess> processes) {
        List<MessageProcess> all = List.copyOf(processes);
        if (new java.util.HashSet<>(all).size() != all.size()) {
            throw new IllegalArgumentException("a process is named twice: processes=" + all);
        }
        for (MessageProcess p : all) {
            if (p.state != State.NEW) {
                throw new IllegalStateException("startAll needs every process NEW: process=" + p + " state=" + p.state);
            }
        }
        List<MessageProcess> spawned = new ArrayList<>();
        RuntimeException failure = null;
        for (MessageProcess p : all) {
            try {
                p.spawnBackend();
                spawned.add(p);
            } catch (RuntimeException e) {
                failure = e;
                break;
            }
        }
        for (MessageProcess p : spawned) {
            try {
                p.awaitBackendStarted(failure == null);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            for (MessageProcess p : spawned) {
                if (p.state != State.RUNNING) {
                    continue; // its start was aborted: nothing runs, nothing is left
                }
                try {
                    p.close();
                } catch (RuntimeException e) {
                    failure.addSuppressed(e);
                }
            }
            throw failure;
        }
    }

    /** {@link #startAll(java.util.Collection)} of the given processes. */
    public static void startAll(MessageProcess... processes) {
        startAll(List.of(processes));
    }

    /** startAll's first half: the backend spawned, not yet waited for (state stays NEW). */
    private void spawnBackend() {
        synchronized (lifecycleLock) {
            requireState(State.NEW, "start");
            frontend = Frontend.spawn(this, pipe, jvmOptions, sigint, backendCpu, journal, restart, startTransport());
        }
    }

    /**
     * startAll's second half: waits for READY ({@code wait}) and becomes RUNNING, or, when another
     * start of the batch failed ({@code !wait}), leaves the state for the caller's close.
     */
    private void awaitBackendStarted(boolean wait) {
        synchronized (lifecycleLock) {
            if (!wait) {
                frontend.abortStart();
                frontend = null; // a NEW process again, as after a failed start()
                return;
            }
            try {
                frontend.awaitStarted();
            } catch (RuntimeException | Error e) {
                frontend = null; // awaitStarted killed it and removed its files: a NEW process again
                throw e;
            }
            state = State.RUNNING;
        }
    }

    /** The seed's synonym of {@link #start()}. */
    public void go() {
        start();
    }

    /**
     * Sends {@code message} to the backend, where it runs {@code c__<command>}.
     *
     * @throws IllegalStateException before start, after requestStop (the backend would never read
     *         it), after close, or once the backend has exited (naming its exit code)
     */
    public void sendMessageToBack(MessageObject message) {
        Objects.requireNonNull(message, "message");
        if (message.command().startsWith("__")) {
            throw new IllegalArgumentException("commands starting with two underscores are reserved: command="
                + message.command());
        }
        Frontend f = runningFrontend("sendMessageToBack");
        f.send(message);
    }

    /** How long a call through {@link #remote(Class)} waits for its answer. */
    public static final Duration DEFAULT_REMOTE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * A proxy of {@code api}, an interface that this process's class implements, whose methods run
     * in the backend: {@link #remote(Class, Duration)} with {@link #DEFAULT_REMOTE_TIMEOUT}.
     */
    public <T> T remote(Class<T> api) {
        return remote(api, DEFAULT_REMOTE_TIMEOUT);
    }

    /**
     * A proxy of {@code api} whose methods run in the backend, on its loop thread, in order with
     * the messages sent to it. A void method is one-way (it returns once sent); a method that
     * returns a value waits up to {@code timeout} for it; one that returns a CompletionStage or
     * CompletableFuture returns a future at once. The backend method's exception surfaces as
     * {@link RemoteException} (the backend serves on); no answer in time as
     * {@link RemoteTimeoutException} (a late answer is dropped); the backend's exit while a call
     * waits as {@code ipc.sync.PeerGoneException}; an interrupt of the waiting thread as
     * {@code CancellationException} (interrupt status kept). Futures complete exceptionally with the
     * same. The proxy is thread-safe; each thread's call gets its own answer. Answers never appear
     * on {@link #getPipe()}. A call whose parameters and result are primitives (or void) allocates
     * nothing once warm.
     *
     * @throws IllegalArgumentException when {@code api} is not a public interface that this class
     *         implements, or a method's parameter or return type cannot travel (naming both), or the
     *         timeout is not positive
     * @throws IllegalStateException    before {@link #start()}
     */
    public <T> T remote(Class<T> api, Duration timeout) {
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("remote timeout must be positive: timeout=" + timeout);
        }
        if (!api.isInterface()) {
            throw new IllegalArgumentException("remote needs an interface: api=" + api.getName());
        }
        if (!api.isInstance(this)) {
            throw new IllegalArgumentException("remote needs an interface that the process class implements: api="
                + api.getName() + " class=" + getClass().getName());
        }
        RemoteApi prepared = RemoteApi.of(api);
        runningFrontend("remote");
        return api.cast(RemoteProxies.create(
            new RemoteClient.ToBackend(this, this::remoteCalls, prepared, Select.saturatedNanos(timeout))));
    }

    /** The running frontend, for {@link Journal#replayInto}. */
    Frontend frontendFor(String what) {
        return runningFrontend(what);
    }

    /** The started backend's remote calls (for the generated proxies). */
    RemoteCalls remoteCalls() {
        return runningFrontend("remote call").remoteCalls();
    }

    /** The seed's demo: sends "ping" with {@code lis}; the backend's {@link #c__ping} answers "pong". */
    public void sendPing(List<?> lis) {
        sendMessageToBack(new MessageObject("ping", "lis", lis));
    }

    /** Asks the backend to leave its loop (it then runs {@code postRun__} and exits). Idempotent. */
    public void requestStop() {
        Frontend f;
        synchronized (lifecycleLock) {
            if (state != State.RUNNING) {
                return;
            }
            state = State.STOPPING;
            f = frontend;
        }
        f.requestStop();
    }

    /** Waits for the backend to exit; then its files are removed (what it sent stays readable). */
    public void waitStop() {
        waitStop(null);
    }

    /**
     * Waits up to {@code timeout} ({@code null}: forever) for the backend to exit.
     *
     * @return false on timeout
     */
    public boolean waitStop(Duration timeout) {
        Frontend f;
        synchronized (lifecycleLock) {
            if (state == State.NEW) {
                throw new IllegalStateException("waitStop before start: process=" + this);
            }
            f = frontend;
        }
        if (f == null || !f.awaitExit(timeout)) {
            return f == null;
        }
        f.release();
        synchronized (lifecycleLock) {
            if (state != State.CLOSED) {
                state = State.STOPPED;
            }
        }
        return true;
    }

    /** {@link #requestStop()} then {@link #waitStop()}. */
    public void stop() {
        requestStop();
        waitStop();
    }

    /**
     * Stops the backend (killing it if it does not exit within {@link Frontend#CLOSE_GRACE}) and
     * frees every file of this process. Idempotent; safe on a process never started.
     */
    @Override
    public void close() {
        Frontend f;
        synchronized (lifecycleLock) {
            if (state == State.CLOSED) {
                return;
            }
            f = frontend;
            state = State.CLOSED;
        }
        if (f != null) {
            f.close();
        }
    }

    /** True while the backend process runs (or, under {@link #setRestart}, is being started again). */
    public boolean isAlive() {
        Frontend f = frontend;
        return f != null && f.isAlive();
    }

    /**
     * The backend's exit code once it has exited for good; empty before start, while it runs,
     * and while a supervised restart is coming.
     */
    public OptionalInt exitCode() {
        Frontend f = frontend;
        return f == null ? OptionalInt.empty() : f.exitCode();
    }

    /** The backend's pid; empty before start. */
    public java.util.OptionalLong pid() {
        Frontend f = frontend;
        return f == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(f.pid());
    }

    State state() {
        return state;
    }

    /**
     * The seed's {@code formatLogger}, in the slf4j world: makes loggers print one line per event,
     * {@code LEVEL name - message} (e.g. {@code INFO MyProcess.my-process - c__ping: [1, 2, 3]}), on
     * stdout, at {@code level} and above, in this JVM and in every backend started after the call.
     *
     * <p>What it does, exactly: slf4j-api has no configuration API, so it sets slf4j-simple's
     * system properties ({@code org.slf4j.simpleLogger.*}: defaultLogLevel, showDateTime=false,
     * showThreadName=false, showThreadId=false, showLogName=true, showShortLogName=false,
     * levelInBrackets=false, logFile=System.out), replacing any the user set. What that does
     * depends on the binding on the class path:
     * <ul>
     *   <li>slf4j-simple: it reads the properties once, when the first logger of the JVM is
     *       created, so call this first thing in {@code main}, before any class with a static logger
     *       initialises and before constructing a MessageProcess (its constructor creates one);
     *       later, this JVM's format stays as it was. slf4j-simple's order is fixed, so the seed's
     *       {@code name - LEVEL - message} becomes {@code LEVEL name - message}.</li>
     *   <li>any other binding (Logback, Log4j 2, ...): the properties are ignored; that binding's own
     *       configuration applies, in both the frontend and the backends.</li>
     * </ul>
     * Backends: start() passes every {@code org.slf4j.simpleLogger.*} property of this JVM on to the
     * backend's command line, so a backend (which reads them at its start) prints the same way,
     * also when the frontend's own call came too late for the frontend.
     */
    public static void formatLogger(Level level) {
        LogFormat.apply(level);
    }

    /** {@link #formatLogger(Level)} at INFO, like the seed's default. */
    public static void formatLogger() {
        formatLogger(Level.INFO);
    }

    @Override
    public String toString() {
        return "<" + getClass().getSimpleName() + "." + name + ">";
    }

    // ------------------------------------------------------------------ backend

    /** Backend: runs after the object is rebuilt, before the loop. Override as needed. */
    protected void preRun__() {
    }

    /** Backend: runs after the loop, just before the backend exits. Override as needed. */
    protected void postRun__() {
    }

    /**
     * Backend: the event loop. Calls {@link #readPipes__} with zero timeout while
     * {@link #listening}, else with {@link #timeout}, until the frontend asks to stop.
     */
    protected void run() {
        Backend b = backend();
        while (!b.stopRequested()) {
            readPipes__(listening ? Duration.ZERO : timeout);
        }
    }

    /**
     * Backend: waits up to {@code timeout} for messages from the frontend and dispatches every
     * one that is ready. Override to multiplex other sources (call super with a short timeout).
     */
    protected void readPipes__(Duration timeout) {
        backend().readPipes(timeout);
    }

    /** Backend: sends {@code message} to the frontend's pipe. */
    protected void send_out__(MessageObject message) {
        backend().sendOut(message);
    }

    /**
     * Backend: a proxy of {@code api} (a public interface of void methods) whose calls reach the
     * frontend as ordinary messages on its pipe: command = the method's name, keys = its parameter
     * names. The frontend reads them with {@code recv()}, or has {@link Pipe#dispatch} call its own
     * object's method of that name. Thread-safe; a call of primitives allocates nothing.
     *
     * @throws IllegalArgumentException when a method returns a value, or a type cannot travel
     * @throws IllegalStateException    in the frontend
     */
    protected <T> T frontend__(Class<T> api) {
        Objects.requireNonNull(api, "api");
        Backend b = backend();
        RemoteApi prepared = RemoteApi.of(api).requireOneWay();
        return api.cast(RemoteProxies.create(
            new RemoteClient.ToFrontend((FrameBuilder frame) -> b.sendOut(frame), prepared, toString())));
    }

    /** Backend: the seed's demo handler; logs and answers "pong" with {@code lis = [1, 2, 3]}. */
    protected void c__ping(List<?> lis) {
        logger.info("c__ping: {}", lis);
        send_out__(new MessageObject("pong", "lis", List.of(1, 2, 3)));
    }

    // ------------------------------------------------------------------ internals

    /** Called by BackendMain on the rebuilt object. */
    void attachBackend(Backend backend) {
        this.backend = backend;
        this.logger = LoggerFactory.getLogger(getClass().getSimpleName() + "." + name);
    }

    Backend backend() {
        Backend b = backend;
        if (b == null) {
            throw new IllegalStateException("a backend method was called in the frontend: process=" + this);
        }
        return b;
    }

    private Frontend runningFrontend(String what) {
        Frontend f = frontend;
        State s = state;
        if (f == null || s == State.NEW) {
            throw new IllegalStateException(what + " before start: process=" + this);
        }
        if (s == State.CLOSED) {
            throw new IllegalStateException(what + " after close: process=" + this);
        }
        if (s == State.STOPPING) {
            // the backend leaves its loop at the stop frame: a message behind it would be lost unread
            throw new IllegalStateException(what + " after requestStop: the backend reads no more messages: process="
                + this);
        }
        return f;
    }

    private void requireState(State expected, String what) {
        if (state != expected) {
            throw new IllegalStateException(what + " needs state " + expected + ": state=" + state + " process=" + this);
        }
    }
}
