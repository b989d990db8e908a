package ipc.core.remote;

import ipc.core.frame.FrameBuilder;
import ipc.core.frame.FrameShape;
import ipc.core.MessageProcess;

import java.util.concurrent.CompletableFuture;

/**
 * What a generated proxy ({@link RemoteProxies}) calls: {@link #begin} a call of method
 * {@code index} of the interface, put the arguments into the returned {@link RemoteCall}, then one
 * of {@link #send} (void), {@code call<Type>} (a value) or {@link #callAsync} (a future). The
 * typed {@code call*} methods return primitives as primitives, so a proxy method of primitives
 * allocates nothing.
 */
public abstract class RemoteClient {
    final RemoteApi api;

    RemoteClient(RemoteApi api) {
        this.api = api;
    }

    abstract RemoteCall begin(int index);

    /** Writes a one-way call; releases {@code c}. */
    abstract void send(RemoteCall c);

    /** Writes the call and waits for its answer, which it leaves in {@code c}; throws as the call failed. */
    abstract void await(RemoteCall c);

    abstract void release(RemoteCall c);

    abstract CompletableFuture<Object> callAsync(RemoteCall c);

    final boolean callBoolean(RemoteCall c) {
        try {
            await(c);
            return c.longValue != 0;
        } finally {
            release(c);
        }
    }

    final byte callByte(RemoteCall c) {
        try {
            await(c);
            return (byte) c.longValue;
        } finally {
            release(c);
        }
    }

    final short callShort(RemoteCall c) {
        try {
            await(c);
            return (short) c.longValue;
        } finally {
            release(c);
        }
    }

    final char callChar(RemoteCall c) {
        try {
            await(c);
            return (char) c.longValue;
        } finally {
            release(c);
        }
    }

    final int callInt(RemoteCall c) {
        try {
            await(c);
            return (int) c.longValue;
        } finally {
            release(c);
        }
    }

    final long callLong(RemoteCall c) {
        try {
            await(c);
            return c.longValue;
        } finally {
            release(c);
        }
    }

    final float callFloat(RemoteCall c) {
        try {
            await(c);
            return (float) c.doubleValue;
        } finally {
            release(c);
        }
    }

    final double callDouble(RemoteCall c) {
        try {
            await(c);
            return c.doubleValue;
        } finally {
            release(c);
        }
    }

    final Object callObject(RemoteCall c) {
        try {
            await(c);
            return c.reference;
        } finally {
            release(c);
        }
    }

    /** The frontend's proxy of a started process: calls go to its backend. */
    public static final class ToBackend extends RemoteClient {
        private final MessageProcess process;
        private final java.util.function.Supplier<RemoteCalls> calls;
        private final long timeoutNanos;
        /** Per method of the interface: its request shape for this process's class ({@link RemoteDispatcher#requestShape}). */
        private final FrameShape[] requests;

        /** {@code calls}: the process's typed calls, as its frontend holds them (it refuses when not running). */
        public ToBackend(MessageProcess process, java.util.function.Supplier<RemoteCalls> calls, RemoteApi api,
                         long timeoutNanos) {
            super(api);
            this.process = process;
            this.calls = calls;
            this.timeoutNanos = timeoutNanos;
            RemoteDispatcher dispatcher = RemoteDispatcher.of(process.getClass());
            this.requests = new FrameShape[api.methods().length];
            for (int i = 0; i < requests.length; i++) {
                requests[i] = dispatcher.requestShape(api.method(i));
            }
        }

        @Override
        RemoteCall begin(int index) {
            return calls.get().begin(api.method(index), requests[index]);
        }

        @Override
        void send(RemoteCall c) {
            c.calls.send(c);
        }

        @Override
        void await(RemoteCall c) {
            c.calls.call(c, timeoutNanos);
        }

        @Override
        void release(RemoteCall c) {
            c.calls.release(c);
        }

        @Override
        CompletableFuture<Object> callAsync(RemoteCall c) {
            return c.calls.callAsync(c, timeoutNanos);
        }

        @Override
        public String toString() {
            return "<remote " + api.api().getSimpleName() + " of " + process + ", timeout="
                + java.time.Duration.ofNanos(timeoutNanos) + ">";
        }
    }

    /**
     * The backend's {@code frontend__} proxy: each call becomes an ordinary message on the frontend's
     * pipe (command = method name, keys = parameter names). Thread-safe: each call takes a pooled
     * builder, and the frame is written under the writer's monitor.
     */
    public static final class ToFrontend extends RemoteClient {
        private final java.util.function.Consumer<FrameBuilder> sendOut;
        private final String owner;
        private final java.util.ArrayDeque<RemoteCall> pool = new java.util.ArrayDeque<>();

        /** {@code sendOut}: writes a message frame to the frontend (the backend's send_out__ for frames). */
        public ToFrontend(java.util.function.Consumer<FrameBuilder> sendOut, RemoteApi api, String owner) {
            super(api);
            this.sendOut = sendOut;
            this.owner = owner;
        }

        @Override
        RemoteCall begin(int index) {
            RemoteCall c;
            synchronized (pool) {
                c = pool.poll();
            }
            if (c == null) {
                c = new RemoteCall(null);
                c.firstField = 0;
            }
            RemoteApi.RemoteMethod method = api.method(index);
            if (c.method != method) {
                c.method = method;
            }
            c.frame.reset(method.message());
            return c;
        }

        @Override
        void send(RemoteCall c) {
            try {
                sendOut.accept(c.frame);
            } finally {
                release(c);
            }
        }

        @Override
        void await(RemoteCall c) {
            throw new IllegalStateException("frontend__ methods are one-way: method=" + c.method.signature());
        }

        @Override
        void release(RemoteCall c) {
            c.reset();
            synchronized (pool) {
                pool.push(c);
            }
        }

        @Override
        CompletableFuture<Object> callAsync(RemoteCall c) {
            throw new IllegalStateException("frontend__ methods are one-way: method=" + c.method.signature());
        }

        @Override
        public String toString() {
            return "<frontend " + api.api().getSimpleName() + " of " + owner + ">";
        }
    }
}
