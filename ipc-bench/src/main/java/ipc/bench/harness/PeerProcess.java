package ipc.bench.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The other end of a two-JVM benchmark: a JVM running a peer's {@code main}, started with the same
 * {@code java}, classpath and ipc-core argfile as this one, and destroyed by {@link #close()}.
 *
 * <p>The peer prints {@value PeerMain#READY} on stdout once it can answer (see {@link PeerMain});
 * {@link #start} returns only then, so set-up cost never lands in a measured iteration. The peer's
 * stderr goes to ours (JMH shows a fork's output), its stdout is read for that one line only.
 */
public final class PeerProcess implements AutoCloseable {

    /** JVM start plus Chronicle's first mapping is ~0.5 s alone; the machine is shared with builds. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** SIGTERM first (the peer's shutdown hooks close its queues); a peer that ignores it gets SIGKILL. */
    private static final Duration TERM_GRACE = Duration.ofSeconds(5);
    /**
     * Peers allocate nothing per message: a small fixed heap and the serial collector (no GC threads
     * competing for the 2 cores); C2 is left on, a peer's echo loop must be as compiled as ours.
     */
    public static final List<String> PEER_HEAP = List.of("-Xms64m", "-Xmx64m", "-XX:+UseSerialGC");

    /**
     * Extra flags for the peers started here and the round trips' EchoProcess backends, split on
     * whitespace, for diagnosis only (JFR, {@code -Xlog:safepoint,gc}); given to the fork, e.g.
     * {@code -Dipc.bench.peerJvmArgs=-XX:StartFlightRecording:filename=/tmp/peer-%p.jfr}. Unset in
     * the report's runs.
     */
    public static final String EXTRA_OPTIONS_PROPERTY = "ipc.bench.peerJvmArgs";

    private final Process process;
    private final String name;

    /** {@link #PEER_HEAP} plus the diagnostic {@link #EXTRA_OPTIONS_PROPERTY} flags, if any. */
    public static List<String> options() {
        String extra = System.getProperty(EXTRA_OPTIONS_PROPERTY, "").strip();
        if (extra.isEmpty()) {
            return PEER_HEAP;
        }
        List<String> all = new ArrayList<>(PEER_HEAP);
        all.addAll(List.of(extra.split("\\s+")));
        return List.copyOf(all);
    }

    private PeerProcess(Process process, String name) {
        this.process = process;
        this.name = name;
    }

    /** Starts {@code mainClass} with {@code args} and waits until it reports ready. */
    public static PeerProcess start(Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot tell which java runs this JVM")));
        command.add("@" + JvmOptions.argFile());
        command.add("-D" + JvmOptions.PROPERTY + "=" + JvmOptions.argFile());
        command.addAll(options());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        String name = mainClass.getSimpleName();
        Process process;
        try {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start peer " + name, e);
        }
        PeerProcess peer = new PeerProcess(process, name);
        try {
            peer.awaitReady();
            return peer;
        } catch (RuntimeException e) {
            peer.close();
            throw e;
        }
    }

    private void awaitReady() {
        BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
            try {
                return stdout.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Thread::startVirtualThread);
        String line;
        try {
            line = firstLine.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("peer " + name + " not ready after " + READY_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting peer " + name, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("peer " + name + " failed before ready", e.getCause());
        }
        if (!PeerMain.READY.equals(line)) {
            throw new IllegalStateException("peer " + name + " did not report ready: line=" + line
                    + " alive=" + process.isAlive());
        }
    }

    /** Throws when the peer has exited: a spinning benchmark calls it now and then so it cannot hang. */
    public void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException("peer " + name + " exited: exitCode=" + process.exitValue());
        }
    }

    public long pid() {
        return process.pid();
    }

    /** SIGTERM, a grace period, then SIGKILL; waits until the process is gone. Idempotent. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(TERM_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
