package ipc.core;

import ipc.core.channel.Channel;
import ipc.core.channel.ChannelOptions;
import ipc.core.frame.FrameException;
import ipc.core.frame.FrameHandler;
import ipc.core.frame.FrameReader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Run in a child JVM by {@link FullDirectoryTest}, so that a SIGBUS shows as a crashed child
 * instead of a dead test JVM. {@code args}: scenario, the (small tmpfs) directory, the result file.
 * Appends {@code key=value} lines to the result file as it goes; exit 0 when it got to the end.
 *
 * <ul>
 *   <li>{@code fill}: a channel in the directory; frames until a write fails (growing a cycle file
 *       or preparing the next one, whichever comes first); then every frame written before is read back; a balloon file is removed and one more
 *       write must work. Then, on a fresh channel, {@code grow.*}: one frame, the filesystem filled
 *       up, and the next frame, in the same second, must fail growing that cycle file (repeated
 *       when a slow machine let the second pass in between).</li>
 *   <li>{@code roll}: a few frames, then the filesystem is filled and the next write lands in a
 *       new second, so Chronicle must create a new cycle file on a full filesystem.</li>
 *   <li>{@code create}: the filesystem is full but for two pages (enough for the control segment and
 *       one Chronicle header, not for the rest) when the channel is created.</li>
 * </ul>
 */
public final class FullDirectoryPeer {
    /** 64 KiB frames at most: 1 MiB Chronicle blocks, so a 4 MiB tmpfs holds a few of them. */
    static final int MAX_FRAME_BYTES = 64 * 1024;
    /** 16 KiB: a 4 MiB tmpfs fills in a few hundred frames, well within one second (one cycle file). */
    static final int PAYLOAD_BYTES = 16 * 1024;
    /** Freed after the first failure in {@code fill}, to show that the writer recovers. */
    static final long BALLOON_BYTES = 1L << 20;

    private FullDirectoryPeer() {
    }

    public static void main(String[] args) throws Exception {
        String scenario = args[0];
        Path dir = Path.of(args[1]);
        Path result = Path.of(args[2]);
        switch (scenario) {
            case "fill" -> fill(dir, result);
            case "roll" -> roll(dir, result);
            case "create" -> create(dir, result);
            default -> throw new IllegalArgumentException("scenario=" + scenario);
        }
        report(result, "end", "true");
        System.exit(0);
    }

    private static ChannelOptions options(Path dir) {
        return ChannelOptions.defaults().withDirectory(dir.resolve("ch")).withMaxFrameBytes(MAX_FRAME_BYTES);
    }

    static MessageObject frame(int n) {
        byte[] payload = new byte[PAYLOAD_BYTES];
        payload[0] = (byte) n;
        payload[PAYLOAD_BYTES - 1] = (byte) ~n;
        return new MessageObject("fill", "n", n, "b", payload);
    }

    private static void fill(Path dir, Path result) throws IOException {
        Path balloon = balloon(dir, BALLOON_BYTES);
        try (Channel front = Channel.create(options(dir)); Channel back = Channel.open(front.directory())) {
            int written = writeUntilFailure(front, 0, result);
            report(result, "cycles", Integer.toString(front.writer().cycle() - firstCycle));
            Files.delete(balloon);
            readBack(back, written, result, "");
            retry(front, frame(written), result);
            readBack(back, 1, result, "After");
        }
        report(result, "left", list(dir));
        grow(dir, result);
    }

    private static void grow(Path dir, Path result) throws IOException {
        ChannelOptions options = ChannelOptions.defaults().withDirectory(dir.resolve("ch2"))
            .withMaxFrameBytes(MAX_FRAME_BYTES);
        try (Channel front = Channel.create(options); Channel back = Channel.open(front.directory())) {
            int n = 0;
            for (int attempt = 1; attempt <= 5; attempt++) {
                sleepIntoTheNextSecond();
                front.writer().write(frame(n++));
                int cycle = front.writer().cycle();
                Path balloon = balloon(dir, Long.MAX_VALUE);
                String error = "none";
                try {
                    front.writer().write(frame(n++));
                } catch (RuntimeException | Error e) {
                    n--;
                    error = e.toString();
                }
                // TEST_SECONDLY: the cycle is the second since the epoch; still in it means no roll was tried
                boolean sameCycle = System.currentTimeMillis() / 1000 == cycle;
                Files.delete(balloon);
                if (sameCycle) {
                    report(result, "grow.error", error);
                    report(result, "grow.attempts", Integer.toString(attempt));
                    break;
                }
            }
            front.writer().write(frame(n++));
            readBack(back, n, result, ".grow");
        }
        report(result, "grow.left", list(dir));
    }

    private static void roll(Path dir, Path result) throws Exception {
        try (Channel front = Channel.create(options(dir)); Channel back = Channel.open(front.directory())) {
            int written = 10;
            sleepIntoTheNextSecond(); // the ten frames in one cycle file, so the balloon gets the rest
            for (int n = 0; n < written; n++) {
                front.writer().write(frame(n));
            }
            Path balloon = balloon(dir, Long.MAX_VALUE);
            report(result, "free", Long.toString(Files.getFileStore(dir).getUsableSpace()));
            sleepIntoTheNextSecond(); // a new cycle file
            try {
                front.writer().write(frame(written));
                written++;
                report(result, "error", "none");
            } catch (RuntimeException | Error e) {
                report(result, "error", e.toString());
            }
            readBack(back, written, result, "");
            Files.delete(balloon);
            retry(front, frame(written), result);
            readBack(back, 1, result, "After");
        }
        report(result, "left", list(dir));
    }

    /**
     * The write after space was freed. Repeated for up to 5 s while it still fails for lack of space:
     * files the reader has passed are deleted by Chronicle's background releaser, a moment later.
     */
    private static void retry(Channel front, MessageObject frame, Path result) throws IOException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (int attempt = 1; ; attempt++) {
            try {
                front.writer().write(frame);
                report(result, "retry", "ok");
                report(result, "retryAttempts", Integer.toString(attempt));
                return;
            } catch (ipc.sync.OutOfSpaceException e) {
                if (System.nanoTime() > deadline) {
                    report(result, "retry", e.toString());
                    return;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    throw new IllegalStateException(interrupted);
                }
            }
        }
    }

    private static void create(Path dir, Path result) throws IOException {
        Path balloon = balloon(dir, Long.MAX_VALUE);
        try (FileChannel ch = FileChannel.open(balloon, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 2 * 4096);
        }
        report(result, "free", Long.toString(Files.getFileStore(dir).getUsableSpace()));
        try (Channel front = Channel.create(options(dir))) {
            report(result, "error", "none: created " + front.directory());
        } catch (RuntimeException | Error e) {
            report(result, "error", e.toString());
        }
        report(result, "left", list(dir));
    }

    private static void sleepIntoTheNextSecond() {
        try {
            Thread.sleep(1020 - System.currentTimeMillis() % 1000);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int firstCycle;

    private static int writeUntilFailure(Channel front, int from, Path result) throws IOException {
        int n = from;
        try {
            front.writer().write(frame(n++));
            firstCycle = front.writer().cycle();
            while (n < 1_000_000) {
                front.writer().write(frame(n));
                n++;
            }
            report(result, "error", "none");
        } catch (RuntimeException | Error e) {
            report(result, "error", e.toString());
        }
        report(result, "written", Integer.toString(n));
        return n;
    }

    /** Reads {@code expected} frames and reports how many arrived intact and in order. */
    private static void readBack(Channel back, int expected, Path result, String suffix) throws IOException {
        List<Integer> seen = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        FrameHandler handler = new FrameHandler() {
            @Override
            public void onFrame(FrameReader frame) {
                MessageObject m = frame.toMessageObject();
                int n = m.getInt("n");
                byte[] b = m.getBytes("b");
                if (b.length != PAYLOAD_BYTES || b[0] != (byte) n || b[PAYLOAD_BYTES - 1] != (byte) ~n) {
                    bad.add("corrupt " + n);
                }
                seen.add(n);
            }

            @Override
            public void onBadFrame(FrameException e) {
                bad.add(e.getMessage());
            }
        };
        while (back.reader().poll(handler)) {
            // drain
        }
        boolean inOrder = true;
        for (int i = 1; i < seen.size(); i++) {
            inOrder &= seen.get(i) == seen.get(i - 1) + 1;
        }
        report(result, "read" + suffix, Integer.toString(seen.size()));
        report(result, "inOrder" + suffix, Boolean.toString(inOrder));
        report(result, "bad" + suffix, bad.toString());
        report(result, "expected" + suffix, Integer.toString(expected));
    }

    /** Fills the filesystem with a file of at most {@code bytes} (until ENOSPC). */
    private static Path balloon(Path dir, long bytes) throws IOException {
        Path balloon = dir.resolve("balloon");
        try (FileChannel ch = FileChannel.open(balloon, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate(4096);
            long written = 0;
            while (written < bytes) {
                zeros.clear();
                written += ch.write(zeros);
            }
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
        return balloon;
    }

    private static String list(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString()).sorted().toList().toString();
        }
    }

    static void report(Path result, String key, String value) throws IOException {
        Files.writeString(result, key + "=" + value.replace('\n', ' ') + "\n", StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
    }
}
