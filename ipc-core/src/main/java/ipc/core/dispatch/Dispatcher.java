package ipc.core.dispatch;

import ipc.core.frame.FrameReader;
import ipc.core.frame.ValueType;

import java.util.Arrays;

/**
 * Runs the {@code c__} handler a frame names on one target object. One per backend loop thread:
 * it owns the scratch arrays that carry arguments to the handler's invoker (not thread-safe).
 *
 * <p>Binding: each field of the frame goes to the parameter of the same name (bytes compared,
 * no String made); a parameter no field names gets Java's default (null, 0, false). A value fits
 * a parameter by Java's widening conversions; a primitive parameter is read from the frame by
 * its invoker and nothing is allocated for it. A reference parameter's value is decoded (which
 * allocates) and checked with {@code isInstance}, so an int does not fit a Long, and a List fits a
 * List, Collection or Object parameter. A handler whose one parameter is a MessageObject gets
 * the whole frame as one.
 */
public final class Dispatcher {

    private final Object target;
    private final HandlerTable table;
    /** Per parameter of the handler being called: the frame field bound to it, or -1. */
    private final int[] fieldIndex;
    /** Per parameter: the decoded value of a reference parameter; cleared after each call. */
    private final Object[] references;

    public Dispatcher(Object target) {
        this(target, HandlerTable.of(target.getClass()));
    }

    public Dispatcher(Object target, HandlerTable table) {
        this.target = target;
        this.table = table;
        this.fieldIndex = new int[table.maxParameterCount()];
        this.references = new Object[table.maxParameterCount()];
    }

    /**
     * Calls the handler of frame's command with the frame's fields as arguments.
     *
     * @return what the handler returned (null for void; AsyncBackMessageProcess waits for a
     *         returned CompletionStage)
     * @throws DispatchException unknown command, unknown or repeated parameter, a value that does
     *         not fit, or a handler that threw (an Exception or an Error other than a
     *         VirtualMachineError, which is rethrown as it is)
     */
    public Object dispatch(FrameReader frame) {
        Handler handler = table.find(frame);
        if (handler == null) {
            throw DispatchException.unknownCommand(frame.command(), table.commands());
        }
        return dispatch(handler, frame);
    }

    /** The handler table this dispatcher calls into. */
    public HandlerTable table() {
        return table;
    }

    /** Calls {@code handler} (found in this dispatcher's table) with the frame's fields; throws as {@link #dispatch(FrameReader)}. */
    public Object dispatch(Handler handler, FrameReader frame) {
        try {
            if (!handler.takesMessage()) {
                bind(handler, frame);
            }
            try {
                return (Object) handler.invoker().invokeExact(target, frame, fieldIndex, references);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable t) {
                throw DispatchException.handlerThrew(handler.command(), t);
            }
        } finally {
            Arrays.fill(references, 0, handler.parameterCount(), null);
        }
    }

    private void bind(Handler handler, FrameReader frame) {
        int parameters = handler.parameterCount();
        for (int j = 0; j < parameters; j++) {
            fieldIndex[j] = -1;
        }
        int fields = frame.fieldCount();
        for (int field = 0; field < fields; field++) {
            int j = handler.parameterOf(frame, field);
            if (j < 0) {
                throw DispatchException.unknownParameter(handler.command(), frame.key(field), handler.signature());
            }
            if (fieldIndex[j] >= 0) {
                throw DispatchException.repeatedParameter(handler.command(), handler.parameterName(j));
            }
            byte tag = frame.typeTag(field);
            if (handler.isPrimitive(j)) {
                if (!handler.fits(j, tag)) {
                    throw DispatchException.doesNotFit(handler.command(), handler.parameterName(j),
                        handler.parameterType(j), ValueType.ofTag(tag), null);
                }
            } else {
                Object value = frame.getValue(field);
                if (value != null && !handler.parameterType(j).isInstance(value)) {
                    throw DispatchException.doesNotFit(handler.command(), handler.parameterName(j),
                        handler.parameterType(j), ValueType.ofTag(tag), value);
                }
                references[j] = value;
            }
            fieldIndex[j] = field;
        }
    }
}
