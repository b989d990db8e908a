package ipc.core;

import ipc.core.channel.Channel;
import ipc.core.channel.ChannelCreatorPeer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ipc.sync.ShmDirectory;
import ipc.sync.testing.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A channel whose frontend was killed (SIGKILL: no close ran) is removed by the next create. */
public class StaleChannelTest {
    @Test
    void aDeadFrontendsDirectoryIsRemovedOnTheNextCreate() throws Exception {
        Path published = Files.createTempFile("stale-channel", ".path");
        Files.delete(published);
        Path stale;
        try (ChildJvm creator = ChildJvm.start(ChannelCreatorPeer.class, published.toString())) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(published)) {
                assertTrue(creator.process().isAlive(), "creator died before publishing");
                assertTrue(System.nanoTime() < deadline, "creator did not publish its channel");
                Thread.sleep(20);
            }
            stale = Path.of(Files.readString(published));
            assertTrue(Files.isDirectory(stale.resolve(Channel.F2B)), "creator's channel exists: " + stale);
            assertTrue(stale.startsWith(ShmDirectory.root()));
        } // close() kills the child with SIGKILL: its channel stays behind
        Files.deleteIfExists(published);
        assertTrue(Files.exists(stale), "a killed frontend cannot clean up: " + stale);
        try (Channel next = Channel.create()) {
            assertFalse(Files.exists(stale), "stale channel directory survived the next create: " + stale);
            assertTrue(Files.exists(next.directory()));
        }
    }
}
