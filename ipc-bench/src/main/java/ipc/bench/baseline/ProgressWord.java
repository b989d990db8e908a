package ipc.bench.baseline;

import ipc.sync.SharedMapping;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * A count published by one JVM and read by another through a small shared file: the reader side
 * of {@link ChronicleStream}'s window. One long at offset 0, release store, acquire load.
 */
final class ProgressWord implements AutoCloseable {
    private static final long BYTES = 64;
    private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final SharedMapping mapping;

    private ProgressWord(SharedMapping mapping) {
        this.mapping = mapping;
    }

    /** Creates {@code file} (zero) and maps it: the sender, before it starts the reader. */
    static ProgressWord create(Path file) {
        return new ProgressWord(SharedMapping.create(file, BYTES));
    }

    /** Maps the existing {@code file}: the reader. */
    static ProgressWord open(Path file) {
        return new ProgressWord(SharedMapping.open(file));
    }

    long getAcquire() {
        return (long) LONG.getAcquire(mapping.segment(), 0L);
    }

    void setRelease(long value) {
        LONG.setRelease(mapping.segment(), 0L, value);
    }

    @Override
    public void close() {
        mapping.close();
    }
}
