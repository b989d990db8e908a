package ipc.sync;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The files and directories that this JVM created for its own use (event groups, channel
 * directories, select bells, scratch channels) and has not removed yet, and the one shutdown hook
 * that removes them when the JVM exits normally (end of main, {@code System.exit}, SIGINT or
 * SIGTERM). A JVM killed with SIGKILL, or one that crashes, runs no hook: its entries stay until
 * {@link ShmDirectory#cleanStale()} finds their pid dead.
 *
 * <p>Only the creator registers an entry ({@link #add}); a process that merely opens it (a backend
 * that re-opens its frontend's EventGroup) never does, so no JVM removes at its exit a file that
 * another process created and may still use. The creator's own close calls {@link #remove}, which
 * deletes the entry only while this JVM still holds it: of a close and the exit hook, or of two
 * closes on different threads, exactly one deletes, the others do nothing.
 *
 * <p>A named {@code SharedMemory} (ipc-core) is not registered: like Python's, it stays the
 * user's to close or unlink.
 *
 * <p>Thread-safe.
 */
public final class OwnedEntries {
    /*
     * Overview:
     *
     *   add(p):     OWNED.add(p); if exiting: remove(p)     // the hook may have passed p already
     *   remove(p):  if OWNED.remove(p): delete p (recursively); true    else false
     *   hook:       exiting = true; for p in OWNED: remove(p)
     *
     * OWNED.remove is atomic, so each entry is deleted by at most one caller. add's set insert
     * comes before its read of `exiting` and the hook's write of `exiting` before its walk of the
     * set (both volatile accesses): either add sees `exiting` and removes the entry itself, or the
     * hook's walk sees the entry. An entry added while the hook runs is deleted at once: nothing
     * can use it after this JVM's exit, and the creator's mapping stays valid until then.
     */

    private static final Set<Path> OWNED = ConcurrentHashMap.newKeySet();
    private static volatile boolean exiting;

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(OwnedEntries::removeAll, "ipc-owned-entries-cleanup"));
        } catch (IllegalStateException shutdownInProgress) {
            exiting = true; // first used while the JVM exits: add() deletes at once
        }
    }

    private OwnedEntries() {
    }

    /**
     * Records {@code entry}, a file or directory this JVM has just created, for removal at this JVM's
     * normal exit unless {@link #remove} comes first. Call it right after creating the entry, before
     * anything that can fail, so that a failed create is covered too.
     */
    public static void add(Path entry) {
        Path key = key(entry);
        OWNED.add(key);
        if (exiting) {
            remove(key);
        }
    }

    /**
     * Deletes {@code entry} (recursively) if this JVM still holds it, and forgets it; does nothing
     * when it was never added, or has been removed already (by another close, or the exit hook).
     *
     * @return true when this call deleted it
     * @throws IllegalStateException naming the path when the delete fails (the entry is forgotten
     *                               all the same; the stale sweep removes it once this JVM is gone)
     */
    public static boolean remove(Path entry) {
        Path key = key(entry);
        if (!OWNED.remove(key)) {
            return false;
        }
        ShmDirectory.deleteRecursively(key);
        return true;
    }

    /** Whether {@code entry} is held for removal at exit (for tests). */
    public static boolean contains(Path entry) {
        return OWNED.contains(key(entry));
    }

    /** The shutdown hook: removes every entry still held. A failure is printed, never stops the others. */
    private static void removeAll() {
        exiting = true;
        for (Path entry : OWNED) {
            try {
                remove(entry);
            } catch (RuntimeException e) {
                System.err.println("ipc: cannot remove " + entry + " at exit: " + e.getMessage());
            }
        }
    }

    private static Path key(Path entry) {
        return entry.toAbsolutePath().normalize();
    }
}
