package ipc.core.remote;

import ipc.core.frame.FrameDescriptor;
import ipc.core.frame.FrameCodec;
import ipc.core.frame.FrameShape;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The methods of an interface called remotely ({@code MessageProcess#remote}, {@code frontend__}),
 * checked and prepared once per interface: which are one-way, which return a value or a future,
 * and the shape of their request frames.
 *
 * <p>Methods: every abstract or default method of the interface and its superinterfaces, except
 * static ones and those of {@link Object} (toString, equals, hashCode run on the proxy). Parameter
 * types must be MessageObject value types (primitives, their boxes, String, byte[], int[], long[],
 * double[], enums, List and Map&lt;String, ?&gt; of these); a return type one of these, void, or
 * a CompletionStage / CompletableFuture of one (or of Void). Anything else is refused with an
 * IllegalArgumentException that names the method and the type.
 *
 * <p>The request frame of method {@code m(long a, int b)} is command {@code "__c:m(JI)"}
 * (name and parameter descriptor, so overloads differ; {@code "__c:m"} when no other remote
 * method of the process class is named {@code m}, {@link RemoteDispatcher#requestShape}), field
 * {@code "id"} (LONG, the call's
 * correlation id; absent in a one-way call, which has no answer), then one field per parameter,
 * keyed by its name, in order. The backend binds by position; the names serve dumps and logs.
 */
public final class RemoteApi {
    /** Commands of remote-call frames start with this ({@link FrameDescriptor#CALL_PREFIX}). */
    public static final String CALL_PREFIX = FrameDescriptor.CALL_PREFIX;
    public static final byte[] CALL_PREFIX_BYTES = FrameCodec.stringBytes(CALL_PREFIX);
    /** The id field of a request; then the parameters. */
    public static final String ID_KEY = "id";

    /** How a method's result travels. */
    enum Result { VOID, BOOLEAN, BYTE, SHORT, CHAR, INT, LONG, FLOAT, DOUBLE, REFERENCE, FUTURE }

    /** One remote method. {@code request} is the frame shape of a call to the backend. */
    public record RemoteMethod(Method method, int index, String command, FrameShape request, FrameShape message,
                        Class<?>[] parameterTypes, Result result, String signature) {
        public boolean oneWay() {
            return result == Result.VOID;
        }

        /** The request's field of parameter 0: 1 after the id, 0 in a one-way call (no id). */
        public int firstField() {
            return oneWay() ? 0 : 1;
        }
    }

    private static final ClassValue<Object> APIS = new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> type) {
            try {
                return new RemoteApi(type);
            } catch (IllegalArgumentException e) {
                return e;
            }
        }
    };

    private final Class<?> api;
    private final RemoteMethod[] methods;

    private RemoteApi(Class<?> api) {
        if (!api.isInterface() || api.isAnnotation()) {
            throw new IllegalArgumentException("a remote api must be an interface: api=" + api.getName());
        }
        this.api = api;
        Map<String, Method> bySignature = new LinkedHashMap<>();
        for (Method m : api.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || isObjectMethod(m)) {
                continue;
            }
            String key = m.getName() + descriptor(m.getParameterTypes());
            Method other = bySignature.get(key);
            if (other == null || other.getReturnType().isAssignableFrom(m.getReturnType())) {
                bySignature.put(key, m); // of two inherited declarations, the more specific return
            }
        }
        List<Method> sorted = new ArrayList<>(bySignature.values());
        sorted.sort(Comparator.comparing((Method m) -> m.getName()).thenComparing(m -> descriptor(m.getParameterTypes())));
        this.methods = new RemoteMethod[sorted.size()];
        for (int i = 0; i < methods.length; i++) {
            methods[i] = prepare(sorted.get(i), i);
        }
    }

    /**
     * The prepared interface.
     *
     * @throws IllegalArgumentException when {@code api} is not an interface or a method has a type
     *         that cannot travel (naming the method and the type)
     */
    public static RemoteApi of(Class<?> api) {
        Object prepared = APIS.get(api);
        if (prepared instanceof IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return (RemoteApi) prepared;
    }

    /** The prepared interface, or null when it has methods that cannot travel (the backend skips those). */
    static RemoteApi orNull(Class<?> api) {
        return APIS.get(api) instanceof RemoteApi prepared ? prepared : null;
    }

    Class<?> api() {
        return api;
    }

    RemoteMethod[] methods() {
        return methods;
    }

    RemoteMethod method(int index) {
        return methods[index];
    }

    /** For {@code frontend__}: every method must be void (a message to the frontend has no answer). */
    public RemoteApi requireOneWay() {
        for (RemoteMethod m : methods) {
            if (!m.oneWay()) {
                throw new IllegalArgumentException("frontend__ needs void methods (a message to the frontend has no"
                    + " answer): method=" + m.signature() + " returns=" + m.method().getGenericReturnType().getTypeName());
            }
        }
        return this;
    }

    private static RemoteMethod prepare(Method m, int index) {
        String signature = signature(m);
        Parameter[] parameters = m.getParameters();
        Type[] generic = m.getGenericParameterTypes();
        Result result = result(m, signature);
        int first = result == Result.VOID ? 0 : 1; // a one-way call carries no id
        String[] keys = new String[parameters.length + first];
        String[] names = new String[parameters.length];
        if (first == 1) {
            keys[0] = ID_KEY;
        }
        for (int j = 0; j < parameters.length; j++) {
            if (!isValueType(generic.length == parameters.length ? generic[j] : parameters[j].getType())) {
                throw new IllegalArgumentException("parameter type cannot travel in a message: method=" + signature
                    + " parameter=" + parameters[j].getName() + " type=" + parameters[j].getParameterizedType().getTypeName()
                    + " (primitives, their boxes, String, byte[], int[], long[], double[], enums, List and"
                    + " Map<String, ?> of these)");
            }
            names[j] = parameters[j].getName();
            keys[j + first] = names[j];
        }
        String command = CALL_PREFIX + m.getName() + descriptor(m.getParameterTypes());
        return new RemoteMethod(m, index, command, FrameShape.of(command, keys), FrameShape.of(m.getName(), names),
            m.getParameterTypes(), result, signature);
    }

    private static Result result(Method m, String signature) {
        Class<?> r = m.getReturnType();
        if (r == void.class) {
            return Result.VOID;
        }
        if (r.isPrimitive()) {
            return Result.valueOf(r.getName().toUpperCase(java.util.Locale.ROOT));
        }
        Type generic = m.getGenericReturnType();
        if (r == CompletionStage.class || r == CompletableFuture.class) {
            Type value = generic instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
            if (value == Void.class || value == Object.class || value instanceof WildcardType w && isWildcardOk(w)
                || isValueType(value)) {
                return Result.FUTURE;
            }
            throw new IllegalArgumentException("return type cannot travel in a message: method=" + signature
                + " type=" + generic.getTypeName() + " (a future of a value type or of Void)");
        }
        if (isValueType(generic)) {
            return Result.REFERENCE;
        }
        throw new IllegalArgumentException("return type cannot travel in a message: method=" + signature
            + " type=" + generic.getTypeName() + " (void, primitives, their boxes, String, byte[], int[], long[],"
            + " double[], enums, List and Map<String, ?> of these, or a CompletionStage / CompletableFuture of one)");
    }

    private static final Set<Class<?>> VALUE_CLASSES = Set.of(Boolean.class, Byte.class, Short.class, Character.class,
        Integer.class, Long.class, Float.class, Double.class, String.class, byte[].class, int[].class, long[].class,
        double[].class);

    /** True for the types a MessageObject value may have (List and Map elements checked when declared). */
    static boolean isValueType(Type type) {
        if (type instanceof Class<?> c) {
            return c.isPrimitive() && c != void.class || VALUE_CLASSES.contains(c) || c.isEnum()
                || c == List.class || c == Map.class;
        }
        if (type instanceof ParameterizedType p) {
            Type raw = p.getRawType();
            Type[] args = p.getActualTypeArguments();
            if (raw == List.class) {
                return isElementType(args[0]);
            }
            if (raw == Map.class) {
                return (args[0] == String.class || args[0] instanceof WildcardType w && isWildcardOk(w))
                    && isElementType(args[1]);
            }
            return false;
        }
        return false;
    }

    private static boolean isElementType(Type type) {
        if (type == Object.class) {
            return true; // List<Object>: each element is checked when the message is built
        }
        if (type instanceof WildcardType w) {
            return isWildcardOk(w);
        }
        return !(type instanceof Class<?> c && c.isPrimitive()) && !(type instanceof GenericArrayType) && isValueType(type);
    }

    private static boolean isWildcardOk(WildcardType w) {
        Type[] upper = w.getUpperBounds();
        return w.getLowerBounds().length == 0 && (upper.length == 0 || upper[0] == Object.class || isElementType(upper[0]));
    }

    private static boolean isObjectMethod(Method m) {
        try {
            Object.class.getMethod(m.getName(), m.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** "(JI)" for (long, int): the JVM descriptor of the parameters. */
    static String descriptor(Class<?>[] parameterTypes) {
        StringBuilder sb = new StringBuilder("(");
        for (Class<?> t : parameterTypes) {
            sb.append(t.descriptorString());
        }
        return sb.append(')').toString();
    }

    /** "Pricer.price(long, int)", for messages. */
    static String signature(Method m) {
        StringBuilder sb = new StringBuilder(m.getDeclaringClass().getSimpleName()).append('.').append(m.getName()).append('(');
        Class<?>[] types = m.getParameterTypes();
        for (int i = 0; i < types.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(types[i].getSimpleName());
        }
        return sb.append(')').toString();
    }

    @Override
    public String toString() {
        return "<RemoteApi: " + api.getName() + ", methods=" + methods.length + ">";
    }
}
