package ipc.bench.library;

import ipc.bench.harness.ResultWriter;
import ipc.core.SharedMemory;
import ipc.sync.ShmDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * How much of /dev/shm a long stream holds (design.md: bounded over a 50 M message run, old
 * roll-cycle files removed), a report Driver: the {@link MessageStream} set-up sends 3-parameter
 * messages for {@link #RUN} or {@link #DESIGN_MESSAGES}, whichever comes first, while a sampler
 * sums the sizes of the files under the process's channel directory every {@link #SAMPLE_EVERY}.
 * Score and secondary metric {@value #PEAK_METRIC}: the peak in MB (10^6 bytes); secondary
 * {@code messages}: how many were sent (and handled: the run ends with the backend's stats,
 * which checks that).
 *
 * <p>File sizes are apparent sizes: Chronicle grows a cycle file a chunk at a time and tmpfs backs
 * only the pages written, so this is an upper bound of the memory the files take.
 */
public final class ShmFootprint {

    /** The result's name: {@code ShmFootprint.run} in the report. */
    public static final String BENCHMARK = ShmFootprint.class.getName() + ".run";
    /** The secondary metric the target reads. */
    public static final String PEAK_METRIC = "shm.peak.mb";
    /** The short suite's run: ~20 s of stream is 20 roll cycles of one second, enough to see whether old ones go. */
    static final Duration RUN = Duration.ofSeconds(20);
    /** design.md's run length; reached within {@link #RUN} only at 2.5 M messages/s or more. */
    static final long DESIGN_MESSAGES = 50_000_000L;
    /** Sampling period: a roll cycle is 1 s, so 20 samples per cycle see each file's peak size closely. */
    static final Duration SAMPLE_EVERY = Duration.ofMillis(50);
    /** Messages sent between clock reads. */
    private static final int BATCH = 1 << 12;

    private ShmFootprint() {
    }

    /** Driver step; the suite's warm-up and measurement durations do not apply, the run is {@link #RUN}. */
    public static void run(Duration warmup, Duration measurement, Path resultFile) throws IOException, InterruptedException {
        Set<Path> before = channelsOfThisJvm();
        AtomicLong peak = new AtomicLong();
        long messages;
        double seconds;
        try (SharedMemory progress = SharedMemory.create(MessageStream.uniqueName("footprint"), CountingProcess.PROGRESS_BYTES);
             MessageStream.StreamSender sender = new MessageStream.StreamSender(new CountingProcess("footprint", progress))) {
            Path channel = newChannel(before);
            Thread sampler = Thread.ofPlatform().daemon().name("shm-footprint-sampler").start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peak.accumulateAndGet(bytesUnder(channel), Math::max);
                    try {
                        Thread.sleep(SAMPLE_EVERY);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            long start = System.nanoTime();
            long end = start + RUN.toNanos();
            try {
                while (System.nanoTime() < end && sender.sent() < DESIGN_MESSAGES) {
                    for (int i = 0; i < BATCH; i++) {
                        sender.sendOne();
                    }
                }
                sender.stats(Duration.ofSeconds(60));
            } finally {
                sampler.interrupt();
                sampler.join();
            }
            seconds = (System.nanoTime() - start) / 1e9;
            peak.accumulateAndGet(bytesUnder(channel), Math::max);
            messages = sender.sent();
        }
        double peakMb = peak.get() / 1e6;
        System.out.printf("ShmFootprint: %d messages in %.1f s (%.2f M msg/s), peak %.1f MB under the channel directory%n",
                messages, seconds, messages / seconds / 1e6, peakMb);
        ResultWriter.write(resultFile, List.of(ResultWriter.score(BENCHMARK, "ss", peakMb, "MB",
                Map.of(PEAK_METRIC, peakMb, "messages", (double) messages, "seconds", seconds))));
    }

    /** Channel directories this JVM has now ({@code ch-<pid>-<n>} under the shared root). */
    private static Set<Path> channelsOfThisJvm() throws IOException {
        String prefix = "ch-" + ProcessHandle.current().pid() + "-";
        try (Stream<Path> entries = Files.list(ShmDirectory.root())) {
            return entries.filter(p -> p.getFileName().toString().startsWith(prefix)).collect(Collectors.toSet());
        }
    }

    private static Path newChannel(Set<Path> before) throws IOException {
        List<Path> added = new ArrayList<>(channelsOfThisJvm());
        added.removeAll(before);
        if (added.size() != 1) {
            throw new IllegalStateException("expected one new channel directory: added=" + added);
        }
        return added.getFirst();
    }

    /** Sum of the apparent sizes of the files under {@code dir}; files deleted meanwhile count as 0. */
    static long bytesUnder(Path dir) {
        long total = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                try {
                    BasicFileAttributes attributes = Files.readAttributes(entry, BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    total += attributes.isDirectory() ? bytesUnder(entry) : attributes.size();
                } catch (NoSuchFileException gone) {
                    // reaped between listing and reading: it holds nothing any more
                }
            }
        } catch (NoSuchFileException gone) {
            return total;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return total;
    }
}
