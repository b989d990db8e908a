package ipc.core.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Copies a backend's stdout and stderr (pipes) into this JVM's {@code System.out} and
 * {@code System.err}, one whole line per write, so that a backend's line and a frontend's line
 * never share a line of the terminal.
 *
 * <p>Why not inherit the descriptors: then the backend and the frontend write to one file
 * independently, and a frontend's {@code printf} reaches it in several writes (System.out flushes
 * each piece the Formatter hands it), so a backend's line could land in the middle of it. Here
 * each line is one {@link PrintStream#write(byte[], int, int)}, which holds the stream's monitor,
 * the same one {@code format}, {@code printf} and {@code println} hold for their whole line
 * (JDK 25's PrintStream locks on itself); so a forwarded line goes between two frontend lines,
 * never inside one. Two writes of a frontend that make one line ({@code print("a")}, then
 * {@code println("b")}) can still be split by a forwarded line: nothing holds the monitor between them.
 *
 * <p>What is copied: bytes, split after each {@code '\n'}; no charset is applied, so any encoding
 * and any malformed byte arrives as sent. A line without its {@code '\n'} at end of stream (the
 * backend's last {@code print} before it exited) is forwarded with a {@code '\n'} added, and so is
 * each {@link #LINE_LIMIT}-byte piece of a longer line (cut before a UTF-8 sequence that would be
 * split), so the next line starts on a line of its own and the buffer stays bounded.
 *
 * <p>Threads: one per stream, daemon (a forwarder never keeps this JVM alive), named
 * {@code ipc-backend-out-<pid>} / {@code ipc-backend-err-<pid>}, with a {@link #STACK_SIZE}
 * stack. Each blocks in {@code read()} on its pipe and wakes only when the backend writes or
 * exits: no polling, nothing runs while messages flow unless the backend prints. A thread ends at
 * end of stream, which comes when the backend has exited (and every process it started that
 * inherited the pipe).
 */
public final class OutputForwarder {

    /**
     * 256 KiB, a quarter of the 1 MiB default: the copy loop is a few frames deep and the native
     * read and write use 8 KiB stack buffers; the rest is room for a {@code System.out} that the
     * user replaced with a stream that does more per write.
     */
    static final long STACK_SIZE = 256 * 1024;

    /**
     * 64 KiB, the capacity of a Linux pipe (16 pages): a line up to this long arrives whole; a
     * longer one (a dump, not a log line) arrives as several lines of at most this many bytes.
     */
    static final int LINE_LIMIT = 64 * 1024;

    /**
     * How long a drain after the backend's exit may take ({@link #awaitDrained}): the forwarders
     * only copy what is left in the pipes (at most 64 KiB each), milliseconds even on a loaded
     * machine. The bound matters when a process the backend started still holds the pipes open:
     * end of stream then waits this long and no longer.
     */
    public static final Duration DRAIN_GRACE = Duration.ofSeconds(1);

    private final Thread out;
    private final Thread err;

    private OutputForwarder(Thread out, Thread err) {
        this.out = out;
        this.err = err;
    }

    /** Starts forwarding {@code process}'s stdout to System.out and its stderr to System.err. */
    static OutputForwarder start(Process process) {
        long pid = process.pid();
        Thread out = forward(process.getInputStream(), () -> System.out, "ipc-backend-out-" + pid);
        Thread err = forward(process.getErrorStream(), () -> System.err, "ipc-backend-err-" + pid);
        return new OutputForwarder(out, err);
    }

    /**
     * Waits up to {@code timeout} for both streams to reach end of stream and be copied; true when
     * they have. Waits even when the calling thread is interrupted (the interrupt status is
     * restored), as the caller is reporting an exit or closing.
     */
    public boolean awaitDrained(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        try {
            for (Thread t : new Thread[] {out, err}) {
                while (t.isAlive()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    try {
                        t.join(Duration.ofNanos(left));
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Thread forward(InputStream in, Supplier<PrintStream> target, String name) {
        Thread thread = new Thread(null, () -> {
            try (in) {
                copyLines(in, target);
            } catch (IOException e) {
                // the pipe failed under us (closed): nothing more can be read from it
            }
        }, name, STACK_SIZE, false);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * Copies {@code in} to the stream {@code target} gives at each line (so a later
     * {@code System.setOut} is followed), one line per write, until end of stream; see the class
     * comment for partial and long lines.
     */
    static void copyLines(InputStream in, Supplier<PrintStream> target) throws IOException {
        byte[] buf = new byte[LINE_LIMIT + 1]; // + 1: room for the '\n' a cut or last line gets
        int len = 0; // bytes of an unfinished line at buf[0, len)
        int n;
        while ((n = in.read(buf, len, LINE_LIMIT - len)) >= 0) {
            int end = len + n;
            int start = 0;
            for (int i = len; i < end; i++) {
                if (buf[i] == '\n') {
                    write(target.get(), buf, start, i + 1 - start);
                    start = i + 1;
                }
            }
            len = end - start;
            if (start > 0 && len > 0) {
                System.arraycopy(buf, start, buf, 0, len);
            }
            if (len == LINE_LIMIT) {
                int cut = utf8Boundary(buf, len);
                writeWithNewline(target.get(), buf, cut);
                len -= cut;
                System.arraycopy(buf, cut, buf, 0, len);
            }
        }
        if (len > 0) {
            writeWithNewline(target.get(), buf, len);
        }
    }

    /** Writes {@code buf[0, len)} and a '\n' as one write; {@code buf[len]} is restored after. */
    private static void writeWithNewline(PrintStream target, byte[] buf, int len) {
        byte kept = buf[len];
        buf[len] = '\n';
        write(target, buf, 0, len + 1);
        buf[len] = kept;
    }

    /** One write (under the stream's monitor), then a flush for a stream that does not flush itself. */
    private static void write(PrintStream target, byte[] buf, int off, int len) {
        target.write(buf, off, len);
        target.flush();
    }

    /**
     * Where to cut {@code b[0, len)}: before the last UTF-8 sequence when that sequence is
     * incomplete (its rest is still to come), else at {@code len}. Bytes that are not UTF-8 are
     * cut at {@code len}: the cut only spares valid text a broken character.
     */
    static int utf8Boundary(byte[] b, int len) {
        int lead = len - 1;
        while (lead > 0 && len - lead < 4 && (b[lead] & 0xC0) == 0x80) { // 10xxxxxx: a continuation byte
            lead--;
        }
        int v = b[lead] & 0xFF;
        if (v < 0xC0 || lead == 0) {
            return len; // ASCII, a stray continuation, or nothing to cut before
        }
        int need = v >= 0xF0 ? 4 : v >= 0xE0 ? 3 : 2; // 11110xxx, 1110xxxx, 110xxxxx
        return lead + need > len ? lead : len;
    }
}
