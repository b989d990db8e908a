package ipc.bench.library;

import ipc.bench.harness.PeerProcess;
import ipc.core.MessageObject;
import ipc.core.MessageProcess;

/**
 * The backend of {@link MessageProcessRoundTrip}: {@code c__echo(long seq)} answers with a message
 * carrying the same sequence number, the smallest useful round trip through the public API.
 */
public final class EchoProcess extends MessageProcess {

    /** The command the benchmark sends and the backend answers with. */
    public static final String ECHO = "echo";
    /** The key of the one parameter, the sequence number. */
    public static final String SEQ = "seq";

    public EchoProcess(String name) {
        super(name);
        setJvmOptions(PeerProcess.options());
    }

    /** Backend: sends {@code seq} straight back. */
    void c__echo(long seq) {
        send_out__(new MessageObject(ECHO, SEQ, seq));
    }

    /** Frontend: asks the backend to echo {@code seq}. */
    void echo(long seq) {
        sendMessageToBack(new MessageObject(ECHO, SEQ, seq));
    }
}
