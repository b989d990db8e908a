package ipc.core.channel.chronicle;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a queue directory's files owner-only, and on the reading side deletes each roll-cycle
 * file once the reader has passed it, so a long run holds only the last cycle or two.
 *
 * <p>Chronicle calls {@link #onAcquired}/{@link #onReleased} from its background releaser
 * thread, after the fact; the reader thread calls {@link #readerReached(int)} when it first reads
 * from a new cycle. A released file is deleted only when its cycle is below the one the reader
 * has reached: then the writer is past it too (a reader can only be in a cycle that the writer
 * has written to, and an appender never goes back), and so is the one reader of the direction.
 * A file released before the reader reports its new cycle waits in {@code released} until it
 * does. Deleting a file that the writing process still maps is harmless on Linux (the mapping
 * keeps the pages until unmapped).
 *
 * <p>Overview:
 * <pre>
 *   onAcquired(c, f):     chmod f 0600
 *   onReleased(c, f):     if deleting and c &lt; reached: delete f  else if deleting: released.add(c, f)
 *   readerReached(c):     reached = c (volatile); delete every released (c', f) with c' &lt; c
 * </pre>
 */
public final class CycleFileReaper implements StoreFileListener {
    private static final Logger LOG = LoggerFactory.getLogger(CycleFileReaper.class);
    static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

    private record Released(int cycle, File file) {
    }

    private final boolean deleting;
    private final ConcurrentLinkedQueue<Released> released = new ConcurrentLinkedQueue<>();
    private volatile int reachedCycle = Integer.MIN_VALUE;

    /** @param deleting true on the reading side of a direction (the only side that deletes) */
    CycleFileReaper(boolean deleting) {
        this.deleting = deleting;
    }

    @Override
    public void onAcquired(int cycle, File file) {
        try {
            makeOwnerOnly(file.toPath());
        } catch (IllegalStateException e) {
            // a callback of Chronicle's releaser thread must not throw; the directory is 0700 anyway
            LOG.warn("cannot make queue file owner-only: path={}", file, e);
        }
    }

    @Override
    public void onReleased(int cycle, File file) {
        if (!deleting) {
            return;
        }
        if (cycle < reachedCycle) {
            delete(file);
        } else {
            released.add(new Released(cycle, file));
        }
    }

    /** Reader thread: the reader has read an excerpt of {@code cycle}. */
    void readerReached(int cycle) {
        reachedCycle = cycle;
        for (Iterator<Released> it = released.iterator(); it.hasNext(); ) {
            Released r = it.next();
            if (r.cycle() < cycle) {
                delete(r.file());
                it.remove();
            }
        }
    }

    private static void delete(File file) {
        try {
            Files.deleteIfExists(file.toPath());
        } catch (IOException e) {
            LOG.warn("cannot delete passed roll-cycle file: path={}", file, e);
        }
    }

    /** Sets mode 0600 on a file Chronicle created (it creates files with the process umask). */
    static void makeOwnerOnly(Path file) {
        try {
            if (!Files.getPosixFilePermissions(file).equals(OWNER_FILE)) {
                Files.setPosixFilePermissions(file, OWNER_FILE);
            }
        } catch (NoSuchFileException gone) {
            // deleted meanwhile (reaped, or the channel closed): nothing to protect
        } catch (IOException e) {
            throw new IllegalStateException("cannot make queue file owner-only: path=" + file, e);
        }
    }
}
