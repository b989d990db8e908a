package ipc.core;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Signal set-up a backend does at startup when the frontend asked for it
 * ({@code MessageProcess.ignoreSIGINT()}).
 *
 * <p>A Ctrl-C in a terminal sends SIGINT to every process of the foreground process group, the
 * backends included. A backend that ignores it keeps running until the frontend stops it, so the
 * frontend can shut down in order (the seed's {@code ignoreSIGINT}). Uses {@code sun.misc.Signal}
 * (module jdk.unsupported): it sets the disposition to SIG_IGN through the JVM, which keeps the
 * JVM's own signal bookkeeping right. The disposition is inherited by processes the backend execs.
 */
final class BackendSignals {

    private BackendSignals() {
    }

    /**
     * Sets SIGINT's disposition to "ignore" for this JVM; the JVM's default (run shutdown hooks,
     * exit 130) no longer happens.
     *
     * @throws IllegalArgumentException when the JVM does not let user code handle SIGINT (e.g. -Xrs)
     */
    static void ignoreSigint() {
        Signal.handle(new Signal("INT"), SignalHandler.SIG_IGN);
    }
}
