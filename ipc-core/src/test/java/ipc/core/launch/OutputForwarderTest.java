package ipc.core.launch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The line copier of {@link OutputForwarder}: what each write to the target holds. */
@Timeout(60)
class OutputForwarderTest {

    /** A PrintStream that records each write it is given, as one entry. */
    private static final class Writes extends PrintStream {
        final List<byte[]> writes = new ArrayList<>();

        Writes() {
            super(new ByteArrayOutputStream());
        }

        @Override
        public void write(byte[] buf, int off, int len) {
            writes.add(Arrays.copyOfRange(buf, off, off + len));
        }

        List<String> strings() {
            return writes.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
        }
    }

    /** Hands out at most {@code step} bytes per read, as a pipe does when the writer is slow. */
    private static InputStream trickle(byte[] data, int step) {
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, step));
            }
        };
    }

    private static List<String> copy(String text, int step) throws IOException {
        Writes target = new Writes();
        OutputForwarder.copyLines(trickle(text.getBytes(StandardCharsets.UTF_8), step), () -> target);
        return target.strings();
    }

    @Test
    void eachWriteIsOneWholeLineHoweverTheReadsCutIt() throws IOException {
        String text = "first line\nsecond\n\nfourth, after an empty one\n";
        List<String> expected = List.of("first line\n", "second\n", "\n", "fourth, after an empty one\n");
        for (int step : new int[] {1, 2, 3, 7, 1000}) {
            assertEquals(expected, copy(text, step), "step=" + step);
        }
    }

    @Test
    void aLastLineWithoutNewlineIsForwardedWithOne() throws IOException {
        assertEquals(List.of("done\n", "no newline at exit\n"), copy("done\nno newline at exit", 5));
        assertEquals(List.of(), copy("", 5));
    }

    @Test
    void bytesPassThroughUnchangedWhateverTheirEncoding() throws IOException {
        byte[] raw = {'a', (byte) 0xFF, (byte) 0xC3, 0, '\r', '\n', (byte) 0xE2, (byte) 0x82, (byte) 0xAC, '\n'};
        Writes target = new Writes();
        OutputForwarder.copyLines(trickle(raw, 3), () -> target);
        assertEquals(2, target.writes.size());
        assertArrayEquals(Arrays.copyOfRange(raw, 0, 6), target.writes.get(0));
        assertArrayEquals(Arrays.copyOfRange(raw, 6, 10), target.writes.get(1));
    }

    @Test
    void aLongLineGoesInBoundedPiecesCutBetweenCharacters() throws IOException {
        int limit = OutputForwarder.LINE_LIMIT;
        // "x" then euros (3 bytes each): the limit falls inside a euro sign
        String line = "x" + "\u20ac".repeat(limit / 3 * 2 + 1);
        List<String> writes = copy(line + "\nnext\n", 4096);

        assertEquals("next\n", writes.getLast());
        List<String> pieces = writes.subList(0, writes.size() - 1);
        assertTrue(pieces.size() >= 2, "pieces=" + pieces.size());
        StringBuilder joined = new StringBuilder();
        for (String piece : pieces) {
            assertTrue(piece.getBytes(StandardCharsets.UTF_8).length <= limit + 1, "a piece past the limit");
            assertTrue(piece.endsWith("\n"), "each piece is a line of its own");
            assertTrue(!piece.contains("\ufffd"), "a character was cut in two");
            joined.append(piece, 0, piece.length() - 1);
        }
        assertEquals(line, joined.toString());
    }

    @Test
    void utf8BoundaryCutsOnlyAnIncompleteSequence() {
        byte[] euro = "a\u20ac".getBytes(StandardCharsets.UTF_8); // 61 E2 82 AC
        assertEquals(4, OutputForwarder.utf8Boundary(euro, 4), "complete: keep all");
        assertEquals(1, OutputForwarder.utf8Boundary(euro, 3), "E2 82 of 3: cut before E2");
        assertEquals(1, OutputForwarder.utf8Boundary(euro, 2), "E2 of 3: cut before E2");
        byte[] ascii = "abc".getBytes(StandardCharsets.UTF_8);
        assertEquals(3, OutputForwarder.utf8Boundary(ascii, 3));
        byte[] junk = {'a', (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80};
        assertEquals(5, OutputForwarder.utf8Boundary(junk, 5), "not UTF-8: no cut");
    }

    @Test
    void forwarderThreadsAreNamedLeanDaemonsThatEndAtTheProcessesExit() throws Exception {
        Process process = new ProcessBuilder("sh", "-c", "exit 0").start();
        process.getOutputStream().close();
        OutputForwarder forwarder = OutputForwarder.start(process);
        List<Thread> threads = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().endsWith("-" + process.pid()) && t.getName().startsWith("ipc-backend-"))
            .toList();
        process.waitFor();
        assertTrue(forwarder.awaitDrained(Duration.ofSeconds(10)), "the forwarders did not reach end of stream");
        for (Thread t : threads) {
            assertTrue(t.isDaemon(), t.getName());
            assertTrue(!t.isAlive(), t.getName());
        }
    }
}
