package ipc.bench.baseline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A count published by one JVM and read by another through a small shared file: the reader side
 * of {@link ChronicleStream}'s window. One long at offset 0, release store, acquire load.
 */
final class ProgressWord implements AutoCloseable {
    private static final long BYTES = 64;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final Arena arena;
    private final MemorySegment word;

    private ProgressWord(Arena arena, MemorySegment word) {
        this.arena = arena;
        this.word = word;
    }

    /** Maps {@code file}, creating it (zero) when absent. */
    static ProgressWord map(Path file) {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            if (channel.size() < BYTES) {
                channel.truncate(BYTES);
                channel.write(java.nio.ByteBuffer.allocate(1), BYTES - 1);
            }
            return new ProgressWord(arena, channel.map(FileChannel.MapMode.READ_WRITE, 0, BYTES, arena));
        } catch (IOException e) {
            arena.close();
            throw new UncheckedIOException("cannot map progress word: file=" + file, e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    long getAcquire() {
        return (long) LONG.getAcquire(word, 0L);
    }

    void setRelease(long value) {
        LONG.setRelease(word, 0L, value);
    }

    @Override
    public void close() {
        arena.close();
    }
}
