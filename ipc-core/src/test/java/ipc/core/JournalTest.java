package ipc.core;

import ipc.core.channel.Channel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link MessageProcess#setJournal}: both directions kept after the process ends (owner-only),
 * read back in order without the library's own frames, and replayed into another process, which
 * then holds the same state.
 */
@Timeout(120)
public class JournalTest {
    private static final Duration REPLY = Duration.ofSeconds(20);

    public interface Ledger {
        void book(long qty);

        long total();
    }

    public static class LedgerProcess extends MessageProcess implements Ledger {
        private transient long total;
        private transient long notes;

        public LedgerProcess(String name) {
            super(name);
        }

        @Override
        public void book(long qty) {
            total += qty;
        }

        @Override
        public long total() {
            return total * 1000 + notes;
        }

        void c__note(String text) {
            notes++;
            send_out__(new MessageObject("noted", "text", text, "n", notes));
        }
    }

    @TempDir
    Path tmp;

    @Test
    void recordsBothDirectionsAndReplaysIntoAnotherProcess() throws Exception {
        Path dir = tmp.resolve("journals/ledger-1");
        long total;
        try (LedgerProcess p = new LedgerProcess("ledger")) {
            p.setJournal(dir);
            p.start();
            Ledger ledger = p.remote(Ledger.class);
            for (int i = 1; i <= 5; i++) {
                ledger.book(i);
                p.sendMessageToBack(new MessageObject("note", "text", "n" + i));
            }
            total = ledger.total();
            assertEquals(15 * 1000 + 5, total);
            for (int i = 1; i <= 5; i++) {
                assertEquals("noted", p.getPipe().recv(REPLY).command());
            }
            p.stop();
        }
        assertTrue(Files.isDirectory(dir.resolve(Channel.F2B)) && Files.isDirectory(dir.resolve(Channel.B2F)),
            "both queues are kept");
        assertFalse(Files.exists(dir.resolve(Channel.CONTROL)), "the control segment is removed");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)), f.toString());
            }
        }

        try (Journal journal = Journal.open(dir)) {
            List<String> toBackend = new ArrayList<>();
            journal.toBackend().forEach(m -> toBackend.add(m.command() + (m.has("text") ? ":" + m.get("text")
                : m.has("qty") ? ":" + m.get("qty") : "")));
            assertEquals(List.of("__c:book:1", "note:n1", "__c:book:2", "note:n2", "__c:book:3", "note:n3",
                "__c:book:4", "note:n4", "__c:book:5", "note:n5", "__c:total"), toBackend,
                "in order, without __init__ and __stop__");
            List<Object> toFrontend = new ArrayList<>();
            journal.toFrontend().forEach(m -> toFrontend.add(m.command() + ":" + m.get("n")));
            assertEquals(List.of("noted:1", "noted:2", "noted:3", "noted:4", "noted:5"), toFrontend,
                "without __ready__ and the typed call's answer");

            try (LedgerProcess again = new LedgerProcess("ledger-replay")) {
                again.start();
                assertEquals(11, journal.replayInto(again));
                assertEquals(total, again.remote(Ledger.class).total(), "the replayed process holds the same state");
                for (int i = 1; i <= 5; i++) {
                    assertEquals("noted", again.getPipe().recv(REPLY).command());
                }
                assertEquals(null, again.getPipe().recv(Duration.ofMillis(50)),
                    "the replayed total() call's answer is dropped, not shown on the pipe");
            }
        }
    }

    @Test
    void aDirectoryWithoutAJournalIsRefused() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Journal.open(tmp));
        assertTrue(e.getMessage().contains(tmp.toString()), e.getMessage());
        Files.writeString(tmp.resolve("something"), "x");
        try (LedgerProcess p = new LedgerProcess("not-empty")) {
            p.setJournal(tmp);
            IllegalStateException notEmpty = assertThrows(IllegalStateException.class, p::start);
            assertTrue(notEmpty.getMessage().contains("not empty") && notEmpty.getMessage().contains(tmp.toString()),
                notEmpty.getMessage());
        }
    }

    @Test
    void setJournalAfterStartIsRefused() {
        try (LedgerProcess p = new LedgerProcess("late")) {
            p.start();
            assertThrows(IllegalStateException.class, () -> p.setJournal(tmp.resolve("late")));
        }
    }
}
