package ipc.core.tool;

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
    void dumpPrintsEveryMessageOfAJournal() {
        Path dir = tmp.resolve("journal");
        try (JournalTest.LedgerProcess p = new JournalTest.LedgerProcess("dumped")) {
            p.setJournal(dir);
            p.start();
            p.remote(JournalTest.Ledger.class).book(7);
            p.sendMessageToBack(new MessageObject("note", "text", "hello"));
            assertEquals("noted", p.getPipe().recv(Duration.ofSeconds(20)).command());
            p.stop();
        }
        Run r = run("dump", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(
            "to-backend <MessageObject: __c:book(J): {qty=7}>",
            "to-backend <MessageObject: note: {text=hello}>",
            "to-frontend <MessageObject: noted: {text=hello, n=1}>"), r.out().lines().toList());
    }

    @Test
    void badCommandsGetTheUsageAndExitCode2() {
        for (String[] args : List.of(new String[0], new String[] {"nope"}, new String[] {"dump"},
            new String[] {"dump", "a", "b"})) {
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
