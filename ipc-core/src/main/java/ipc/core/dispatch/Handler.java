package ipc.core.dispatch;

import ipc.core.frame.FrameCodec;
import ipc.core.frame.FrameReader;
import ipc.core.MessageObject;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.StringJoiner;

/**
 * One {@code c__<command>} method, prepared once: its command and parameter names as the bytes a
 * frame holds, which frame types fit each parameter, and one method handle of the fixed type
 * {@link #INVOKER_TYPE} that reads the arguments and calls the method.
 *
 * <p>The invoker is the method's handle with one {@link ParameterExtractors} handle collected into
 * each parameter position ({@code MethodHandles.collectArguments}), then the repeated
 * {@code (frame, fieldIndex, references)} triples folded into one
 * ({@code MethodHandles.permuteArguments}). Immutable; shared by every dispatcher of the class.
 */
public final class Handler {

    /** {@code (Object target, FrameReader frame, int[] fieldIndex, Object[] references)Object}. */
    static final MethodType INVOKER_TYPE =
        MethodType.methodType(Object.class, Object.class, FrameReader.class, int[].class, Object[].class);

    /** Methods named this prefix plus a command are handlers. */
    static final String PREFIX = "c__";

    private final String command;
    private final byte[] commandBytes;
    private final int commandHash;
    private final boolean takesMessage;
    private final String[] parameterNames;
    private final byte[][] parameterNameBytes;
    private final Class<?>[] parameterTypes;
    /** Per parameter: {@link ParameterExtractors#fitMask}, 0 for a reference parameter. */
    private final long[] fitMasks;
    private final MethodHandle invoker;
    private final String signature;

    Handler(Method method, MethodHandles.Lookup lookup) {
        this(method, lookup, PREFIX.length());
    }

    /** A handler whose command is the method's name without its first {@code prefixLength} characters. */
    Handler(Method method, MethodHandles.Lookup lookup, int prefixLength) {
        this.command = method.getName().substring(prefixLength);
        this.commandBytes = FrameCodec.stringBytes(command);
        this.commandHash = FrameCodec.commandHash(command);
        Parameter[] parameters = method.getParameters();
        int n = parameters.length;
        this.parameterNames = new String[n];
        this.parameterNameBytes = new byte[n][];
        this.parameterTypes = method.getParameterTypes();
        this.fitMasks = new long[n];
        this.takesMessage = n == 1 && parameterTypes[0] == MessageObject.class;
        StringJoiner sig = new StringJoiner(", ", method.getDeclaringClass().getName() + "." + method.getName() + "(", ")");
        for (int j = 0; j < n; j++) {
            if (!takesMessage && parameterTypes[j] == MessageObject.class) {
                throw new IllegalStateException("a MessageObject parameter must be the handler's only parameter:"
                    + " method=" + method);
            }
            if (!takesMessage && !parameters[j].isNamePresent()) {
                throw new IllegalStateException("handler parameter names are not in the class file: method="
                    + method + "; compile with javac -parameters (Maven: maven-compiler-plugin"
                    + " <parameters>true</parameters>), parameters bind by name");
            }
            parameterNames[j] = parameters[j].getName();
            parameterNameBytes[j] = FrameCodec.stringBytes(parameterNames[j]);
            fitMasks[j] = ParameterExtractors.fitMask(parameterTypes[j]);
            sig.add(parameterTypes[j].getSimpleName() + " " + parameterNames[j]);
        }
        this.signature = sig.toString();
        this.invoker = buildInvoker(method, lookup);
    }

    private MethodHandle buildInvoker(Method method, MethodHandles.Lookup lookup) {
        MethodHandle target;
        try {
            method.setAccessible(true);
            target = lookup.unreflect(method);
        } catch (IllegalAccessException | RuntimeException e) {
            throw new IllegalStateException("cannot access handler: method=" + method + " cause=" + e
                + " (a class in a named module must open its package to ipc-core)", e);
        }
        if (Modifier.isStatic(method.getModifiers())) {
            target = MethodHandles.dropArguments(target, 0, Object.class);
        }
        target = target.asType(target.type().changeParameterType(0, Object.class).changeReturnType(Object.class));
        int n = parameterTypes.length;
        int[] reorder = new int[1 + 3 * n];
        for (int j = 0; j < n; j++) {
            target = MethodHandles.collectArguments(target, 1 + 3 * j,
                ParameterExtractors.forParameter(parameterTypes[j], j));
            reorder[1 + 3 * j] = 1;
            reorder[2 + 3 * j] = 2;
            reorder[3 + 3 * j] = 3;
        }
        return MethodHandles.permuteArguments(target, INVOKER_TYPE, reorder);
    }

    String command() {
        return command;
    }

    int commandHash() {
        return commandHash;
    }

    /** True when the frame's command is this handler's (compares bytes, no allocation). */
    boolean matches(FrameReader frame) {
        return frame.commandEquals(commandBytes);
    }

    /** True for a handler with one MessageObject parameter: no binding by name. */
    boolean takesMessage() {
        return takesMessage;
    }

    int parameterCount() {
        return parameterTypes.length;
    }

    /** The parameter whose name is field's key, or -1 (no allocation). */
    int parameterOf(FrameReader frame, int field) {
        for (int j = 0; j < parameterNameBytes.length; j++) {
            if (frame.keyEquals(field, parameterNameBytes[j])) {
                return j;
            }
        }
        return -1;
    }

    boolean isPrimitive(int j) {
        return fitMasks[j] != 0;
    }

    /** True when a value with this frame type tag fits primitive parameter j. */
    boolean fits(int j, byte tag) {
        return (fitMasks[j] & (1L << tag)) != 0;
    }

    Class<?> parameterType(int j) {
        return parameterTypes[j];
    }

    String parameterName(int j) {
        return parameterNames[j];
    }

    /** Of type {@link #INVOKER_TYPE}; call with invokeExact. */
    MethodHandle invoker() {
        return invoker;
    }

    /** "com.x.MyProcess.c__myStuff(String parameter, int n)", for error messages. */
    public String signature() {
        return signature;
    }
}
