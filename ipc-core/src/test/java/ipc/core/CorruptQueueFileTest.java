package ipc.core;

import ipc.core.channel.Channel;
import ipc.core.frame.FrameDescriptor;
import ipc.core.frame.FrameException;
import ipc.core.frame.FrameHandler;
import ipc.core.frame.FrameReader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ipc.sync.SharedMapping;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Frames damaged on disk, not through the writer: bytes inside excerpts of the f2b cycle file are
 * changed through a mapping of the file after the writer committed them. The reader reports each
 * with its own {@link FrameException.Reason} through {@code onBadFrame}, skips it, and delivers
 * every frame after it, in order.
 */
class CorruptQueueFileTest {
    private static final int FRAMES = 20;
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    private static String command(int n) {
        return String.format("frame-%02d", n); // unique bytes to find each frame by in the file
    }

    @Test
    void corruptFramesInTheQueueFileAreReportedSkippedAndNothingAfterThemIsLost() throws Exception {
        try (Channel front = Channel.create(); Channel back = Channel.open(front.directory())) {
            for (int n = 0; n < FRAMES; n++) {
                front.writer().write(new MessageObject(command(n), "n", n, "s", "payload-" + n));
            }
            // Frame -> the damage done to it and the reason the reader must give.
            Map<Integer, FrameException.Reason> damaged = new LinkedHashMap<>();
            damaged.put(3, FrameException.Reason.BAD_MAGIC);
            damaged.put(4, FrameException.Reason.BAD_VERSION);
            damaged.put(9, FrameException.Reason.UNKNOWN_TYPE);
            damaged.put(14, FrameException.Reason.LENGTH_PAST_EXCERPT);
            damaged.put(15, FrameException.Reason.TRUNCATED);
            damaged.put(19, FrameException.Reason.BAD_VALUE);
            for (Map.Entry<Integer, FrameException.Reason> d : damaged.entrySet()) {
                corrupt(front.directory().resolve(Channel.F2B), d.getKey(), d.getValue());
            }
            front.writer().write(new MessageObject(command(FRAMES), "n", FRAMES, "s", "after the damage"));

            List<Integer> good = new ArrayList<>();
            List<FrameException> bad = new ArrayList<>();
            FrameHandler handler = new FrameHandler() {
                @Override
                public void onFrame(FrameReader frame) {
                    good.add(frame.toMessageObject().getInt("n"));
                }

                @Override
                public void onBadFrame(FrameException e) {
                    bad.add(e);
                }
            };
            while (back.reader().poll(handler)) {
                // drain
            }
            assertEquals(List.copyOf(damaged.values()), bad.stream().map(FrameException::reason).toList(),
                "each damaged frame reported with its reason: " + bad);
            List<Integer> expected = new ArrayList<>();
            for (int n = 0; n <= FRAMES; n++) {
                if (!damaged.containsKey(n)) {
                    expected.add(n);
                }
            }
            assertEquals(expected, good, "every undamaged frame, in order, the one written afterwards too");
            assertEquals(damaged.size(), back.reader().badFrames());
            for (FrameException e : bad) {
                assertTrue(e.getMessage().startsWith(e.reason() + ": "), e.getMessage());
            }
        }
    }

    /** Finds frame {@code n} in the direction's cycle files by its command and damages it. */
    private static void corrupt(Path queue, int n, FrameException.Reason reason) throws Exception {
        byte[] marker = command(n).getBytes(StandardCharsets.US_ASCII);
        List<Path> cycleFiles;
        try (Stream<Path> s = Files.list(queue)) {
            cycleFiles = s.filter(p -> p.getFileName().toString().endsWith(".cq4")).toList();
        }
        for (Path file : cycleFiles) {
            try (SharedMapping mapping = SharedMapping.open(file)) {
                MemorySegment bytes = mapping.segment();
                long at = indexOf(bytes, marker);
                if (at < 0) {
                    continue;
                }
                long frame = at - FrameDescriptor.HEADER_LENGTH; // the command follows the 12-byte header
                assertEquals(FrameDescriptor.MAGIC, bytes.get(ValueLayout.JAVA_SHORT_UNALIGNED
                    .withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), frame), "found the frame's header");
                // Fields after the command: "n" (key length 2, key 1, tag 1, int 4), then "s".
                long nTag = at + marker.length + 2 + 1;
                long sTag = nTag + 1 + 4 + 2 + 1;
                switch (reason) {
                    case BAD_MAGIC -> bytes.set(ValueLayout.JAVA_BYTE, frame, (byte) 0x58);
                    case BAD_VERSION -> bytes.set(ValueLayout.JAVA_BYTE, frame + FrameDescriptor.VERSION_OFFSET, (byte) 7);
                    case UNKNOWN_TYPE -> bytes.set(ValueLayout.JAVA_BYTE, nTag, (byte) 0x7F);
                    case LENGTH_PAST_EXCERPT -> bytes.set(INT_LE, frame + FrameDescriptor.FRAME_LENGTH_OFFSET,
                        bytes.get(INT_LE, frame + FrameDescriptor.FRAME_LENGTH_OFFSET) + 1000);
                    case TRUNCATED -> bytes.set(INT_LE, sTag + 1, 1 << 20); // the string's length runs past the frame
                    case BAD_VALUE -> { // "n" becomes a boolean whose byte is neither 0 nor 1
                        bytes.set(ValueLayout.JAVA_BYTE, nTag, FrameDescriptor.TYPE_BOOLEAN);
                        bytes.set(ValueLayout.JAVA_BYTE, nTag + 1, (byte) 2);
                    }
                    default -> throw new IllegalArgumentException("no damage for " + reason);
                }
                return;
            }
        }
        throw new AssertionError("frame " + n + " not found in " + cycleFiles);
    }

    private static long indexOf(MemorySegment haystack, byte[] needle) {
        long limit = haystack.byteSize() - needle.length;
        outer:
        for (long i = 0; i <= limit; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack.get(ValueLayout.JAVA_BYTE, i + j) != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
