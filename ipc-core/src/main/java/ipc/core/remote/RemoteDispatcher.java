package ipc.core.remote;

import ipc.core.frame.FrameCodec;
import ipc.core.frame.FrameReader;
import ipc.core.frame.FrameShape;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.agrona.collections.Int2ObjectHashMap;

/**
 * The backend's side of typed remote calls: for a process class, every method of every
 * interface it implements that can travel ({@link RemoteApi}), found by the request frame's
 * command and called through one method handle per method, which reads the arguments from the
 * frame by position and writes the result with {@link RemoteAnswers}. Built once per class and
 * shared (immutable).
 *
 * <p>Why method handles and not generated classes here: the invoker is
 * {@code MethodHandles.collectArguments} of one extractor per parameter into the interface
 * method's handle, folded into the answer writer of its return type; every step is typed, so a
 * primitive is never boxed, and invoking it with {@code invokeExact} allocates nothing (the
 * same construction as the {@code c__} handlers', {@code Handler}).
 */
public final class RemoteDispatcher {
    /** {@code (Object target, FrameReader frame, RemoteAnswers out, long id)void}. */
    static final MethodType INVOKER_TYPE =
        MethodType.methodType(void.class, Object.class, FrameReader.class, RemoteAnswers.class, long.class);

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

    /** One callable method. */
    public record Entry(RemoteApi.RemoteMethod method, byte[] command, MethodHandle invoker) {
        public int parameterCount() {
            return method.parameterTypes().length;
        }
    }

    private static final ClassValue<RemoteDispatcher> TABLES = new ClassValue<>() {
        @Override
        protected RemoteDispatcher computeValue(Class<?> type) {
            return new RemoteDispatcher(type);
        }
    };

    private final Int2ObjectHashMap<Entry[]> byCommandHash = new Int2ObjectHashMap<>();
    private final Map<String, Entry> byName;
    /** Each method's full command ({@code "__c:add(JJ)"}) to the one its frames carry for this class. */
    private final Map<String, String> commandOf;
    private final int size;

    private RemoteDispatcher(Class<?> type) {
        Map<String, RemoteApi.RemoteMethod> methods = new LinkedHashMap<>();
        for (Class<?> api : interfacesOf(type)) {
            RemoteApi prepared = RemoteApi.orNull(api);
            if (prepared == null) {
                continue; // the frontend's remote() refuses it with the reason
            }
            for (RemoteApi.RemoteMethod m : prepared.methods()) {
                methods.putIfAbsent(m.command(), m);
            }
        }
        // A method whose name no other remote method of the class has travels as "__c:<name>", the
        // others as "__c:<name><descriptor>": shorter frames, less to hash and compare per call.
        // Both sides compute this from the same class, whatever order they find the interfaces in.
        Map<String, Integer> named = new java.util.HashMap<>();
        for (RemoteApi.RemoteMethod m : methods.values()) {
            named.merge(m.method().getName(), 1, Integer::sum);
        }
        Map<String, String> effective = new LinkedHashMap<>();
        Map<String, Entry> byCommand = new LinkedHashMap<>();
        for (RemoteApi.RemoteMethod m : methods.values()) {
            String command = named.get(m.method().getName()) == 1 ? RemoteApi.CALL_PREFIX + m.method().getName()
                : m.command();
            effective.put(m.command(), command);
            byCommand.put(command, new Entry(m, FrameCodec.stringBytes(command), invoker(m.method(), m.firstField())));
        }
        this.commandOf = Map.copyOf(effective);
        for (Entry e : byCommand.values()) {
            int hash = FrameReader.tailHash(e.command());
            Entry[] bucket = byCommandHash.get(hash);
            if (bucket == null) {
                bucket = new Entry[] {e};
            } else {
                bucket = Arrays.copyOf(bucket, bucket.length + 1);
                bucket[bucket.length - 1] = e;
            }
            byCommandHash.put(hash, bucket);
        }
        this.size = byCommand.size();
        this.byName = Map.copyOf(byCommand);
    }

    public static RemoteDispatcher of(Class<?> type) {
        return TABLES.get(type);
    }

    /**
     * The method a request frame calls, or null (no allocation): bucketed by the command's length
     * and last eight bytes (two reads; every command shares the prefix), then compared eight bytes
     * at a time.
     */
    public Entry find(FrameReader frame) {
        Entry[] bucket = byCommandHash.get(frame.commandTailHash());
        if (bucket != null) {
            for (Entry e : bucket) {
                if (frame.commandEquals(e.command())) {
                    return e;
                }
            }
        }
        return null;
    }

    /** The method of a request command as this class's frames carry it ({@code "__c:add"}), or null. */
    public Entry find(String command) {
        return byName.get(command);
    }

    /**
     * The request frame shape of {@code method} for this class: its keys, and its command as this
     * class's frames carry it (see the constructor).
     *
     * @throws IllegalArgumentException when the class has no such remote method
     */
    FrameShape requestShape(RemoteApi.RemoteMethod method) {
        String command = commandOf.get(method.command());
        if (command == null) {
            throw new IllegalArgumentException("not a remote method of this class: method=" + method.signature());
        }
        return command.equals(method.command()) ? method.request() : FrameShape.of(command, method.request().keys());
    }

    int size() {
        return size;
    }

    /** Every interface of type, its superclasses' and their superinterfaces', each once. */
    private static Set<Class<?>> interfacesOf(Class<?> type) {
        Set<Class<?>> seen = new HashSet<>();
        Deque<Class<?>> todo = new ArrayDeque<>();
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            todo.addAll(Arrays.asList(c.getInterfaces()));
        }
        while (!todo.isEmpty()) {
            Class<?> i = todo.poll();
            if (seen.add(i)) {
                todo.addAll(Arrays.asList(i.getInterfaces()));
            }
        }
        return seen;
    }

    /** @param firstField the request's field of parameter 0 */
    private static MethodHandle invoker(Method method, int firstField) {
        MethodHandle target;
        try {
            method.setAccessible(true);
            target = LOOKUP.unreflect(method);
        } catch (IllegalAccessException | RuntimeException e) {
            throw new IllegalStateException("cannot access remote method: method=" + method + " cause=" + e, e);
        }
        target = target.asType(target.type().changeParameterType(0, Object.class));
        Class<?>[] types = method.getParameterTypes();
        int n = types.length;
        for (int j = 0; j < n; j++) {
            target = MethodHandles.collectArguments(target, 1 + j, extractor(types[j], j + firstField));
        }
        if (n == 0) {
            target = MethodHandles.dropArguments(target, 1, FrameReader.class);
        } else {
            int[] reorder = new int[1 + n];
            Arrays.fill(reorder, 1, 1 + n, 1);
            target = MethodHandles.permuteArguments(target,
                MethodType.methodType(target.type().returnType(), Object.class, FrameReader.class), reorder);
        }
        Class<?> returned = target.type().returnType();
        if (returned == void.class) {
            return MethodHandles.dropArguments(target, 2, RemoteAnswers.class, long.class);
        }
        MethodHandle answer = answerer(returned);
        target = target.asType(target.type().changeReturnType(answer.type().parameterType(2)));
        MethodHandle combined = MethodHandles.collectArguments(answer, 2, target); // (out, id, target, frame)void
        return MethodHandles.permuteArguments(combined, INVOKER_TYPE, 2, 3, 0, 1);
    }

    /** {@code (FrameReader)T}: field {@code field} of the frame as a value of {@code type}. */
    private static MethodHandle extractor(Class<?> type, int field) {
        String name = type.isPrimitive() ? type.getName() + "Field" : "referenceField";
        Class<?> returned = type.isPrimitive() ? type : Object.class;
        try {
            MethodHandle h = LOOKUP.findStatic(RemoteDispatcher.class, name,
                MethodType.methodType(returned, FrameReader.class, int.class));
            h = MethodHandles.insertArguments(h, 1, field);
            return h.asType(h.type().changeReturnType(type));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalStateException("no extractor: type=" + type.getName(), e);
        }
    }

    /** {@code (RemoteAnswers, long id, T)void} for a method returning {@code type}. */
    private static MethodHandle answerer(Class<?> type) {
        String name;
        Class<?> value;
        if (type.isPrimitive()) {
            name = "answer" + Character.toUpperCase(type.getName().charAt(0)) + type.getName().substring(1);
            value = type;
        } else if (CompletionStage.class.isAssignableFrom(type)) {
            name = "answerStage";
            value = CompletionStage.class;
        } else {
            name = "answerObject";
            value = Object.class;
        }
        try {
            Class<?> owner = value == CompletionStage.class ? RemoteDispatcher.class : RemoteAnswers.class;
            return value == CompletionStage.class
                ? LOOKUP.findStatic(owner, name, MethodType.methodType(void.class, RemoteAnswers.class, long.class, value))
                : LOOKUP.findVirtual(owner, name, MethodType.methodType(void.class, long.class, value));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalStateException("no answer writer: type=" + type.getName(), e);
        }
    }

    /** A future's result, answered when it completes, from the thread that completes it. */
    private static void answerStage(RemoteAnswers out, long id, CompletionStage<?> stage) {
        if (stage == null) {
            out.answerObject(id, null);
            return;
        }
        stage.whenComplete((value, error) -> {
            try {
                if (error != null) {
                    out.answerError(id, unwrap(error));
                } else {
                    out.answerObject(id, value);
                }
            } catch (RuntimeException e) {
                try {
                    out.answerError(id, e); // e.g. a value that cannot travel
                } catch (RuntimeException ignored) {
                    // the channel is closed: the backend is stopping, the frontend sees its exit
                }
            }
        });
    }

    public static Throwable unwrap(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException
            || t instanceof java.lang.reflect.InvocationTargetException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static boolean booleanField(FrameReader f, int field) {
        return f.getBoolean(field);
    }

    private static byte byteField(FrameReader f, int field) {
        return (byte) f.getInt(field);
    }

    private static short shortField(FrameReader f, int field) {
        return (short) f.getInt(field);
    }

    private static char charField(FrameReader f, int field) {
        return f.getChar(field);
    }

    private static int intField(FrameReader f, int field) {
        return f.getInt(field);
    }

    private static long longField(FrameReader f, int field) {
        return f.getLong(field);
    }

    private static float floatField(FrameReader f, int field) {
        return (float) f.getDouble(field);
    }

    private static double doubleField(FrameReader f, int field) {
        return f.getDouble(field);
    }

    private static Object referenceField(FrameReader f, int field) {
        return f.getValue(field);
    }
}
