package ipc.core.dispatch;

import ipc.core.frame.ErrorMessage;
import ipc.core.MessageObject;
import ipc.core.frame.ValueType;

/**
 * A frame that could not be dispatched to a {@code c__} handler, or a handler that threw. The
 * backend loop logs it as a warning, sends {@link #toErrorMessage()} to the frontend, and keeps
 * serving.
 *
 * <p>Bad input is expected in a server: an instance for unknown commands, unknown parameters and
 * values that do not fit carries no stack trace (it would only show the dispatcher). One for a
 * throwing handler has the handler's exception as its cause.
 */
public final class DispatchException extends RuntimeException {

    private final String command;
    private final String reason;

    private DispatchException(String command, String reason, Throwable cause) {
        super("command=" + command + " reason=" + reason, cause, false, false);
        this.command = command;
        this.reason = reason;
    }

    static DispatchException unknownCommand(String command, String knownCommands) {
        return new DispatchException(command, "unknown command: no c__" + command + " handler; handlers="
            + knownCommands, null);
    }

    static DispatchException unknownParameter(String command, String parameter, String signature) {
        return new DispatchException(command, "unknown parameter: parameter=" + parameter
            + " handler=" + signature, null);
    }

    static DispatchException repeatedParameter(String command, String parameter) {
        return new DispatchException(command, "parameter given twice: parameter=" + parameter, null);
    }

    static DispatchException doesNotFit(String command, String parameter, Class<?> expected, ValueType actual,
                                        Object value) {
        String actualText = value == null ? actual.name() : actual.name() + " (" + value.getClass().getName() + ")";
        return new DispatchException(command, "value does not fit the parameter: parameter=" + parameter
            + " expected=" + expected.getTypeName() + " actual=" + actualText
            + " (a value fits by Java's widening conversions: an int fits a long, not a Long)", null);
    }

    static DispatchException handlerThrew(String command, Throwable thrown) {
        return new DispatchException(command, "handler threw: exception=" + thrown.getClass().getName()
            + " message=" + thrown.getMessage(), thrown);
    }

    /** The failed command. */
    public String command() {
        return command;
    }

    /** What went wrong, as key=value text. */
    public String reason() {
        return reason;
    }

    /** {@code MessageObject("error", "command", <command>, "reason", <reason>)} for the frontend. */
    public MessageObject toErrorMessage() {
        return ErrorMessage.of(command, reason);
    }
}
