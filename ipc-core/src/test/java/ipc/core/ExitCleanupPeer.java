package ipc.core;

import ipc.sync.EventGroup;
import ipc.sync.ShmDirectory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The frontend JVM of {@link ExitCleanupTest}: the seed's pattern, a MessageProcess whose
 * constructor creates an EventGroup that nobody closes. It starts and stops the process, checks
 * that the backend's exit left the group's file (only the creator removes it), writes
 * {@code <group name> <backend pid>} to the file named by its argument, and returns from main
 * without closing the group or the process. Exit 3: the backend's exit deleted the group.
 */
public final class ExitCleanupPeer {
    static final int EXIT_GROUP_GONE_WITH_BACKEND = 3;

    static final class GroupProcess extends MessageProcess {
        final EventGroup eg;

        GroupProcess(String name) {
            super(name);
            eg = new EventGroup(4);
        }

        void c__set(int index) {
            eg.set(index);
        }
    }

    private ExitCleanupPeer() {
    }

    public static void main(String[] args) throws Exception {
        GroupProcess p = new GroupProcess("exit-cleanup");
        p.start();
        try (ipc.sync.SyncIndex sync = new ipc.sync.SyncIndex(p.eg)) {
            p.sendMessageToBack(new MessageObject("set", "index", sync.index()));
        }
        long backendPid = p.pid().orElseThrow();
        p.stop();
        if (!Files.exists(ShmDirectory.root().resolve(p.eg.name()))) {
            System.exit(EXIT_GROUP_GONE_WITH_BACKEND);
        }
        Path result = Path.of(args[0]);
        Path tmp = result.resolveSibling(result.getFileName() + ".tmp");
        Files.writeString(tmp, p.eg.name() + " " + backendPid);
        Files.move(tmp, result, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
