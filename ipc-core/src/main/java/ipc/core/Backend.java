package ipc.core;

import ipc.core.frame.ErrorMessage;
import ipc.core.channel.ChannelReader;
import ipc.core.channel.ChannelWriter;
import ipc.core.dispatch.DispatchException;
import ipc.core.dispatch.Dispatcher;
import ipc.core.frame.FrameBuilder;
import ipc.core.frame.FrameCodec;
import ipc.core.frame.FrameDescriptor;
import ipc.core.frame.FrameException;
import ipc.core.frame.FrameHandler;
import ipc.core.frame.FrameReader;
import ipc.core.remote.RemoteAnswers;
import ipc.core.remote.RemoteApi;
import ipc.core.remote.RemoteDispatcher;

import org.slf4j.Logger;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The backend's half of a {@link MessageProcess}: reads the frontend's frames, dispatches them to
 * {@code c__} handlers, and writes {@code send_out__} messages. Confined to the backend's loop
 * thread, except {@link #sendOut}, which serialises writers (AsyncBackMessageProcess's handlers
 * may send from any thread).
 */
final class Backend implements FrameHandler {
    /**
     * Frames dispatched per {@link #readPipes} call at most before it returns to the loop, so an
     * overridden loop that also serves other sources is not starved by a flood from the frontend.
     */
    static final int MAX_FRAMES_PER_READ = 256;

    private final MessageProcess process;
    private final ChannelReader fromFront;
    private final ChannelWriter toFront;
    private final Dispatcher dispatcher;
    private final Logger logger;
    private final RemoteAnswers answers;
    /** The process class's remote methods, prepared at the first call (most processes get none). */
    private RemoteDispatcher remote;
    private boolean stopRequested;
    /**
     * A restarted backend's: the f2b index up to which a call with an answer was sent to the dead
     * backend; its caller got PeerGoneException, so it is not run (0: none).
     */
    private long abandonedCallsUpTo;

    Backend(MessageProcess process, ChannelReader fromFront, ChannelWriter toFront, Logger logger) {
        this.process = process;
        this.fromFront = fromFront;
        this.toFront = toFront;
        this.dispatcher = new Dispatcher(process);
        this.logger = logger;
        this.answers = new RemoteAnswers(toFront);
    }

    boolean stopRequested() {
        return stopRequested;
    }

    /** A restarted backend skips the calls with an answer up to f2b index {@code index}: their callers have given up. */
    void skipAbandonedCalls(long index) {
        abandonedCallsUpTo = index;
    }

    /**
     * Dispatches every frame that is ready (at most {@link #MAX_FRAMES_PER_READ}); when none is,
     * waits up to {@code timeout} for one (spin, yield, then park on the f2b doorbell) and
     * dispatches what has arrived by then.
     */
    void readPipes(Duration timeout) {
        int frames = drain(0);
        if (frames > 0 || stopRequested || timeout.isZero() || timeout.isNegative()) {
            return;
        }
        if (fromFront.poll(this, timeout)) {
            drain(1);
        }
    }

    private int drain(int frames) {
        while (frames < MAX_FRAMES_PER_READ && !stopRequested && fromFront.poll(this)) {
            frames++;
        }
        return frames;
    }

    void sendOut(MessageObject message) {
        synchronized (toFront) { // Chronicle appenders are per thread: one writer at a time
            toFront.write(message);
        }
    }

    /** A {@code frontend__} message, built without a MessageObject. */
    void sendOut(FrameBuilder frame) {
        synchronized (toFront) {
            toFront.write(frame);
        }
    }

    @Override
    public void onFrame(FrameReader frame) {
        if (frame.commandEquals(STOP)) {
            stopRequested = true;
            return;
        }
        if (frame.commandStartsWith(RemoteApi.CALL_PREFIX_BYTES)) {
            call(frame);
            return;
        }
        Object result;
        try {
            result = dispatcher.dispatch(frame);
        } catch (DispatchException e) {
            if (e.getCause() != null) {
                logger.warn("c__{} failed: {}", e.command(), e.reason(), e.getCause());
            } else {
                logger.warn("c__{} not run: {}", e.command(), e.reason());
            }
            sendOut(e.toErrorMessage());
            return;
        }
        if (result instanceof CompletionStage<?> stage) {
            // The seed awaits each coroutine: the next message waits for this one's stage.
            try {
                stage.toCompletableFuture().join();
            } catch (CompletionException | CancellationException e) {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                String command = frame.command();
                logger.warn("c__{} failed asynchronously: {}", command, cause.toString());
                sendOut(ErrorMessage.of(command, "handler failed: " + cause));
            }
        }
    }

    /**
     * A typed remote call: runs the interface method the frame names on the process object and
     * answers with its result (or its exception) under the call's id; a one-way call (id 0) that
     * fails is reported like a failed {@code c__} handler, with an "error" message on the pipe. A
     * method returning a CompletionStage answers when the stage completes, and the loop goes on
     * at once.
     */
    private void call(FrameReader frame) {
        RemoteDispatcher table = remote;
        if (table == null) {
            table = remote = RemoteDispatcher.of(process.getClass());
        }
        RemoteDispatcher.Entry entry = table.find(frame);
        long id = entry != null && entry.method().oneWay() ? 0
            : frame.fieldCount() > 0 && frame.typeTag(0) == FrameDescriptor.TYPE_LONG ? frame.getLong(0) : 0;
        if (id != 0 && abandonedCallsUpTo != 0 && fromFront.index() <= abandonedCallsUpTo) {
            logger.debug("remote call {} not run: sent to the backend before the restart, its caller got PeerGoneException",
                frame.command());
            return;
        }
        try {
            if (entry == null) {
                throw new IllegalStateException("no remote method for " + frame.command() + " in "
                    + process.getClass().getName());
            }
            int first = entry.method().firstField();
            if (frame.fieldCount() != entry.parameterCount() + first) {
                throw new IllegalArgumentException("call of " + entry.method().signature() + " with "
                    + (frame.fieldCount() - first) + " arguments");
            }
            entry.invoker().invokeExact((Object) process, frame, answers, id);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            Throwable cause = RemoteDispatcher.unwrap(t);
            String what = entry == null ? frame.command() : entry.method().signature();
            if (id != 0) {
                logger.debug("remote call {} failed: {}", what, cause.toString());
                answers.answerError(id, cause);
            } else {
                logger.warn("one-way remote call {} failed: {}", what, cause.toString(), cause);
                sendOut(ErrorMessage.of(what, "handler failed: " + cause));
            }
        }
    }

    /** Waits for a lifecycle stage (asyncPre__, asyncPost__); its failure is rethrown as is. */
    static void await(CompletionStage<?> stage, String what) {
        if (stage == null) {
            return;
        }
        try {
            stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(what + " failed: " + cause, cause);
        }
    }

    @Override
    public void onBadFrame(FrameException error) {
        logger.warn("bad frame from frontend skipped: {}", error.getMessage());
        sendOut(ErrorMessage.of(null, "bad frame skipped: " + error.getMessage()));
    }

    private static final byte[] STOP = FrameCodec.stringBytes(MessageProcess.STOP_COMMAND);
}
