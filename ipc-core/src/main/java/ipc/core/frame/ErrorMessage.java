package ipc.core.frame;

import ipc.core.MessageObject;

/**
 * The "error" message a frontend's pipe receives when something it sent, or something sent to
 * it, could not be handled: {@code MessageObject("error", "command", <the command or null>,
 * "reason", <key=value text>)}. One definition for every place that reports one: the backend's
 * dispatch and its handlers, a bad frame on the pipe, a bad frame in a journal.
 */
public final class ErrorMessage {
    /** The command of an error message ({@code MessageProcess.ERROR_COMMAND}). */
    public static final String COMMAND = "error";

    private ErrorMessage() {
    }

    /** The error message about {@code command} (null: none in particular), with {@code reason}. */
    public static MessageObject of(String command, String reason) {
        return new MessageObject(COMMAND, "command", command, "reason", reason);
    }
}
