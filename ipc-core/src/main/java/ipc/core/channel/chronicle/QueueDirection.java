package ipc.core.channel.chronicle;

import ipc.core.frame.FrameDescriptor;

import ipc.sync.FileSpace;
import java.io.File;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

/**
 * One direction of a channel: a Chronicle queue in its own directory, which this process either
 * writes or reads. The only place that configures Chronicle.
 */
public final class QueueDirection implements AutoCloseable {
    /**
     * Smallest mapped chunk: 1 MiB, against Chronicle's 64 MiB default. The chunk is what each
     * process maps at a time and what a cycle file grows by; tmpfs spends memory only on pages
     * that are touched, so the size is about address space and mmap calls: 1 MiB is one mmap per
     * ~20 k small frames.
     */
    static final long MIN_BLOCK_SIZE = 1L << 20;
    /**
     * Chronicle takes one excerpt of at most a quarter of its block size (the writable
     * remainder of a document is exactly blockSize / 4, measured), so the block is four times
     * the frame limit, rounded up to a power of two: 4 MiB for the default 1 MiB limit.
     */
    static final int FRAMES_PER_BLOCK = 4;

    /**
     * One cycle file per second (the shortest cycle Chronicle has; up to 2^32 excerpts per
     * cycle): the reader deletes each cycle's file once past it, so a long run keeps about two
     * seconds of traffic on /dev/shm. The cost: the first write of each second that has traffic
     * creates a file and maps it: measured here at 2-10 ms for that write and 1-15 ms for the
     * read that follows it into the new file (steady-state hops cost microseconds). A longer cycle
     * would also overflow: MINUTELY holds 67 M excerpts, FIVE_MINUTELY 1 G, against a target of
     * 5 M frames/s.
     */
    public static final RollCycle ROLL_CYCLE = TestRollCycles.TEST_SECONDLY;

    /**
     * Storage reserved for the queue's {@code metadata.cq4t} before Chronicle creates it: 128 KiB,
     * because Chronicle maps its table store as one 64 KiB chunk plus a 64 KiB overlap (its
     * SingleTableBuilder) and stores into the first page at once, under its write lock at every write.
     */
    static final long TABLE_STORE_BYTES = 128 * 1024;

    static {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            // Chronicle's Bytes are native-endian; the frame layout is little-endian.
            throw new ExceptionInInitializerError("frames need a little-endian platform: nativeOrder="
                + ByteOrder.nativeOrder());
        }
    }

    private final Path directory;
    private final CycleFileReaper reaper;
    /** The writing side's storage keeper (its clock hook prepares new cycle files); null when reading. */
    private final CycleFileSpace space;
    private final SingleChronicleQueue queue;

    private QueueDirection(Path directory, boolean reading, boolean creator, int maxFrameBytes, boolean keepFiles) {
        this.directory = directory;
        this.reaper = new CycleFileReaper(reading && !keepFiles);
        this.space = reading ? null : new CycleFileSpace(directory);
        if (creator) {
            // The opener skips it: the creator reserved both directions' table stores before it
            // published the channel (Channel.open accepts only a READY one), and tmpfs keeps the
            // blocks. (It was a backend's first FFM downcall: linking open, fallocate and close
            // takes 120-190 ms of a cached backend's start here; the backend now links them at its
            // first write, READY, whose cycle file CycleFileSpace reserves.)
            reserveTableStore(directory);
        }
        SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(directory)
            .blockSize(blockSize(maxFrameBytes))
            .rollCycle(ROLL_CYCLE)
            .storeFileListener(reaper);
        if (space != null) {
            builder.timeProvider(space);
        }
        this.queue = builder.build();
        try {
            if (space != null) {
                space.epoch(queue.epoch());
            }
            makeFilesOwnerOnly();
        } catch (RuntimeException | Error e) {
            queue.close(); // nobody else holds it: left open, Chronicle's finalizer would close it at some GC
            throw e;
        }
    }

    /**
     * Backs the table store's pages before Chronicle maps it: creates it (0600, size 0, storage
     * reserved; Chronicle initialises an empty file as a new store) or, when it exists, backs its
     * pages in place. Otherwise a full filesystem would fault at Chronicle's first store into it.
     *
     * @throws ipc.sync.OutOfSpaceException when the filesystem cannot back it
     */
    private static void reserveTableStore(Path directory) {
        FileSpace tableStore = FileSpace.of(directory.resolve(SingleChronicleQueue.QUEUE_METADATA_FILE));
        if (Files.exists(tableStore.path())) {
            tableStore.allocate(0, TABLE_STORE_BYTES);
        } else {
            tableStore.createReserved(TABLE_STORE_BYTES);
        }
    }

    /**
     * Opens the queue in {@code directory} (created 0700 by the caller) for writing; the creator
     * (the channel's frontend) also reserves its table store's storage, an opener finds it
     * reserved.
     */
    public static QueueDirection forWriting(Path directory, boolean creator, int maxFrameBytes) {
        return new QueueDirection(directory, false, creator, maxFrameBytes, false);
    }

    /** Opens the queue in {@code directory} for reading; it deletes cycle files once read past. */
    public static QueueDirection forReading(Path directory, boolean creator, int maxFrameBytes) {
        return forReading(directory, creator, maxFrameBytes, false);
    }

    /** {@link #forReading}; with {@code keepFiles} (a journal) no cycle file is deleted. */
    public static QueueDirection forReading(Path directory, boolean creator, int maxFrameBytes, boolean keepFiles) {
        return new QueueDirection(directory, true, creator, maxFrameBytes, keepFiles);
    }

    /** The chunk size that lets a frame of {@code maxFrameBytes} fit one excerpt. */
    public static long blockSize(int maxFrameBytes) {
        long needed = (long) FRAMES_PER_BLOCK * FrameDescriptor.checkMaxFrameBytes(maxFrameBytes);
        return Math.max(MIN_BLOCK_SIZE, Long.highestOneBit(needed - 1) << 1);
    }

    public ExcerptAppender createAppender() {
        ExcerptAppender appender = queue.createAppender();
        // One thread at a time, not always the same one (a Pipe may be used from several): the
        // owner serialises access, which also gives the happens-before Chronicle's check wants.
        appender.singleThreadedCheckDisabled(true);
        return appender;
    }

    public ExcerptTailer createTailer() {
        ExcerptTailer tailer = queue.createTailer();
        tailer.singleThreadedCheckDisabled(true);
        return tailer;
    }

    public CycleFileReaper reaper() {
        return reaper;
    }

    /** The writing side's storage keeper; null on the reading side. */
    public CycleFileSpace space() {
        return space;
    }

    /** Sets 0600 on the file the appender now writes (called on the writer's thread at each roll). */
    static void makeOwnerOnly(File file) {
        if (file != null) {
            CycleFileReaper.makeOwnerOnly(file.toPath());
        }
    }

    /** Sets 0600 on every file in the directory (Chronicle creates them with the process umask). */
    void makeFilesOwnerOnly() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                CycleFileReaper.makeOwnerOnly(file);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list queue directory: path=" + directory, e);
        }
    }

    /** Closes the queue, and with it any tailer or appender of it still open; idempotent. */
    @Override
    public void close() {
        queue.close();
    }
}
