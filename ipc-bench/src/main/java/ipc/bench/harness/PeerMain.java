package ipc.bench.harness;

import java.time.Duration;

/**
 * The peer side of {@link PeerProcess}: a peer's {@code main} calls {@link #exitWithParent()} first
 * and {@link #ready()} when it can answer.
 */
public final class PeerMain {

    /** The line a peer prints on stdout when it is ready. */
    public static final String READY = "ready";

    /**
     * How often a peer checks that its parent lives: a benchmark JVM killed with SIGKILL runs no
     * tear-down, and a busy-spinning orphan would hold a core; 200 ms bounds that at no measurable cost.
     */
    private static final Duration PARENT_CHECK = Duration.ofMillis(200);

    private PeerMain() {
    }

    /** Starts a daemon thread that exits this JVM when its parent process is gone. */
    public static void exitWithParent() {
        ProcessHandle parent = ProcessHandle.current().parent()
                .orElseThrow(() -> new IllegalStateException("peer has no parent process"));
        Thread watcher = new Thread(() -> {
            while (parent.isAlive()) {
                try {
                    Thread.sleep(PARENT_CHECK);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.exit(3);
        }, "parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** Tells {@link PeerProcess#start} that this peer answers from now on. */
    public static void ready() {
        System.out.println(READY);
        System.out.flush();
    }
}
