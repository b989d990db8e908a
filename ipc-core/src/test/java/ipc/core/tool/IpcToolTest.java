package ipc.core.tool;

import ipc.core.Transport;

import ipc.core.JournalTest;
import ipc.core.MessageObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line tool's output for a journal, and its usage errors (exit code 2). */
@Timeout(120)
class IpcToolTest {
    @TempDir
    Path tmp;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Ipc.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void dumpPrintsEveryMessageOfAJournal() throws Exception {
        Path dir = tmp.resolve("journal");
        try (JournalTest.LedgerProcess p = new JournalTest.LedgerProcess("dumped")) {
            p.setJournal(dir);
            p.start();
            p.remote(JournalTest.Ledger.class).book(7);
            p.sendMessageToBack(new MessageObject("note", "text", "hello"));
            assertEquals("noted", p.getPipe().recv(Duration.ofSeconds(20)).command());
            Run list = run("list"); // a journaled channel lives outside the root: found through its pointer
            assertEquals(0, list.code(), list.err());
            assertTrue(list.out().lines().anyMatch(l -> l.startsWith("<LedgerProcess.dumped>")), list.out());
            p.stop();
        }
        Run after = run("list");
        assertTrue(after.out().lines().noneMatch(l -> l.startsWith("<LedgerProcess.dumped>")), after.out());
        try (var entries = java.nio.file.Files.list(ipc.sync.ShmDirectory.root())) {
            assertTrue(entries.noneMatch(e -> e.getFileName().toString().startsWith("jr-" + ProcessHandle.current().pid()
                + "-")), "the journal pointer is removed with the channel");
        }
        Run r = run("dump", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(
            "to-backend <MessageObject: __c:book: {qty=7}>",
            "to-backend <MessageObject: note: {text=hello}>",
            "to-frontend <MessageObject: noted: {text=hello, n=1}>"), r.out().lines().toList());
    }

    @Test
    void listAndTailALiveProcess() throws Exception {
        try (JournalTest.LedgerProcess p = new JournalTest.LedgerProcess("listed")) {
            p.start();
            JournalTest.Ledger ledger = p.remote(JournalTest.Ledger.class);
            ledger.book(3);
            p.sendMessageToBack(new MessageObject("note", "text", "x"));
            assertEquals("noted", p.getPipe().recv(Duration.ofSeconds(20)).command());
            assertEquals(3001, ledger.total()); // the backend has read everything before it answered
            // frames: __init__, book, note, total to the backend; __ready__, noted, the answer back. The
            // counters follow the frames by a few instructions (a reader may see a frame before its
            // writer has counted it): read until they settle.
            String expected = "<LedgerProcess\\.listed>\\s+" + ProcessHandle.current().pid() + "\\s+"
                + p.pid().getAsLong() + "\\s+chronicle\\s+4\\s+3\\s+0/0";
            String line = null;
            long settle = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
            while (line == null || !line.matches(expected) && System.nanoTime() < settle) {
                Run list = run("list");
                assertEquals(0, list.code(), list.err());
                assertTrue(list.out().startsWith("NAME"), list.out());
                line = list.out().lines().filter(l -> l.startsWith("<LedgerProcess.listed>")).findFirst()
                    .orElseThrow(() -> new AssertionError("not listed: " + list.out()));
            }
            assertTrue(line.matches(expected), line);

            ByteArrayOutputStream tailed = new ByteArrayOutputStream();
            PrintStream tailOut = new PrintStream(tailed, true, StandardCharsets.UTF_8);
            java.util.concurrent.atomic.AtomicBoolean keepGoing = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.CompletableFuture<Integer> tail = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> Ipc.tail("listed", tailOut, System.err, keepGoing::get), r -> Thread.ofPlatform().start(r));
            Thread.sleep(500); // the tail starts at the end: what comes after it opened
            p.sendMessageToBack(new MessageObject("note", "text", "tailed"));
            ledger.book(5);
            assertEquals("noted", p.getPipe().recv(Duration.ofSeconds(20)).command());
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (tailed.toString(StandardCharsets.UTF_8).lines().count() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            keepGoing.set(false);
            assertEquals(0, tail.get(10, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(List.of(
                "to-backend <MessageObject: note: {text=tailed}>",
                "to-backend <MessageObject: __c:book: {qty=5}>",
                "to-frontend <MessageObject: noted: {text=tailed, n=2}>"), tailed.toString(StandardCharsets.UTF_8)
                .lines().toList());
        }
        Run gone = run("tail", "listed");
        assertEquals(1, gone.code());
        assertTrue(gone.err().contains("no live process named listed"), gone.err());
    }

    /** A RING process is listed with its transport; tail, which reads the queues, says why it cannot follow it. */
    @Test
    void aRingProcessIsListedAndTailSaysWhyNot() {
        try (JournalTest.LedgerProcess p = new JournalTest.LedgerProcess("ringed")) {
            p.setTransport(ipc.core.Transport.RING);
            p.start();
            p.sendMessageToBack(new MessageObject("note", "text", "x"));
            assertEquals("noted", p.getPipe().recv(Duration.ofSeconds(20)).command());
            Run list = run("list");
            String line = list.out().lines().filter(l -> l.startsWith("<LedgerProcess.ringed>")).findFirst()
                .orElseThrow(() -> new AssertionError("not listed: " + list.out()));
            assertTrue(line.matches("<LedgerProcess\\.ringed>\\s+\\d+\\s+\\d+\\s+ring\\s+.*"), line);
            Run tail = run("tail", "ringed");
            assertEquals(1, tail.code());
            assertTrue(tail.err().contains("ring transport"), tail.err());
        }
    }

    @Test
    void badCommandsGetTheUsageAndExitCode2() {
        for (String[] args : List.of(new String[0], new String[] {"nope"}, new String[] {"dump"},
            new String[] {"dump", "a", "b"}, new String[] {"tail"}, new String[] {"list", "x"})) {
            Run r = run(args);
            assertEquals(2, r.code(), String.join(" ", args));
            assertTrue(r.err().contains("usage:"), r.err());
            assertEquals("", r.out());
        }
        Run noJournal = run("dump", tmp.toString());
        assertEquals(1, noJournal.code());
        assertTrue(noJournal.err().contains("no journal") && noJournal.err().contains(tmp.toString()), noJournal.err());
    }
}
