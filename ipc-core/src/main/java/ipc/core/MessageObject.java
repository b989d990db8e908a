package ipc.core;

import ipc.core.frame.FrameDescriptor;
import ipc.core.frame.MessageAccess;
import ipc.core.frame.ValueType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * A command plus named parameters: the message that crosses a channel (the seed's
 * {@code MessageObject(command, **kwargs)}).
 *
 * <pre>{@code
 * new MessageObject("myStuff", "parameter", "gotcha!", "n", 3)   // key, value, key, value ...
 * new MessageObject("myStuff", Map.of("parameter", "gotcha!"))
 * }</pre>
 *
 * <p>Values are {@code null}, {@link Boolean}, {@link Byte}, {@link Short}, {@link Integer},
 * {@link Long}, {@link Float}, {@link Double}, {@link Character}, {@link String}, {@code byte[]},
 * {@code int[]}, {@code long[]}, {@code double[]}, enum constants (they cross by name), and
 * {@link List}s and {@link Map}s with String keys of these, nested up to
 * {@link #MAX_NESTING_DEPTH}. Anything else is rejected at construction with an
 * {@link IllegalArgumentException} that names the key and the type.
 *
 * <p>Immutable, except for arrays: an array value is held, not copied (copying would cost every
 * message an allocation), so do not modify an array after passing it in. Lists and maps are
 * copied into unmodifiable collections at construction. Parameters keep their insertion order.
 */
public final class MessageObject {
    /**
     * How deep Lists and Maps may nest (a top-level parameter is depth 0, a List in it depth 1).
     * 32 is far beyond any message shape we know of and bounds the recursion of the encoder and
     * of the frame reader, so that neither a cyclic structure here nor a hostile frame on the
     * reading side can overflow a thread's stack.
     */
    public static final int MAX_NESTING_DEPTH = 32;

    /**
     * Up to this many parameters, duplicate keys are found by comparing each key with the ones
     * before it (no allocation; 28 comparisons at 8); more go through a HashSet, so a message with
     * thousands of parameters is checked in linear time.
     */
    private static final int LINEAR_DUPLICATE_CHECK = 8;

    private final String command;
    private final String[] keys;
    private final Object[] values;
    /** The {@link FrameDescriptor} TYPE_ tag of each value, computed once so encoding needs no type test. */
    private final byte[] tags;
    /**
     * {@link #kwargs()}, built on first use: a message that only crosses a channel and is read with
     * {@code get}/{@code getLong}... never needs the map (building one is most of a small message's
     * construction cost). Volatile: a MessageObject may be shared between threads; two threads that
     * race build equal maps and either may win.
     */
    private volatile Map<String, Object> kwargs;

    static {
        MessageAccess.register(new Access()); // first: the frame codec may need it while this class initialises
    }

    /**
     * A message from alternating keys and values: {@code "k1", v1, "k2", v2, ...}.
     *
     * @throws IllegalArgumentException when the list has odd length, a key is not a String or is
     *         repeated, or a value has an unsupported type
     * @throws NullPointerException when {@code command} is null
     */
    public MessageObject(String command, Object... keysAndValues) {
        this.command = Objects.requireNonNull(command, "command");
        Objects.requireNonNull(keysAndValues, "keysAndValues");
        if ((keysAndValues.length & 1) != 0) {
            throw new IllegalArgumentException("keys and values must alternate, got an odd count: command="
                + command + ", count=" + keysAndValues.length);
        }
        int n = keysAndValues.length >> 1;
        this.keys = new String[n];
        this.values = new Object[n];
        this.tags = new byte[n];
        Set<String> seen = n > LINEAR_DUPLICATE_CHECK ? HashSet.newHashSet(n) : null;
        for (int i = 0; i < n; i++) {
            Object key = keysAndValues[2 * i];
            if (!(key instanceof String k)) {
                throw new IllegalArgumentException("key must be a String: command=" + command + ", position="
                    + (2 * i) + ", key=" + key + ", type=" + typeName(key));
            }
            if (seen != null ? !seen.add(k) : indexOf(k, i) >= 0) {
                throw new IllegalArgumentException("duplicate key: command=" + command + ", key=" + k);
            }
            put(i, k, keysAndValues[2 * i + 1]);
        }
    }

    /**
     * A message from a map of parameters (iteration order of {@code kwargs} is kept).
     *
     * @throws IllegalArgumentException when a key is not a String or a value has an unsupported type
     * @throws NullPointerException when {@code command} or {@code kwargs} is null
     */
    public MessageObject(String command, Map<String, ?> kwargs) {
        this.command = Objects.requireNonNull(command, "command");
        Objects.requireNonNull(kwargs, "kwargs");
        int n = kwargs.size();
        this.keys = new String[n];
        this.values = new Object[n];
        this.tags = new byte[n];
        int i = 0;
        for (Map.Entry<?, ?> e : kwargs.entrySet()) {
            if (!(e.getKey() instanceof String k)) {
                throw new IllegalArgumentException("key must be a String: command=" + command + ", key="
                    + e.getKey() + ", type=" + typeName(e.getKey()));
            }
            put(i++, k, e.getValue()); // a Map's keys are distinct
        }
    }

    /**
     * Trusted: the frame reader builds values that are already valid and copied, with their tags
     * ({@link ValueType#tagsOf}). The arrays are held, not copied: the frame reader shares one key
     * array and one tag array between the messages of one shape ({@code MessageShapes}), which is
     * safe because this class never changes them or hands them out.
     */
    private MessageObject(String command, String[] keys, byte[] tags, Object[] values) {
        this.command = command;
        this.keys = keys;
        this.values = values;
        this.tags = tags;
    }

    private void put(int i, String key, Object value) {
        Object copy = checkedCopy(value, key, 0);
        keys[i] = key;
        values[i] = copy;
        tags[i] = ValueType.tagOf(copy);
    }

    /** Validates {@code value} (recursively) and copies Lists and Maps into unmodifiable ones. */
    private Object checkedCopy(Object value, String path, int depth) {
        byte tag = ValueType.tagOf(value);
        if (tag < 0) {
            throw new IllegalArgumentException("unsupported value type: command=" + command + ", key=" + path
                + ", type=" + typeName(value));
        }
        if (tag == FrameDescriptor.TYPE_LIST || tag == FrameDescriptor.TYPE_MAP) {
            if (depth >= MAX_NESTING_DEPTH) {
                throw new IllegalArgumentException("nested too deep: command=" + command + ", key=" + path
                    + ", type=" + typeName(value) + ", maxNestingDepth=" + MAX_NESTING_DEPTH);
            }
            if (tag == FrameDescriptor.TYPE_LIST) {
                List<?> list = (List<?>) value;
                ArrayList<Object> copy = new ArrayList<>(list.size());
                int index = 0;
                for (Object element : list) {
                    copy.add(checkedCopy(element, path + "[" + index++ + "]", depth + 1));
                }
                return Collections.unmodifiableList(copy);
            }
            Map<?, ?> map = (Map<?, ?>) value;
            LinkedHashMap<String, Object> copy = LinkedHashMap.newLinkedHashMap(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String k)) {
                    throw new IllegalArgumentException("map key must be a String: command=" + command + ", key="
                        + path + ", mapKey=" + e.getKey() + ", type=" + typeName(e.getKey()));
                }
                copy.put(k, checkedCopy(e.getValue(), path + "." + k, depth + 1));
            }
            return Collections.unmodifiableMap(copy);
        }
        return value;
    }

    private static String typeName(Object o) {
        return o == null ? "null" : o.getClass().getName();
    }

    /** The command (the seed's {@code msg()}): the backend runs {@code c__<command>}. */
    public String command() {
        return command;
    }

    /** True when the message has a parameter named {@code key} (its value may be null). */
    public boolean has(String key) {
        return indexOf(key) >= 0;
    }

    /**
     * The value of parameter {@code key} (the seed's {@code msg[key]}).
     *
     * @throws NoSuchElementException when there is no such parameter
     */
    public Object get(String key) {
        int i = indexOf(key);
        if (i < 0) {
            throw new NoSuchElementException("no such parameter: command=" + command + ", key=" + key
                + ", keys=" + Arrays.toString(keys));
        }
        return values[i];
    }

    /** Parameter {@code key} as an int: Byte, Short, Character or Integer (Java's widening rules). */
    public int getInt(String key) {
        Object v = get(key);
        return switch (v) {
            case Integer i -> i;
            case Short s -> s;
            case Byte b -> b;
            case Character c -> c;
            case null, default -> throw wrongType(key, v, "int");
        };
    }

    /** Parameter {@code key} as a long: any integral type or Character (Java's widening rules). */
    public long getLong(String key) {
        Object v = get(key);
        return switch (v) {
            case Long l -> l;
            case Integer i -> i;
            case Short s -> s;
            case Byte b -> b;
            case Character c -> c;
            case null, default -> throw wrongType(key, v, "long");
        };
    }

    /** Parameter {@code key} as a double: any numeric type or Character (Java's widening rules). */
    public double getDouble(String key) {
        Object v = get(key);
        return switch (v) {
            case Double d -> d;
            case Float f -> f;
            case Long l -> l;
            case Integer i -> i;
            case Short s -> s;
            case Byte b -> b;
            case Character c -> c;
            case null, default -> throw wrongType(key, v, "double");
        };
    }

    /** Parameter {@code key} as a boolean (a Boolean value only). */
    public boolean getBoolean(String key) {
        Object v = get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrongType(key, v, "boolean");
    }

    /** Parameter {@code key} as a String (a String or null value). */
    public String getString(String key) {
        Object v = get(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw wrongType(key, v, "String");
    }

    /** Parameter {@code key} as a byte[] (a byte[] or null value; the array itself, not a copy). */
    public byte[] getBytes(String key) {
        Object v = get(key);
        if (v == null || v instanceof byte[]) {
            return (byte[]) v;
        }
        throw wrongType(key, v, "byte[]");
    }

    private RuntimeException wrongType(String key, Object v, String wanted) {
        return new ClassCastException("parameter does not fit " + wanted + ": command=" + command + ", key=" + key
            + ", type=" + typeName(v));
    }

    /** The parameters, in insertion order; unmodifiable. */
    public Map<String, Object> kwargs() {
        Map<String, Object> map = kwargs;
        if (map == null) {
            LinkedHashMap<String, Object> built = LinkedHashMap.newLinkedHashMap(keys.length);
            for (int i = 0; i < keys.length; i++) {
                built.put(keys[i], values[i]);
            }
            map = Collections.unmodifiableMap(built);
            kwargs = map;
        }
        return map;
    }

    // --- for the frame codec (ipc.core.frame.MessageAccess): index-based, so encoding allocates no iterator ---

    private static final class Access extends MessageAccess {
        @Override
        public MessageObject create(String command, String[] keys, byte[] tags, Object[] values) {
            return new MessageObject(command, keys, tags, values);
        }

        @Override
        public int parameterCount(MessageObject message) {
            return message.keys.length;
        }

        @Override
        public String key(MessageObject message, int i) {
            return message.keys[i];
        }

        @Override
        public Object value(MessageObject message, int i) {
            return message.values[i];
        }

        @Override
        public byte tag(MessageObject message, int i) {
            return message.tags[i];
        }
    }

    private int indexOf(String key) {
        return indexOf(key, keys.length);
    }

    /** The index of {@code key} among the first {@code count} keys, or -1. */
    private int indexOf(String key, int count) {
        for (int i = 0; i < count; i++) {
            if (keys[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    /** Equal when the commands are equal and every parameter is, in order; arrays compare by content. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MessageObject other) || !command.equals(other.command)
            || !Arrays.equals(keys, other.keys)) {
            return false;
        }
        for (int i = 0; i < values.length; i++) {
            if (!valueEquals(values[i], other.values[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = command.hashCode() * 31 + Arrays.hashCode(keys);
        for (Object v : values) {
            h = h * 31 + valueHash(v);
        }
        return h;
    }

    /** "&lt;MessageObject: myStuff: {parameter=gotcha!, n=3}&gt;" (the seed's form; arrays by content). */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(32 + 16 * keys.length);
        sb.append("<MessageObject: ").append(command).append(": {");
        for (int i = 0; i < keys.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(keys[i]).append('=');
            appendValue(sb, values[i]);
        }
        return sb.append("}>").toString();
    }

    private static void appendValue(StringBuilder sb, Object v) {
        switch (v) {
            case byte[] a -> sb.append(Arrays.toString(a));
            case int[] a -> sb.append(Arrays.toString(a));
            case long[] a -> sb.append(Arrays.toString(a));
            case double[] a -> sb.append(Arrays.toString(a));
            case List<?> list -> {
                sb.append('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) {
                        sb.append(", ");
                    }
                    appendValue(sb, list.get(i));
                }
                sb.append(']');
            }
            case Map<?, ?> map -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (!first) {
                        sb.append(", ");
                    }
                    first = false;
                    sb.append(e.getKey()).append('=');
                    appendValue(sb, e.getValue());
                }
                sb.append('}');
            }
            case null, default -> sb.append(v);
        }
    }

    static boolean valueEquals(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        return switch (a) {
            case byte[] x -> b instanceof byte[] y && Arrays.equals(x, y);
            case int[] x -> b instanceof int[] y && Arrays.equals(x, y);
            case long[] x -> b instanceof long[] y && Arrays.equals(x, y);
            case double[] x -> b instanceof double[] y && Arrays.equals(x, y);
            case List<?> x -> {
                if (!(b instanceof List<?> y) || x.size() != y.size()) {
                    yield false;
                }
                for (int i = 0; i < x.size(); i++) {
                    if (!valueEquals(x.get(i), y.get(i))) {
                        yield false;
                    }
                }
                yield true;
            }
            case Map<?, ?> x -> {
                if (!(b instanceof Map<?, ?> y) || x.size() != y.size()) {
                    yield false;
                }
                for (Map.Entry<?, ?> e : x.entrySet()) {
                    if (!y.containsKey(e.getKey()) || !valueEquals(e.getValue(), y.get(e.getKey()))) {
                        yield false;
                    }
                }
                yield true;
            }
            default -> a.equals(b);
        };
    }

    private static int valueHash(Object v) {
        return switch (v) {
            case null -> 0;
            case byte[] a -> Arrays.hashCode(a);
            case int[] a -> Arrays.hashCode(a);
            case long[] a -> Arrays.hashCode(a);
            case double[] a -> Arrays.hashCode(a);
            case List<?> list -> {
                int h = 1;
                for (Object e : list) {
                    h = 31 * h + valueHash(e);
                }
                yield h;
            }
            case Map<?, ?> map -> {
                int h = 0;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    h += e.getKey().hashCode() ^ valueHash(e.getValue());
                }
                yield h;
            }
            default -> v.hashCode();
        };
    }
}
