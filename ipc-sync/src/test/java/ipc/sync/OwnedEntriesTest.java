package ipc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ipc.sync.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Entries a JVM created are gone when it exits normally, whether or not it closed them; an opener's
 * exit leaves the creator's file alone; closes that race the exit hook delete each entry once.
 * Each case runs a real child JVM ({@link EventGroupPeer}) that exits by itself.
 */
class OwnedEntriesTest {
    private static final Duration EXIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    void aGroupNeverClosedIsGoneWhenItsCreatorExits() throws Exception {
        Path ready = tmp.resolve("ready");
        long pid;
        try (ChildJvm creator = ChildJvm.start(EventGroupPeer.class, "createAndExit", "4", ready.toString())) {
            pid = creator.pid();
            assertEquals(0, creator.waitFor(EXIT));
        }
        String name = EventGroupPeer.awaitAnnouncement(ready);
        assertFalse(Files.exists(ShmDirectory.root().resolve(name)), "the exited creator's group: " + name);
        assertEquals(List.of(), entriesOf(pid));
    }

    @Test
    void anOpenerThatExitsLeavesTheCreatorsGroup() {
        try (EventGroup eg = new EventGroup(4)) {
            Path file = ShmDirectory.root().resolve(eg.name());
            try (ChildJvm opener = ChildJvm.start(EventGroupPeer.class, "openAndExit", eg.name())) {
                assertEquals(0, opener.waitFor(EXIT));
            }
            assertTrue(Files.exists(file), "only the creator removes: " + file);
            assertTrue(OwnedEntries.contains(file));
            SharedEvent e = eg.reserve(); // still fully usable
            assertTrue(eg.set(e.index()));
            eg.release(e);
        }
    }

    @Test
    void closesThatRaceTheExitHookDeleteEveryEntry() throws Exception {
        Path ready = tmp.resolve("ready");
        long pid;
        try (ChildJvm creator = ChildJvm.start(EventGroupPeer.class, "closeRacingExit", "32", ready.toString())) {
            pid = creator.pid();
            assertEquals(0, creator.waitFor(EXIT), "6: a close failed against the exit hook (its stack is above)");
        }
        assertEquals(32, EventGroupPeer.awaitAnnouncement(ready).split(" ").length);
        assertEquals(List.of(), entriesOf(pid));
    }

    @Test
    void closeForgetsTheEntryAndASecondCloseDoesNothing() {
        EventGroup eg = new EventGroup(2);
        Path file = ShmDirectory.root().resolve(eg.name());
        assertTrue(OwnedEntries.contains(file));
        try (EventGroup opened = EventGroup.open(eg.name())) {
            assertFalse(opened.isCreator());
        }
        assertTrue(Files.exists(file), "an opener's close leaves the file");
        eg.close();
        assertFalse(OwnedEntries.contains(file));
        assertFalse(Files.exists(file));
        eg.close();
        assertFalse(OwnedEntries.remove(file), "already removed: nothing to do");
    }

    /** Entries of the root whose names carry {@code pid}. */
    static List<String> entriesOf(long pid) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(ShmDirectory.root())) {
            for (Path entry : entries) {
                if (ShmDirectory.ownerPid(entry).orElse(-1) == pid) {
                    names.add(entry.getFileName().toString());
                }
            }
        }
        return names;
    }
}
