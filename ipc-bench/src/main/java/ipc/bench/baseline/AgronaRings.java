package ipc.bench.baseline;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/** The two rings of {@link AgronaRingPingPong} ("ping", "pong"), each a file in the scratch directory. */
final class AgronaRings {
    static final String PING = "ping.ring";
    static final String PONG = "pong.ring";
    /** 64 KiB of records: far more than one 8-byte message in flight needs. */
    static final int CAPACITY = 1 << 16;
    static final int MESSAGE_TYPE = 1;

    private AgronaRings() {
    }

    /** Maps (creating when asked, zeroed) the ring file {@code name} in {@code dir}. */
    static OneToOneRingBuffer map(Path dir, String name, boolean create) {
        Path file = dir.resolve(name);
        long size = CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
        try (FileChannel channel = create
            ? FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)
            : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_WRITE, 0, size);
            return new OneToOneRingBuffer(new UnsafeBuffer(mapped));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map " + file, e);
        }
    }
}
