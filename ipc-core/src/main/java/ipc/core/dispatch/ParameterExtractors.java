package ipc.core.dispatch;

import ipc.core.frame.FrameDescriptor;
import ipc.core.frame.FrameReader;
import ipc.core.MessageObject;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * One method handle per handler parameter, each of the form
 * {@code (FrameReader frame, int[] fieldIndex, Object[] references)T} for a parameter of type T:
 * a primitive is read from the frame at {@code fieldIndex[j]} (the Java default when it is -1)
 * without allocation; a reference was decoded and checked while binding and is taken from
 * {@code references[j]}. Which frame types fit a primitive parameter is {@link #fitMask}: Java's
 * widening primitive conversions.
 */
public final class ParameterExtractors {

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();

    private ParameterExtractors() {
    }

    /**
     * The frame type tags a value of which fits a parameter of this primitive type, one bit per
     * tag ({@code 1L << tag}); 0 for a reference type. Java's widening: byte fits short, int,
     * long, float, double; char fits int, long, float, double; and so on. Null fits no primitive.
     */
    static long fitMask(Class<?> type) {
        long integral = bit(FrameDescriptor.TYPE_BYTE);
        if (type == boolean.class) {
            return bit(FrameDescriptor.TYPE_BOOLEAN);
        }
        if (type == byte.class) {
            return integral;
        }
        integral |= bit(FrameDescriptor.TYPE_SHORT);
        if (type == short.class) {
            return integral;
        }
        if (type == char.class) {
            return bit(FrameDescriptor.TYPE_CHAR);
        }
        integral |= bit(FrameDescriptor.TYPE_CHAR) | bit(FrameDescriptor.TYPE_INT);
        if (type == int.class) {
            return integral;
        }
        integral |= bit(FrameDescriptor.TYPE_LONG);
        if (type == long.class) {
            return integral;
        }
        if (type == float.class) {
            return integral | bit(FrameDescriptor.TYPE_FLOAT);
        }
        if (type == double.class) {
            return integral | bit(FrameDescriptor.TYPE_FLOAT) | bit(FrameDescriptor.TYPE_DOUBLE);
        }
        return 0;
    }

    private static long bit(byte tag) {
        return 1L << tag;
    }

    /** The extractor for parameter j of type type (see class javadoc). */
    static MethodHandle forParameter(Class<?> type, int j) {
        String name = type.isPrimitive() ? type.getName() + "At"
            : type == MessageObject.class ? "messageAt" : "referenceAt";
        Class<?> returned = type.isPrimitive() || type == MessageObject.class ? type : Object.class;
        try {
            MethodHandle extractor = LOOKUP.findStatic(ParameterExtractors.class, name,
                MethodType.methodType(returned, FrameReader.class, int[].class, Object[].class, int.class));
            extractor = MethodHandles.insertArguments(extractor, 3, j);
            return extractor.asType(extractor.type().changeReturnType(type));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalStateException("no extractor: type=" + type.getName(), e);
        }
    }

    private static boolean booleanAt(FrameReader frame, int[] fieldIndex, Object[] references, int j) {
        int field = fieldIndex[j];
        return field >= 0 && frame.getBoolean(field);
    }

    private static byte byteAt(FrameReader frame, int[] fieldIndex, Object[] references, int j) {
        int field = fieldIndex[j];
        return field < 0 ? 0 : (byte) frame.getInt(field);
    }

    private static short shortAt(FrameReader frame, int[] fieldIndex, Object[] references, int j) {
        int field = fieldIndex[j];
        return field < 0 ? 0 : (short) frame.getInt(field);
    }

    private static char charAt(FrameReader frame, int[] fieldIndex, Object[] references, int j) {
        int field = fieldIndex[j];
        return field < 0 ? '\0' : frame.getChar(field);
    }

    private static int intAt(FrameReader frame, int[] fieldIndex, Object[] references, int j) {
        int field = fieldIndex[j];
        return field < 0 ? 0 : frame.getInt(field);
    }

    private static long longAt(FrameReader frame, int[] fieldIndex, Object[] references, int j) {
        int field = fieldIndex[j];
        return field < 0 ? 0L : frame.getLong(field);
    }

    /** A long or a float is converted once, as Java does; going through double would round twice. */
    private static float floatAt(FrameReader frame, int[] fieldIndex, Object[] references, int j) {
        int field = fieldIndex[j];
        if (field < 0) {
            return 0f;
        }
        return switch (frame.typeTag(field)) {
            case FrameDescriptor.TYPE_FLOAT -> (float) frame.getDouble(field);
            case FrameDescriptor.TYPE_LONG -> (float) frame.getLong(field);
            default -> (float) frame.getInt(field);
        };
    }

    private static double doubleAt(FrameReader frame, int[] fieldIndex, Object[] references, int j) {
        int field = fieldIndex[j];
        return field < 0 ? 0d : frame.getDouble(field);
    }

    private static Object referenceAt(FrameReader frame, int[] fieldIndex, Object[] references, int j) {
        return references[j];
    }

    private static MessageObject messageAt(FrameReader frame, int[] fieldIndex, Object[] references, int j) {
        return frame.toMessageObject();
    }
}
