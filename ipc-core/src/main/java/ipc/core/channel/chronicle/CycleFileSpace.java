package ipc.core.channel.chronicle;


import ipc.sync.FileSpace;
import ipc.sync.OutOfSpaceException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.single.PrecreatedFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every byte that Chronicle may store next into a writing direction's cycle files backed by
 * storage, so that a full filesystem is an {@link OutOfSpaceException} from
 * {@code ChannelWriter#write} instead of a SIGBUS.
 *
 * <p>Why it is needed: Chronicle grows a cycle file with {@code setLength} (sparse) and maps it;
 * on tmpfs a page gets memory at its first store, and when there is none the storing thread gets
 * SIGBUS. Measured on JDK 25 with a 4 MiB tmpfs ({@code FullDirectoryTest}): inside a cycle file
 * the JVM turned the SIGBUS into an asynchronous InternalError thrown from wherever the writer
 * happened to be (in one run the frame written after space was freed then never reached the
 * reader); at a roll onto a full tmpfs the fault hit Chronicle's header CAS inside the VM
 * ({@code Unsafe_CompareAndSetInt}) and the JVM died.
 *
 * <p>What it does (one writer thread at a time, as {@code ChannelWriter}):
 * <pre>
 *   beforeWrite(position, length):       // the writer, before Chronicle's writingDocument()
 *     need = position + length + WRITE_SLACK
 *     if need &gt; allocatedEnd: fallocate(current file, allocatedEnd .. need + STEP), or on
 *                              ENOSPC exactly .. need, or throw OutOfSpaceException
 *   currentTimeMillis():                  // Chronicle's clock for this queue; it reads it under its
 *     if now &gt;= next cycle start           //   write lock to pick the cycle, before it creates the file
 *        and the caller is the writer:    //   and releases the lock if this throws
 *       create &lt;cycle file&gt;.precreated with FIRST_WRITE_SLACK + length bytes reserved
 *       (Chronicle renames a file of that name into place instead of creating a sparse one)
 *   cycleStarted(cycle, file):            // after the first write into a new cycle file
 *     allocatedEnd = what was reserved for it (0 if Chronicle made the file itself)
 * </pre>
 * Invariant: before each write, bytes {@code [0, allocatedEnd)} of the current cycle file are
 * backed and {@code allocatedEnd >= position + length + WRITE_SLACK}, which bounds every store
 * of that write (below). Storage is reserved with {@code FALLOC_FL_KEEP_SIZE}, so Chronicle's view
 * of the file sizes does not change.
 *
 * <p>The bounds, measured on Chronicle 2026.4 with {@link QueueDirection#ROLL_CYCLE}: the first
 * frame of a new cycle file ends 524 585 bytes in for a 30-byte frame (file header, then the
 * index-to-index array and the first index array, {@value #INDEX_ARRAY_BYTES} bytes each); within a
 * file every 131 072nd excerpt is preceded by a new index array, 262 200 bytes with its header.
 * Index entries go into arrays written earlier, so below the position. No write stores beyond
 * {@code position + length + one index array + headers}.
 */
public final class CycleFileSpace implements TimeProvider {
    private static final Logger LOG = LoggerFactory.getLogger(CycleFileSpace.class);

    /** One Chronicle index array: {@code defaultIndexCount()} longs (32 768 x 8 = 256 KiB for TEST_SECONDLY). */
    static final long INDEX_ARRAY_BYTES = (long) QueueDirection.ROLL_CYCLE.defaultIndexCount() * Long.BYTES;
    /**
     * Headers around an excerpt and an index array (measured: under 64 bytes each) and the EOF
     * marker of a roll, rounded up to 64 KiB so that a change in Chronicle's header sizes cannot
     * outgrow it.
     */
    static final long HEADER_SLACK = 64 * 1024;
    /** Beyond the frame, the most one write may store past the position: an index array and headers. */
    static final long WRITE_SLACK = INDEX_ARRAY_BYTES + HEADER_SLACK;
    /** Beyond the frame, the first write of a new cycle file: the file header and two arrays before it. */
    static final long FIRST_WRITE_SLACK = 2 * INDEX_ARRAY_BYTES + HEADER_SLACK;
    /**
     * How far past the need each allocation reaches: 256 KiB, so a stream of small frames calls
     * fallocate once per 256 KiB written (~80 us on /dev/shm here; the first stores into those pages
     * then fault without allocating, and the total is about what first stores into sparse pages
     * cost), and a cycle file holds at most {@code WRITE_SLACK + STEP} (576 KiB) of reserved,
     * unused storage: /dev/shm is memory, and every channel's live cycle files hold that much.
     */
    static final long STEP = 256 * 1024;

    private static final DateTimeFormatter FILE_NAMES =
        DateTimeFormatter.ofPattern(QueueDirection.ROLL_CYCLE.format()).withZone(ZoneOffset.UTC);

    private final Path directory;
    private final RollCycle rollCycle = QueueDirection.ROLL_CYCLE;
    private long epoch;

    /** The thread inside {@link #beforeWrite}..write; Chronicle's other threads only read the clock. */
    private Thread writer;
    private int pendingLength;
    /** Millis at which the next cycle starts; a clock read at or after it prepares that cycle's file. */
    private long nextCycleStartMillis = Long.MIN_VALUE;

    private FileSpace current;
    private int currentCycle = Integer.MIN_VALUE;
    private long allocatedEnd;
    /** Cycle -> bytes reserved in its precreated file, until the writer reaches it (or passes it). */
    private final TreeMap<Integer, Long> precreated = new TreeMap<>();

    CycleFileSpace(Path directory) {
        this.directory = directory;
    }

    /** The queue's epoch (0 for the roll cycle's defaults), known once the queue is built. */
    void epoch(long epoch) {
        this.epoch = epoch;
    }

    /**
     * Writer thread, before Chronicle's {@code writingDocument()}: backs what this write may store.
     *
     * @param position where the previous write ended in the current cycle file
     * @param length   the excerpt's length
     * @throws OutOfSpaceException when the filesystem cannot back it; nothing was written
     */
    void beforeWrite(long position, int length) {
        writer = Thread.currentThread();
        pendingLength = length;
        if (current != null) {
            long need = position + length + WRITE_SLACK;
            if (need > allocatedEnd) {
                grow(need);
            }
        }
    }

    private void grow(long need) {
        try {
            current.allocate(allocatedEnd, need + STEP - allocatedEnd);
            allocatedEnd = need + STEP;
        } catch (OutOfSpaceException notTheStep) {
            current.allocate(allocatedEnd, need - allocatedEnd); // throws when even the need does not fit
            allocatedEnd = need;
        }
    }

    /** Chronicle's clock for this queue; prepares a new cycle's file when the writer crosses into it. */
    @Override
    public long currentTimeMillis() {
        long now = System.currentTimeMillis();
        if (now >= nextCycleStartMillis && Thread.currentThread() == writer) {
            prepare(now);
        }
        return now;
    }

    private void prepare(long now) {
        int cycle = (int) ((now - epoch) / rollCycle.lengthInMillis());
        if (cycle != currentCycle && !precreated.containsKey(cycle)) {
            Path cycleFile = cycleFile(cycle);
            if (!Files.exists(cycleFile)) {
                long bytes = FIRST_WRITE_SLACK + pendingLength;
                FileSpace.of(precreatedFile(cycleFile)).createReserved(bytes); // throws OutOfSpaceException
                precreated.put(cycle, bytes);
            }
        }
        nextCycleStartMillis = epoch + (cycle + 1L) * rollCycle.lengthInMillis();
    }

    /** Writer thread, after the first write into a new cycle file. */
    void cycleStarted(int cycle, File file) {
        currentCycle = cycle;
        current = FileSpace.of(file.toPath());
        Long reserved = precreated.remove(cycle);
        allocatedEnd = reserved != null ? reserved : 0;
        if (reserved != null && Files.exists(precreatedFile(file.toPath()))) {
            // Chronicle made a sparse file of its own instead of taking ours: back it from 0 at the next write
            LOG.warn("Chronicle did not take the precreated cycle file: path={}", precreatedFile(file.toPath()));
            allocatedEnd = 0;
        }
        for (Iterator<Map.Entry<Integer, Long>> it = precreated.headMap(cycle, true).entrySet().iterator(); it.hasNext(); ) {
            deleteQuietly(precreatedFile(cycleFile(it.next().getKey())));
            it.remove();
        }
        deleteQuietly(precreatedFile(file.toPath()));
    }

    /** Deletes precreated files no write has reached. */
    void close() {
        for (int cycle : precreated.keySet()) {
            deleteQuietly(precreatedFile(cycleFile(cycle)));
        }
        precreated.clear();
    }

    /** The cycle file Chronicle uses for {@code cycle} (its RollingResourcesCache: the roll cycle's format, in UTC). */
    Path cycleFile(int cycle) {
        long millis = (long) cycle * rollCycle.lengthInMillis() + epoch;
        return directory.resolve(FILE_NAMES.format(Instant.ofEpochMilli(millis)) + ".cq4");
    }

    private static Path precreatedFile(Path cycleFile) {
        return PrecreatedFiles.preCreatedFile(cycleFile.toFile()).toPath();
    }

    /** Bytes known to be backed at the start of the current cycle file (for tests). */
    long allocatedEnd() {
        return allocatedEnd;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot delete precreated cycle file: path={}", file, e);
        }
    }
}
