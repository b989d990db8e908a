package ipc.bench.library;

import ipc.core.MessageObject;
import ipc.core.Pipe;
import ipc.core.Transport;

/**
 * The round trip that {@link MessageProcessRoundTrip} and {@link RingRoundTrip} measure, on the
 * transport each asks for: an {@link EchoProcess} started with it, {@code echo(seq)} with
 * sendMessageToBack, the answer read with {@code getPipe().recv()} and checked, and the per-side
 * allocation ({@link SideAllocation}) the states report. One benchmark thread.
 */
final class EchoRoundTrip implements AutoCloseable {
    final EchoProcess process;
    final SideAllocation allocation;
    private final Pipe pipe;
    private long sequence;

    /** Starts the echo backend; {@code backendCpu} >= 0 pins its loop thread there. */
    EchoRoundTrip(String name, Transport transport, int backendCpu) {
        process = new EchoProcess(name);
        process.setTransport(transport);
        if (backendCpu >= 0) {
            process.setBackendCpu(backendCpu);
        }
        pipe = process.getPipe();
        allocation = new SideAllocation(process);
        process.start();
    }

    long roundTrip() {
        allocation.count();
        long sent = ++sequence;
        process.echo(sent);
        MessageObject reply = pipe.recv();
        if (reply == null) {
            throw new IllegalStateException("backend ended: exitCode=" + process.exitCode());
        }
        long echoed = reply.getLong(EchoProcess.SEQ);
        if (echoed != sent) {
            throw new IllegalStateException("echo out of order: sent=" + sent + " echoed=" + echoed + " reply=" + reply);
        }
        return echoed;
    }

    @Override
    public void close() {
        process.close();
    }
}
