package ipc.core;

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
final class HandlerTable {

    private static final ClassValue<HandlerTable> TABLES = new ClassValue<>() {
        @Override
        protected HandlerTable computeValue(Class<?> type) {
            return new HandlerTable(type);
        }
    };

    private final Int2ObjectHashMap<Handler[]> byCommandHash = new Int2ObjectHashMap<>();
    private final Map<String, Handler> byCommand = new LinkedHashMap<>();
    private final int maxParameterCount;

    private HandlerTable(Class<?> type) {
        MethodHandles.Lookup lookup = MethodHandles.lookup();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
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
        int max = 0;
        for (Handler handler : byCommand.values()) {
            Handler[] bucket = byCommandHash.get(handler.commandHash());
            bucket = bucket == null ? new Handler[] {handler} : append(bucket, handler);
            byCommandHash.put(handler.commandHash(), bucket);
            max = Math.max(max, handler.parameterCount());
        }
        this.maxParameterCount = max;
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

    /** The handler for the frame's command, or null (no allocation). */
    Handler find(FrameReader frame) {
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
    Handler find(String command) {
        return byCommand.get(command);
    }

    /** The most parameters any handler takes: the size of a dispatcher's scratch arrays. */
    int maxParameterCount() {
        return maxParameterCount;
    }

    /** The commands, "[ping, myStuff]", for error messages. */
    String commands() {
        return byCommand.keySet().toString();
    }
}
