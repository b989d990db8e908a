package ipc.core.dispatch;

import ipc.core.AsyncBackMessageProcess;
import ipc.core.frame.FrameReader;
import ipc.core.MainContext;
import ipc.core.MessageProcess;

import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * The {@code c__<command>} handlers of one class, found once per class and cached
 * ({@link ClassValue}): every method whose name starts with {@code c__}, of any access modifier,
 * declared by the class or a superclass; a subclass's method hides a superclass's of the same
 * command. Interface default methods are not searched. Immutable and shared; a
 * {@link Dispatcher} holds the per-thread scratch.
 *
 * <p>Lookup by the frame's command: the hash of its bytes selects a bucket (an Agrona
 * int-keyed map, so no boxing), then the bytes are compared; nothing is allocated.
 */
public final class HandlerTable {

    private static final ClassValue<HandlerTable> TABLES = new ClassValue<>() {
        @Override
        protected HandlerTable computeValue(Class<?> type) {
            return new HandlerTable(type);
        }
    };

    private static final ClassValue<HandlerTable> PLAIN_TABLES = new ClassValue<>() {
        @Override
        protected HandlerTable computeValue(Class<?> type) {
            return new HandlerTable(type, "");
        }
    };

    /**
     * Commands the table cannot dispatch, with the reason (plain tables only: an overloaded name,
     * a method without parameter names); reported when a message names one.
     */
    private final Map<String, String> unusable = new LinkedHashMap<>();

    private final Int2ObjectHashMap<Handler[]> byCommandHash = new Int2ObjectHashMap<>();
    private final Map<String, Handler> byCommand = new LinkedHashMap<>();
    private final int maxParameterCount;

    private HandlerTable(Class<?> type) {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            addHandlers(c, lookup);
        }
        this.maxParameterCount = index();
    }

    /**
     * The table of {@code Pipe#dispatch}: every method of the class and its superclasses, named by
     * the command itself, except those of Object and of this library's classes (a message must not
     * be able to call {@code stop} or {@code close} of a MessageProcess used as handler). An
     * overloaded name, or a method that cannot be a handler, is reported when a message names it.
     */
    private HandlerTable(Class<?> type, String prefix) {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        for (Class<?> c = type; c != null && c != Object.class && c != MessageProcess.class
            && c != AsyncBackMessageProcess.class && c != MainContext.class; c = c.getSuperclass()) {
            Map<String, Method> declaredHere = new LinkedHashMap<>();
            for (Method method : c.getDeclaredMethods()) {
                if (method.isSynthetic() || method.isBridge() || method.getName().startsWith("lambda$")) {
                    continue;
                }
                if (declaredHere.putIfAbsent(method.getName(), method) != null) {
                    unusable.putIfAbsent(method.getName(), "overloaded in " + c.getName()
                        + " (overloading cannot be dispatched by name)");
                }
            }
            for (Method method : declaredHere.values()) {
                String command = method.getName();
                if (byCommand.containsKey(command) || unusable.containsKey(command)) {
                    continue;
                }
                try {
                    byCommand.put(command, new Handler(method, lookup, prefix.length()));
                } catch (IllegalStateException e) {
                    unusable.put(command, e.getMessage());
                }
            }
        }
        this.maxParameterCount = index();
    }

    private void addHandlers(Class<?> c, MethodHandles.Lookup lookup) {
        {
            Map<String, Method> declaredHere = new LinkedHashMap<>();
            for (Method method : c.getDeclaredMethods()) {
                if (!method.getName().startsWith(Handler.PREFIX) || method.isSynthetic() || method.isBridge()) {
                    continue;
                }
                if (method.getName().length() == Handler.PREFIX.length()) {
                    throw new IllegalStateException("a handler needs a command after c__: method=" + method);
                }
                Method other = declaredHere.putIfAbsent(method.getName(), method);
                if (other != null) {
                    throw new IllegalStateException("two handlers for one command in one class (overloading"
                        + " cannot be dispatched by name): methods=" + other + ", " + method);
                }
            }
            for (Method method : declaredHere.values()) {
                String command = method.getName().substring(Handler.PREFIX.length());
                if (!byCommand.containsKey(command)) {
                    byCommand.put(command, new Handler(method, lookup));
                }
            }
        }
    }

    /** Fills the hash buckets; returns the most parameters of any handler. */
    private int index() {
        int max = 0;
        for (Handler handler : byCommand.values()) {
            Handler[] bucket = byCommandHash.get(handler.commandHash());
            bucket = bucket == null ? new Handler[] {handler} : append(bucket, handler);
            byCommandHash.put(handler.commandHash(), bucket);
            max = Math.max(max, handler.parameterCount());
        }
        return max;
    }

    private static Handler[] append(Handler[] bucket, Handler handler) {
        Handler[] grown = Arrays.copyOf(bucket, bucket.length + 1);
        grown[bucket.length] = handler;
        return grown;
    }

    /**
     * The table of type, built on first use and cached for the class's lifetime. Calling it at
     * {@code start()} in the frontend reports a bad handler there, not in the backend.
     *
     * @throws IllegalStateException when a handler cannot be prepared: two methods for one command
     *         in one class, parameter names missing from the class file (no {@code -parameters}),
     *         a MessageObject parameter beside others, a method ipc-core may not access
     */
    static HandlerTable of(Class<?> type) {
        return TABLES.get(type);
    }

    /** {@code Pipe#dispatch}'s table of {@code type} (see the plain constructor), built once and cached. */
    public static HandlerTable plain(Class<?> type) {
        return PLAIN_TABLES.get(type);
    }

    /** Why command cannot be dispatched, or null. */
    public String unusable(String command) {
        return unusable.get(command);
    }

    /** The handler for the frame's command, or null (no allocation). */
    public Handler find(FrameReader frame) {
        Handler[] bucket = byCommandHash.get(frame.commandHash());
        if (bucket != null) {
            for (Handler handler : bucket) {
                if (handler.matches(frame)) {
                    return handler;
                }
            }
        }
        return null;
    }

    /** The handler for command, or null. */
    public Handler find(String command) {
        return byCommand.get(command);
    }

    /** The most parameters any handler takes: the size of a dispatcher's scratch arrays. */
    int maxParameterCount() {
        return maxParameterCount;
    }

    /** The commands, "[ping, myStuff]", for error messages. */
    public String commands() {
        return byCommand.keySet().toString();
    }
}
