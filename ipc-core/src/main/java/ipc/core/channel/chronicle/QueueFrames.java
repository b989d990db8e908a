package ipc.core.channel.chronicle;

import ipc.core.frame.ErrorMessage;
import ipc.core.MessageObject;
import ipc.core.frame.FrameCodec;
import ipc.core.frame.FrameDescriptor;
import ipc.core.frame.FrameException;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * One direction's queue opened read-only, frame by frame: how a journal
 * ({@code ipc.core.Journal}) and {@code ipc tail} read what a channel wrote, without the
 * writer noticing. Not a hot path: each frame is copied out as a byte array.
 */
public final class QueueFrames implements AutoCloseable {
    private final SingleChronicleQueue queue;

    private QueueFrames(SingleChronicleQueue queue) {
        this.queue = queue;
    }

    /** True when {@code dir} is a directory holding at least one queue cycle file. */
    public static boolean isQueue(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(SingleChronicleQueue.SUFFIX));
        } catch (IOException e) {
            return false;
        }
    }

    /** The queue in {@code dir}, read-only, with the block size and roll cycle channels write with. */
    public static QueueFrames openReadOnly(Path dir) {
        ChronicleDefaults.apply();
        return new QueueFrames(SingleChronicleQueueBuilder.binary(dir)
            .blockSize(QueueDirection.blockSize(FrameDescriptor.maxFrameBytesFromSystemProperty()))
            .rollCycle(QueueDirection.ROLL_CYCLE)
            .readOnly(true)
            .build());
    }

    /** A cursor at the first frame the queue holds. */
    public Cursor fromStart() {
        return new Cursor(queue.createTailer().toStart());
    }

    /** A cursor after the last frame written so far: it sees only frames written from now on. */
    public Cursor fromEnd() {
        return new Cursor(queue.createTailer().toEnd());
    }

    @Override
    public void close() {
        queue.close();
    }

    /**
     * True for the library's own frames ({@code __ready__}, answers, ...), which a journal's reader
     * does not show; a typed call to the backend ({@link FrameDescriptor#CALL_PREFIX}) is the
     * user's.
     */
    public static boolean isControl(String command, boolean toBackend) {
        if (!command.startsWith(FrameDescriptor.LIBRARY_PREFIX)) {
            return false;
        }
        return !(toBackend && command.startsWith(FrameDescriptor.CALL_PREFIX));
    }

    /** A position in the queue; not thread-safe. */
    public static final class Cursor implements AutoCloseable {
        private final ExcerptTailer tailer;

        private Cursor(ExcerptTailer tailer) {
            this.tailer = tailer;
        }

        /** The next frame's bytes, or null when no frame follows yet. */
        public byte[] next() {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return null;
                }
                Bytes<?> bytes = dc.wire().bytes();
                byte[] frame = new byte[(int) bytes.readRemaining()];
                bytes.read(frame);
                return frame;
            }
        }

        /**
         * The next message that is not one of the library's own frames ({@link #isControl}),
         * decoded; null when no frame follows yet. A bad frame becomes an "error" message, as on a
         * pipe.
         */
        public MessageObject nextUserMessage(boolean toBackend) {
            byte[] frame;
            while ((frame = next()) != null) {
                MessageObject m;
                try {
                    m = FrameCodec.decode(frame);
                } catch (FrameException e) {
                    m = ErrorMessage.of(null, "bad frame skipped: " + e.getMessage());
                }
                if (!isControl(m.command(), toBackend)) {
                    return m;
                }
            }
            return null;
        }

        @Override
        public void close() {
            tailer.close();
        }
    }
}
