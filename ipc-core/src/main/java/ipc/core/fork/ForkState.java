package ipc.core.fork;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import sun.reflect.ReflectionFactory;

/**
 * The "fork" of a MessageProcess: captures an object's state in the frontend and rebuilds the
 * object in a backend JVM without running the user's constructors.
 *
 * <p>What is captured: every non-static, non-transient field declared by the classes between the
 * object's class and the <em>boundary</em> class (exclusive; for MessageProcess the boundary is
 * MessageProcess itself), plus the boundary fields named at construction (MessageProcess hands
 * over {@code listening} and {@code timeout}). Each value is encoded by {@link StateTree}; a field
 * it cannot carry makes {@link #capture} throw an IllegalStateException naming the class, the
 * field and the type, and suggesting {@code transient}.
 *
 * <p>The tree, a value a MessageObject can carry (it can be the kwargs of one MessageObject):
 * <pre>
 *   {"class": "com.x.MyProcess",
 *    "fields": {"com.x.MyProcess": {"count": 3, "names": ["a", "b"]},
 *               "com.x.BaseProcess": {...},
 *               "ipc.core.MessageProcess": {"listening": false, "timeout": {"@codec": ...}}}}
 * </pre>
 *
 * <p>Restoring allocates the object with the JDK's serialization technique
 * ({@code sun.reflect.ReflectionFactory#newConstructorForSerialization}, module jdk.unsupported):
 * only the boundary's no-argument constructor runs (for Object: nothing), no constructor or field
 * initializer of the classes below it does. Then every captured field is set reflectively,
 * final fields included. Transient fields of those classes are therefore null / 0 / false in the
 * backend. Static state is the backend's own: static initializers run there again.
 */
public final class ForkState {

    public static final String KEY_CLASS = "class";
    public static final String KEY_FIELDS = "fields";

    private final Class<?> boundary;
    private final List<Field> boundaryFields;
    private final Constructor<?> boundaryConstructor;
    private final ForkCodecs codecs;

    /**
     * @param boundary       the library base class; its no-argument constructor (any access)
     *                       is the one constructor that runs when restoring
     * @param boundaryFields names of fields declared by the boundary that travel too
     * @param codecs         codecs for handles and other special types
     */
    public ForkState(Class<?> boundary, Collection<String> boundaryFields, ForkCodecs codecs) {
        this.boundary = boundary;
        this.codecs = codecs;
        this.boundaryFields = new ArrayList<>(boundaryFields.size());
        for (String name : boundaryFields) {
            try {
                Field field = boundary.getDeclaredField(name);
                if (Modifier.isStatic(field.getModifiers())) {
                    throw new IllegalArgumentException("boundary field is static: class="
                        + boundary.getName() + " field=" + name);
                }
                field.setAccessible(true);
                this.boundaryFields.add(field);
            } catch (NoSuchFieldException e) {
                throw new IllegalArgumentException("no such boundary field: class=" + boundary.getName()
                    + " field=" + name, e);
            }
        }
        try {
            this.boundaryConstructor = boundary.getDeclaredConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("the boundary class needs a no-argument constructor (it is"
                + " the one constructor that runs in the backend): class=" + boundary.getName(), e);
        }
    }

    /** A ForkState with the built-in codecs. */
    public ForkState(Class<?> boundary, Collection<String> boundaryFields) {
        this(boundary, boundaryFields, ForkCodecs.BUILT_IN);
    }

    /**
     * Refuses a class the backend cannot rebuild: an inner (non-static nested), local, anonymous
     * or hidden class anywhere between type and the boundary, or a class the backend cannot load
     * by name from the class path.
     *
     * @throws IllegalStateException naming the class and what it is
     */
    public void requireRebuildable(Class<?> type) {
        for (Class<?> c = type; c != boundary && c != null; c = c.getSuperclass()) {
            String kind = c.isAnonymousClass() ? "an anonymous class"
                : c.isLocalClass() ? "a local class"
                : c.isHidden() ? "a hidden class"
                : c.isMemberClass() && !Modifier.isStatic(c.getModifiers()) ? "an inner (non-static nested) class"
                : null;
            if (kind != null) {
                throw new IllegalStateException("cannot rebuild this class in a backend: class=" + c.getName()
                    + " is " + kind + "; a " + boundary.getSimpleName() + " subclass must be a top-level"
                    + " or static nested class (the backend creates it by name, without an enclosing"
                    + " instance)");
            }
        }
        ClassLoader appLoader = ClassLoader.getSystemClassLoader();
        try {
            if (Class.forName(type.getName(), false, appLoader) == type) {
                return;
            }
        } catch (ClassNotFoundException e) {
            // fall through to the error below
        }
        throw new IllegalStateException("cannot rebuild this class in a backend: class=" + type.getName()
            + " loader=" + type.getClassLoader() + " is not loaded from the class path the backend gets"
            + " (java.class.path)");
    }

    /**
     * Captures instance's state as a tree of values a MessageObject carries.
     *
     * @throws IllegalStateException when the class cannot be rebuilt or a field cannot be carried
     */
    public Map<String, Object> capture(Object instance) {
        Class<?> type = instance.getClass();
        if (!boundary.isInstance(instance)) {
            throw new IllegalArgumentException("not a subclass of the boundary: class=" + type.getName()
                + " boundary=" + boundary.getName());
        }
           requireRebuildable(type);
        StateTree tree = new StateTree(codecs, type.getClassLoader());
        Map<String, Object> fieldsByClass = new LinkedHashMap<>();
        for (Class<?> c = type; c != boundary; c = c.getSuperclass()) {
            Map<String, Object> fields = new LinkedHashMap<>();
            for (Field field : c.getDeclaredFields()) {
                int modifiers = field.getModifiers();
                if (!Modifier.isStatic(modifiers) && !Modifier.isTransient(modifiers)) {
                    fields.put(field.getName(), captureField(tree, instance, field));
                }
            }
            fieldsByClass.put(c.getName(), fields);
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Field field : boundaryFields) {
            fields.put(field.getName(), captureField(tree, instance, field));
        }
        fieldsByClass.put(boundary.getName(), fields);

        Map<String, Object> state = new LinkedHashMap<>();
        state.put(KEY_CLASS, type.getName());
        state.put(KEY_FIELDS, fieldsByClass);
        return state;
    }

    /**
     * The values of type held by instance's captured fields: directly, or inside arrays,
     * collections and map values (the shapes {@link StateTree} carries), each once. The frontend
     * uses it to find the EventGroups whose waiters it aborts when the backend dies.
     */
    public <T> List<T> handlesOf(Object instance, Class<T> type) {
        Map<Object, Boolean> seen = new java.util.IdentityHashMap<>();
        List<T> found = new ArrayList<>();
        for (Class<?> c = instance.getClass(); c != boundary && c != null; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                int modifiers = field.getModifiers();
                if (Modifier.isStatic(modifiers) || Modifier.isTransient(modifiers) || field.getType().isPrimitive()) {
                    continue;
                }
                try {
                    field.setAccessible(true);
                    collect(field.get(instance), type, found, seen, 0);
                } catch (IllegalAccessException | RuntimeException e) {
                    // capture() reports an unreadable field; nothing to collect here
                }
            }
        }
        return found;
    }

    /** Nesting depth past which handlesOf stops looking; StateTree refuses deeper trees anyway. */
    private static final int MAX_HANDLE_DEPTH = 16;

    private static <T> void collect(Object value, Class<T> type, List<T> found, Map<Object, Boolean> seen, int depth) {
        if (value == null || depth > MAX_HANDLE_DEPTH || seen.put(value, Boolean.TRUE) != null) {
            return;
        }
        if (type.isInstance(value)) {
            found.add(type.cast(value));
        } else if (value instanceof Object[] array) {
            for (Object element : array) {
                collect(element, type, found, seen, depth + 1);
            }
        } else if (value instanceof Collection<?> collection) {
            for (Object element : collection) {
                collect(element, type, found, seen, depth + 1);
            }
        } else if (value instanceof Map<?, ?> map) {
            for (Object element : map.values()) {
                collect(element, type, found, seen, depth + 1);
            }
        }
    }

    private Object captureField(StateTree tree, Object instance, Field field) {
        String where = field.getDeclaringClass().getName() + "." + field.getName();
        if (!tree.canEverHold(field.getType())) {
            throw new IllegalStateException("field=" + where + ": a field of this type cannot be rebuilt"
                + " in the backend: type=" + field.getType().getName() + "; mark it transient (it is"
                + " then null/0/false in the backend; set it in preRun__)");
        }
        Object value;
        try {
            field.setAccessible(true);
            value = field.get(instance);
        } catch (IllegalAccessException | RuntimeException e) {
            throw new IllegalStateException("field=" + where + ": cannot read it: " + e, e);
        }
        return tree.encode(where, value, field.getGenericType());
    }

    /**
     * Rebuilds the object a {@link #capture} tree describes; classes are loaded through loader.
     * No constructor runs except the boundary's no-argument one.
     *
     * @throws IllegalStateException naming the class or field that could not be rebuilt
     */
    public Object restore(Map<String, ?> state, ClassLoader loader) {
        String className = (String) state.get(KEY_CLASS);
        Class<?> type;
        try {
            type = Class.forName(className, true, loader);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("class not found in the backend: class=" + className
                + " (the backend uses the frontend's java.class.path)", e);
        }
        if (!boundary.isAssignableFrom(type) || type == boundary) {
            throw new IllegalStateException("not a subclass of the boundary: class=" + className
                + " boundary=" + boundary.getName());
        }
        Object instance = allocateWithoutConstructor(type);
        StateTree tree = new StateTree(codecs, loader);
        Map<?, ?> fieldsByClass = (Map<?, ?>) state.get(KEY_FIELDS);
        for (Map.Entry<?, ?> perClass : fieldsByClass.entrySet()) {
            Class<?> declaring = classInChain(type, (String) perClass.getKey());
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) perClass.getValue()).entrySet()) {
                restoreField(tree, instance, declaring, (String) entry.getKey(), entry.getValue());
            }
        }
        return instance;
    }

    private void restoreField(StateTree tree, Object instance, Class<?> declaring, String name, Object node) {
        String where = declaring.getName() + "." + name;
        Field field;
        try {
            field = declaring.getDeclaredField(name);
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("field=" + where + ": no such field in the backend's class", e);
        }
        if (Modifier.isStatic(field.getModifiers())) {
            throw new IllegalStateException("field=" + where + ": is static in the backend's class");
        }
        Object value = tree.decode(where, node);
        try {
            field.setAccessible(true);
            field.set(instance, value);
        } catch (IllegalAccessException | IllegalArgumentException e) {
            throw new IllegalStateException("field=" + where + ": cannot set it: type="
                + field.getType().getName() + " value=" + (value == null ? "null" : value.getClass().getName())
                + " cause=" + e, e);
        }
    }

    /** type itself or one of its superclasses up to and including the boundary, by name. */
    private Class<?> classInChain(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(name)) {
                return c;
            }
            if (c == boundary) {
                break;
            }
        }
        throw new IllegalStateException("class=" + name + " is not in the class chain of " + type.getName()
            + " up to " + boundary.getName());
    }

    /** The instance, with only the boundary's no-argument constructor run (see class javadoc). */
    private Object allocateWithoutConstructor(Class<?> type) {
        try {
            Constructor<?> allocator = ReflectionFactory.getReflectionFactory()
                .newConstructorForSerialization(type, boundaryConstructor);
            return allocator.newInstance();
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("the boundary constructor threw while rebuilding: class="
                + type.getName() + " cause=" + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot allocate without a constructor: class=" + type.getName()
                + " cause=" + e, e);
        }
    }
}
