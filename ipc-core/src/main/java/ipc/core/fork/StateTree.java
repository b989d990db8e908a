package ipc.core.fork;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns one field value into a tree that a {@code MessageObject} can carry, and back. No Java
 * serialization: the tree holds only null, Boolean, Byte, Short, Integer, Long, Float, Double,
 * Character, String, byte[], int[], long[], double[], List and Map with String keys.
 *
 * <p>Encoding, by the value's runtime class:
 * <pre>
 *   null, boxed primitives, String,
 *   byte[], int[], long[], double[]       as they are
 *   List                                   List of encoded elements     (rebuilt as ArrayList)
 *   enum                                   {"@enum": class, "name": constant name}
 *   a type with a ForkCodec                {"@codec": tag, "value": codec's form}
 *   record                                 {"@record": class, "components": {name: encoded}}
 *   any other array                        {"@array": component class, "items": [encoded]}
 *   Set                                    {"@set": [encoded]}                (LinkedHashSet)
 *   Map                                    {"@map": [key, value, key, value ...]} (LinkedHashMap)
 * </pre>
 * Every Map in the tree is such a tagged node, so a node's kind is never ambiguous. A List, Set
 * or Map is rebuilt as the implementation named above whatever it was in the frontend, so the
 * declared type where the value lives (the field, a record component, the generic element type,
 * an array's component type) must be able to hold that implementation; if not, encoding fails.
 * Shared references become separate copies; a reference cycle is refused.
 *
 * <p>Not thread-safe: one instance per capture or restore.
 */
public final class StateTree {

    static final String TAG_ENUM = "@enum";
    static final String TAG_CODEC = "@codec";
    static final String TAG_RECORD = "@record";
    static final String TAG_ARRAY = "@array";
    static final String TAG_SET = "@set";
    static final String TAG_MAP = "@map";
    static final String KEY_NAME = "name";
    static final String KEY_VALUE = "value";
    static final String KEY_COMPONENTS = "components";
    static final String KEY_ITEMS = "items";

    private static final Set<Class<?>> CARRIED_AS_IS = Set.of(
        Boolean.class, Byte.class, Short.class, Integer.class, Long.class, Float.class,
        Double.class, Character.class, String.class,
        byte[].class, int[].class, long[].class, double[].class);

    private static final Map<String, Class<?>> PRIMITIVES = Map.of(
        "boolean", boolean.class, "byte", byte.class, "short", short.class, "char", char.class,
        "int", int.class, "long", long.class, "float", float.class, "double", double.class);

    private final ForkCodecs codecs;
    private final ClassLoader loader;
    /** Where the value being encoded or decoded lives, for error messages: "a.B.field", "[3]", ... */
    private final Deque<String> path = new ArrayDeque<>();
    /** Containers on the current path, to refuse a cycle instead of recursing forever. */
    private final Map<Object, Boolean> onPath = new IdentityHashMap<>();

    StateTree(ForkCodecs codecs, ClassLoader loader) {
        this.codecs = codecs;
        this.loader = loader;
    }

    /**
     * False when no value this tree carries can be assigned to a variable of the declared raw type
     * (a field of type Thread, ReentrantLock, AtomicLong ...), so that such a field is refused even
     * while it holds null. An interface can always hold a value: an enum or a record may implement it.
     * A Collection or Map class passes here; {@link #encode} then says why its value cannot go when
     * the declared class cannot hold the rebuilt implementation.
     */
    boolean canEverHold(Class<?> declared) {
        if (declared.isPrimitive() || declared.isArray() || declared.isInterface()
                || Enum.class.isAssignableFrom(declared) || Record.class.isAssignableFrom(declared)
                || Collection.class.isAssignableFrom(declared) || Map.class.isAssignableFrom(declared)) {
            return true;
        }
        for (Class<?> carried : CARRIED_AS_IS) {
            if (declared.isAssignableFrom(carried)) {
                return true;
            }
        }
        if (declared.isAssignableFrom(ArrayList.class) || declared.isAssignableFrom(LinkedHashSet.class)
                || declared.isAssignableFrom(LinkedHashMap.class)) {
            return true;
        }
        return codecs.canHold(declared);
    }

    /** True when the tree carries values of this class unchanged. */
    static boolean isCarriedAsIs(Class<?> type) {
        return CARRIED_AS_IS.contains(type);
    }

    // ------------------------------------------------------------------ encode

    /**
     * Encodes a value found at where (e.g. "com.x.MyProcess.items") whose declared type is
     * declared; throws IllegalStateException naming the place, the type and the remedy.
     */
    Object encode(String where, Object value, Type declared) {
        path.clear();
        onPath.clear();
        path.addLast(where);
        return encode(value, declared);
    }

    private Object encode(Object value, Type declared) {
        if (value == null) {
            return null;
        }
        Class<?> type = value.getClass();
        if (isCarriedAsIs(type)) {
            return value;
        }
        if (value instanceof Enum<?> constant) {
            return node(TAG_ENUM, constant.getDeclaringClass().getName(), KEY_NAME, constant.name());
        }
        ForkCodec<?> codec = codecs.forValue(value);
        if (codec != null) {
            requireHolds(declared, codec.type(), type);
            try {
                return node(TAG_CODEC, codec.tag(), KEY_VALUE, encodeWith(codec, value));
            } catch (RuntimeException e) {
                throw fail("cannot encode: type=" + type.getName() + " cause=" + e, e);
            }
        }
        if (type.isRecord()) {
            return enter(value, () -> encodeRecord(value, type));
        }
        if (type.isArray()) {
            return enter(value, () -> encodeArray(value, type));
        }
        if (value instanceof List<?> list) {
            requireHolds(declared, ArrayList.class, type);
            Type element = typeArgument(declared, 0);
            return enter(value, () -> encodeElements(list, element));
        }
        if (value instanceof Set<?> set) {
            requireHolds(declared, LinkedHashSet.class, type);
            Type element = typeArgument(declared, 0);
            return enter(value, () -> node(TAG_SET, encodeElements(set, element)));
        }
        if (value instanceof Map<?, ?> map) {
            requireHolds(declared, LinkedHashMap.class, type);
            return enter(value, () -> node(TAG_MAP, encodeEntries(map, declared)));
        }
        throw fail("a value of this type cannot be rebuilt in the backend: type=" + type.getName()
            + "; supported: primitives, boxed primitives, String, arrays, enums, records, List, Set,"
            + " Map of these, " + codecs.describeTypes()
            + "; mark the field transient to leave it out (it is then null/0/false in the backend)");
    }

    @SuppressWarnings("unchecked")
    private static <T> Object encodeWith(ForkCodec<T> codec, Object value) {
        return codec.encode((T) value);
    }

    private Map<String, Object> encodeRecord(Object record, Class<?> type) {
        Map<String, Object> components = new LinkedHashMap<>();
        for (RecordComponent component : type.getRecordComponents()) {
            Object componentValue;
            try {
                Method accessor = component.getAccessor();
                accessor.setAccessible(true);
                componentValue = accessor.invoke(record);
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw fail("cannot read record component: record=" + type.getName()
                    + " component=" + component.getName() + " cause=" + e, e);
            }
            path.addLast("." + component.getName());
            components.put(component.getName(), encode(componentValue, component.getGenericType()));
            path.removeLast();
        }
        return node(TAG_RECORD, type.getName(), KEY_COMPONENTS, components);
    }

    private Map<String, Object> encodeArray(Object array, Class<?> type) {
        Class<?> component = type.getComponentType();
        int length = Array.getLength(array);
        List<Object> items = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            path.addLast("[" + i + "]");
            items.add(encode(Array.get(array, i), component));
            path.removeLast();
        }
        return node(TAG_ARRAY, component.getName(), KEY_ITEMS, items);
    }

    private List<Object> encodeElements(Collection<?> elements, Type element) {
        List<Object> out = new ArrayList<>(elements.size());
        int i = 0;
        for (Object e : elements) {
            path.addLast("[" + i++ + "]");
            out.add(encode(e, element));
            path.removeLast();
        }
        return out;
    }

    private List<Object> encodeEntries(Map<?, ?> map, Type declared) {
        Type keyType = typeArgument(declared, 0);
        Type valueType = typeArgument(declared, 1);
        List<Object> out = new ArrayList<>(map.size() * 2);
        int i = 0;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            path.addLast("[key#" + i + "]");
            out.add(encode(entry.getKey(), keyType));
            path.removeLast();
            path.addLast("[value#" + i + "]");
            out.add(encode(entry.getValue(), valueType));
            path.removeLast();
            i++;
        }
        return out;
    }

    private <R> R enter(Object container, java.util.function.Supplier<R> body) {
        if (onPath.put(container, Boolean.TRUE) != null) {
            throw fail("the value contains itself (a reference cycle): type="
                + container.getClass().getName() + "; mark the field transient");
        }
        try {
            return body.get();
        } finally {
            onPath.remove(container);
        }
    }

    /** Refuses a value the backend would rebuild as rebuilt, where declared cannot hold it. */
    private void requireHolds(Type declared, Class<?> rebuilt, Class<?> actual) {
        Class<?> raw = rawType(declared);
        if (!raw.isAssignableFrom(rebuilt)) {
            throw fail("the backend rebuilds this value as " + rebuilt.getName()
                + ", which the declared type cannot hold: declared=" + declared.getTypeName()
                + " actual=" + actual.getName() + "; declare it as an interface (List, Set, Map,"
                + " Collection) or mark the field transient");
        }
    }

    /** The raw class of a declared type; Object where it cannot be told. */
    static Class<?> rawType(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return rawType(p.getRawType());
        }
        if (type instanceof WildcardType w) {
            return rawType(w.getUpperBounds()[0]);
        }
        if (type instanceof TypeVariable<?> v) {
            return rawType(v.getBounds()[0]);
        }
        if (type instanceof GenericArrayType a) {
            return rawType(a.getGenericComponentType()).arrayType();
        }
        return Object.class;
    }

    /** The n-th type argument of declared (List&lt;E&gt;: E), or Object when not written. */
    private static Type typeArgument(Type declared, int n) {
        if (declared instanceof ParameterizedType p && p.getActualTypeArguments().length > n) {
            return p.getActualTypeArguments()[n];
        }
        return Object.class;
    }

    private static Map<String, Object> node(String tag, Object tagValue) {
        Map<String, Object> node = new LinkedHashMap<>(2);
        node.put(tag, tagValue);
        return node;
    }

    private static Map<String, Object> node(String tag, Object tagValue, String key, Object value) {
        Map<String, Object> node = new LinkedHashMap<>(4);
        node.put(tag, tagValue);
        node.put(key, value);
        return node;
    }

    // ------------------------------------------------------------------ decode

    /** Rebuilds a value from its tree; where names the field for error messages. */
    Object decode(String where, Object node) {
        path.clear();
        path.addLast(where);
        return decode(node);
    }

    private Object decode(Object node) {
        if (node == null) {
            return null;
        }
        if (node instanceof List<?> list) {
            return decodeElements(list, new ArrayList<>(list.size()));
        }
        if (node instanceof Map<?, ?> map) {
            return decodeTagged(map);
        }
        if (isCarriedAsIs(node.getClass())) {
            return node;
        }
        throw fail("unexpected node in a state tree: type=" + node.getClass().getName());
    }

    private <C extends Collection<Object>> C decodeElements(List<?> nodes, C out) {
        int i = 0;
        for (Object n : nodes) {
            path.addLast("[" + i++ + "]");
            out.add(decode(n));
            path.removeLast();
        }
        return out;
    }

    private Object decodeTagged(Map<?, ?> node) {
        if (node.containsKey(TAG_ENUM)) {
            return decodeEnum(className(node, TAG_ENUM), (String) node.get(KEY_NAME));
        }
        if (node.containsKey(TAG_CODEC)) {
            String tag = (String) node.get(TAG_CODEC);
            ForkCodec<?> codec = codecs.forTag(tag);
            if (codec == null) {
                throw fail("no fork codec for tag: tag=" + tag);
            }
            try {
                return codec.decode(node.get(KEY_VALUE));
            } catch (RuntimeException e) {
                throw fail("cannot rebuild: tag=" + tag + " cause=" + e, e);
            }
        }
        if (node.containsKey(TAG_RECORD)) {
            return decodeRecord(loadClass(className(node, TAG_RECORD)), (Map<?, ?>) node.get(KEY_COMPONENTS));
        }
        if (node.containsKey(TAG_ARRAY)) {
            return decodeArray(className(node, TAG_ARRAY), (List<?>) node.get(KEY_ITEMS));
        }
        if (node.containsKey(TAG_SET)) {
            List<?> items = (List<?>) node.get(TAG_SET);
            return decodeElements(items, new LinkedHashSet<>(items.size() * 2));
        }
        if (node.containsKey(TAG_MAP)) {
            return decodeMap((List<?>) node.get(TAG_MAP));
        }
        throw fail("a map node without a known tag in a state tree: keys=" + node.keySet());
    }

    private String className(Map<?, ?> node, String tag) {
        return (String) node.get(tag);
    }

    private Object decodeEnum(String className, String name) {
        Class<?> type = loadClass(className);
        if (!type.isEnum()) {
            throw fail("not an enum class: class=" + className);
        }
        for (Object constant : type.getEnumConstants()) {
            if (((Enum<?>) constant).name().equals(name)) {
                return constant;
            }
        }
        throw fail("no such enum constant: class=" + className + " name=" + name);
    }

    private Object decodeRecord(Class<?> type, Map<?, ?> components) {
        if (!type.isRecord()) {
            throw fail("not a record class: class=" + type.getName());
        }
        RecordComponent[] declared = type.getRecordComponents();
        Class<?>[] types = new Class<?>[declared.length];
        Object[] args = new Object[declared.length];
        for (int i = 0; i < declared.length; i++) {
            String name = declared[i].getName();
            if (!components.containsKey(name)) {
                throw fail("record component missing from the state tree: record=" + type.getName()
                    + " component=" + name);
            }
            types[i] = declared[i].getType();
            path.addLast("." + name);
            args[i] = decode(components.get(name));
            path.removeLast();
        }
        try {
            Constructor<?> canonical = type.getDeclaredConstructor(types);
            canonical.setAccessible(true);
            return canonical.newInstance(args);
        } catch (InvocationTargetException e) {
            throw fail("the record's canonical constructor threw: record=" + type.getName()
                + " cause=" + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw fail("cannot rebuild record: record=" + type.getName() + " cause=" + e, e);
        }
    }

    private Object decodeArray(String componentName, List<?> items) {
        Class<?> component = PRIMITIVES.get(componentName);
        if (component == null) {
            component = loadClass(componentName);
        }
        Object array = Array.newInstance(component, items.size());
        for (int i = 0; i < items.size(); i++) {
            path.addLast("[" + i + "]");
            Object item = decode(items.get(i));
            try {
                Array.set(array, i, item);
            } catch (IllegalArgumentException e) {
                throw fail("array element does not fit: component=" + componentName
                    + " element=" + (item == null ? "null" : item.getClass().getName()), e);
            }
            path.removeLast();
        }
        return array;
    }

    private Map<Object, Object> decodeMap(List<?> keysAndValues) {
        Map<Object, Object> map = new LinkedHashMap<>(keysAndValues.size());
        for (int i = 0; i + 1 < keysAndValues.size(); i += 2) {
            path.addLast("[key#" + i / 2 + "]");
            Object key = decode(keysAndValues.get(i));
            path.removeLast();
            path.addLast("[value#" + i / 2 + "]");
            map.put(key, decode(keysAndValues.get(i + 1)));
            path.removeLast();
        }
        return map;
    }

    private Class<?> loadClass(String name) {
        try {
            return Class.forName(name, false, loader);
        } catch (ClassNotFoundException e) {
            throw fail("class not found in the backend: class=" + name
                + " (the backend uses the frontend's java.class.path)", e);
        }
    }

    // ------------------------------------------------------------------ errors

    private IllegalStateException fail(String what) {
        return new IllegalStateException("field=" + String.join("", path) + ": " + what);
    }

    private IllegalStateException fail(String what, Throwable cause) {
        return new IllegalStateException("field=" + String.join("", path) + ": " + what, cause);
    }
}
