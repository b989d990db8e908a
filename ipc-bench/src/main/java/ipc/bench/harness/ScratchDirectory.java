package ipc.bench.harness;

import ipc.sync.OwnedEntries;
import ipc.sync.ShmDirectory;
import java.nio.file.Path;

/**
 * An owner-only directory for one benchmark trial: {@code ShmDirectory.root()/bench-<kind>-<pid>-<n>},
 * on tmpfs like the library's own channels, so the baselines see the same medium.
 *
 * <p>Named like the library's entries, so a trial whose JVM was killed leaves nothing for long:
 * {@link #create} (and every create path of the library) removes entries whose pid is dead.
 * {@link #close()} deletes the directory, and so does this JVM's normal exit when close never came
 * ({@link OwnedEntries}).
 */
public final class ScratchDirectory implements AutoCloseable {

    private final Path path;
    private boolean closed;

    private ScratchDirectory(Path path) {
        this.path = path;
    }

    /** A new directory for {@code kind} (a file-name part such as "cq" or "uds"). */
    public static ScratchDirectory create(String kind) {
        ShmDirectory.cleanStale();
        Path dir = ShmDirectory.root().resolve(ShmDirectory.uniqueName("bench-" + kind));
        ShmDirectory.createPrivateDirectory(dir);
        OwnedEntries.add(dir); // removed at this JVM's exit if close() never comes
        return new ScratchDirectory(dir);
    }

    public Path path() {
        return path;
    }

    public Path resolve(String name) {
        return path.resolve(name);
    }

    /** Deletes the directory and everything in it; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            OwnedEntries.remove(path);
        }
    }
}
