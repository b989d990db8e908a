package ipc.core;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A {@link MessageProcess} whose backend runs asynchronously, like the seed's asyncio backend:
 * a {@code c__} handler may return a {@link CompletionStage}; the next message is dispatched when
 * that stage completes, so replies keep message order. Handlers may start background work on
 * {@link #executor()} (one virtual thread per task) that keeps running across messages; it is shut
 * down at stop, after {@link #asyncPost__()}. {@link #send_out__} may be called from any thread
 * of the backend.
 *
 * <p>With {@link #setBackendCpu}, the loop thread is pinned before {@code asyncPre__}; the
 * carrier threads of the virtual-thread scheduler that its first {@link #executor()} task starts
 * inherit that pin (Linux copies the creator's CPU mask; the JDK has no hook on carrier creation),
 * so background tasks share the loop's CPU (native-notes/affinity.md).
 *
 * <p>Where the seed hands out a file descriptor for select ({@code getReadFd}), Java uses
 * {@link Select#safeSelect} on {@link #getPipe()}.
 */
public abstract class AsyncBackMessageProcess extends MessageProcess {
    /**
     * How long stop waits for background tasks after asyncPost__: they get an interrupt first; 5 s
     * bounds a task that ignores it, so a backend always exits.
     */
    static final Duration EXECUTOR_SHUTDOWN_GRACE = Duration.ofSeconds(5);

    /** Backend only; created when the backend's loop starts. */
    private transient ExecutorService executor;

    protected AsyncBackMessageProcess(String name) {
        super(name);
    }

    /** Backend: runs on the loop thread before the first message; the loop starts when it completes. */
    protected CompletionStage<Void> asyncPre__() {
        return CompletableFuture.completedFuture(null);
    }

    /** Backend: runs after the loop; background tasks are shut down when it completes. */
    protected CompletionStage<Void> asyncPost__() {
        return CompletableFuture.completedFuture(null);
    }

    /** Backend: the executor for background work (a virtual thread per task), shut down at stop. */
    protected final ExecutorService executor() {
        ExecutorService e = executor;
        if (e == null) {
            backend(); // fails clearly in the frontend
            throw new IllegalStateException("executor is available once the backend loop runs: process=" + this);
        }
        return e;
    }

    /** Backend: asyncPre__, the message loop (each returned stage awaited in order), asyncPost__. */
    @Override
    protected void run() {
        executor = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Backend.await(asyncPre__(), "asyncPre__");
            super.run();
            Backend.await(asyncPost__(), "asyncPost__");
        } finally {
            executor.shutdownNow();
            try {
                if (!executor.awaitTermination(EXECUTOR_SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    logger.warn("background tasks still running {} after stop; exiting anyway", EXECUTOR_SHUTDOWN_GRACE);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
