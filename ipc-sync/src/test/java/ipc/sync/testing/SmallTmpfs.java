package ipc.sync.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A tmpfs of a few MiB that a test mounts on a fresh directory under java.io.tmpdir (root only),
 * to see what the library does when its filesystem is full or read-only. The test is skipped
 * (a JUnit assumption) when this JVM is not root or the mount fails. {@link #close()} unmounts
 * (lazily if busy) and removes the directory; call it in a finally or try-with-resources.
 */
public final class SmallTmpfs implements AutoCloseable {
    private final Path dir;
    private boolean mounted;

    private SmallTmpfs(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code sizeBytes} (mode 0700), or skips the calling test. */
    public static SmallTmpfs mount(long sizeBytes) throws IOException {
        return mount("size=" + sizeBytes + ",mode=0700");
    }

    /** Mounts a read-only tmpfs: nothing can be created in it, not even by root. */
    public static SmallTmpfs mountReadOnly() throws IOException {
        return mount("ro,size=64k,mode=0700");
    }

    private static SmallTmpfs mount(String options) throws IOException {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
        SmallTmpfs fs = new SmallTmpfs(Files.createTempDirectory("ipc-tmpfs",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
        Run r = run("mount", "-t", "tmpfs", "-o", options, "ipc-test-tmpfs", fs.dir.toString());
        if (r.exit != 0) {
            fs.close();
            assumeTrue(false, "cannot mount a tmpfs here: " + r.output);
        }
        fs.mounted = true;
        return fs;
    }

    /** Remounts the tmpfs read-only, keeping what is in it: from now on nothing can be created or written there. */
    public void remountReadOnly() {
        Run r = run("mount", "-o", "remount,ro", dir.toString());
        if (r.exit != 0) {
            throw new IllegalStateException("cannot remount test tmpfs read-only: dir=" + dir + ": " + r.output);
        }
    }

    /** The mount point. */
    public Path dir() {
        return dir;
    }

    /** Bytes free on the tmpfs now. */
    public long freeBytes() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    /**
     * Fills the tmpfs with a file {@code name} until at most {@code leaveBytes} are free (rounded to
     * pages), by writing zeros until the write fails with ENOSPC when {@code leaveBytes} is 0.
     */
    public Path fill(String name, long leaveBytes) throws IOException {
        Path balloon = dir.resolve(name);
        try (FileChannel ch = FileChannel.open(balloon, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND)) {
            ByteBuffer zeros = ByteBuffer.allocate(4096);
            while (freeBytes() > leaveBytes) {
                zeros.clear();
                ch.write(zeros);
            }
        } catch (IOException full) {
            if (!full.getMessage().contains("No space left")) {
                throw full;
            }
        }
        return balloon;
    }

    /** Unmounts (lazily, if something still holds it) and removes the mount point; idempotent. */
    @Override
    public void close() {
        if (mounted) {
            Run r = run("umount", dir.toString());
            if (r.exit != 0) {
                r = run("umount", "-l", dir.toString());
            }
            if (r.exit != 0) {
                throw new IllegalStateException("cannot unmount test tmpfs: dir=" + dir + ": " + r.output);
            }
            mounted = false;
        }
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot remove test tmpfs mount point: dir=" + dir, e);
        }
    }

    /** The exit code and the merged output of a command. */
    public record Run(int exit, String output) {
    }

    /** Runs a short command and returns its exit code and output (30 s limit). */
    public static Run run(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("command did not finish: " + List.of(command));
            }
            return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Run(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + List.of(command), e);
        }
    }
}
