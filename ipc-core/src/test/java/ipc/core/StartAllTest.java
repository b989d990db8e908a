package ipc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ipc.sync.ShmDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link MessageProcess#startAll}: backends boot side by side; a failed start leaves nothing running. */
@Timeout(120)
class StartAllTest {

    static final class Echo extends MessageProcess {
        Echo(String name) {
            super(name);
        }

        void c__echo(int i) {
            send_out__(new MessageObject("echo", "i", i, "pid", ProcessHandle.current().pid()));
        }
    }

    @Test
    void everyProcessIsReadyWhenStartAllReturnsAndTheirJvmsWereAliveAtOnce() {
        List<Echo> all = List.of(new Echo("a"), new Echo("b"), new Echo("c"));
        try {
            MessageProcess.startAll(all);
            Set<Long> pids = all.stream().map(p -> p.pid().orElseThrow()).collect(Collectors.toSet());
            assertEquals(3, pids.size());
            for (int i = 0; i < all.size(); i++) {
                Echo p = all.get(i);
                assertTrue(p.isAlive(), p.toString());
                p.sendMessageToBack(new MessageObject("echo", "i", i));
                MessageObject answer = p.getPipe().recv(Duration.ofSeconds(30));
                assertEquals(i, answer.getInt("i"));
                assertEquals(p.pid().orElseThrow(), answer.getLong("pid"));
            }
            assertThrows(IllegalStateException.class, () -> MessageProcess.startAll(all), "not NEW any more");
        } finally {
            all.forEach(MessageProcess::close);
        }
        all.forEach(p -> assertEquals(0, p.exitCode().orElseThrow(), p.toString()));
        assertTrue(channelsOfThisJvm().isEmpty(), "channel directories left: " + channelsOfThisJvm());
    }

    @Test
    void oneFailedStartClosesTheReadyOnesAndLeavesTheOthersNew() {
        Echo good = new Echo("good");
        Echo bad = new Echo("bad");
        Echo late = new Echo("late");
        bad.setJvmOptions(List.of("-Xmx1k")); // the JVM refuses this heap and exits 1 before main
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> MessageProcess.startAll(good, bad, late));
            assertTrue(e.getMessage().contains("exitCode=1"), e.getMessage());
            for (Echo p : List.of(good, bad, late)) {
                assertFalse(p.isAlive(), p.toString());
            }
            // "good" was ready before "bad" was seen to fail: it is closed (a clean stop);
            // "late" was not waited for: its backend was killed and it is NEW again
            assertEquals(0, good.exitCode().orElseThrow());
            assertThrows(IllegalStateException.class, good::start, "closed");
            assertTrue(late.exitCode().isEmpty(), "late never counts as started");
            late.start();
            late.sendMessageToBack(new MessageObject("echo", "i", 7));
            assertEquals(7, late.getPipe().recv(Duration.ofSeconds(30)).getInt("i"));
        } finally {
            List.of(good, bad, late).forEach(MessageProcess::close);
        }
        assertTrue(channelsOfThisJvm().isEmpty(), "channel directories left: " + channelsOfThisJvm());
    }

    @Test
    void aProcessNamedTwiceOrNotNewIsRefusedBeforeAnythingStarts() {
        Echo p = new Echo("twice");
        try {
            assertThrows(IllegalArgumentException.class, () -> MessageProcess.startAll(p, p));
            assertFalse(p.isAlive());
            assertTrue(p.exitCode().isEmpty(), "never started");
        } finally {
            p.close();
        }
        assertThrows(IllegalStateException.class, () -> MessageProcess.startAll(p), "closed");
    }

    private static List<Path> channelsOfThisJvm() {
        String prefix = "ch-" + ProcessHandle.current().pid() + "-";
        try (Stream<Path> entries = Files.list(ShmDirectory.root())) {
            return entries.filter(e -> e.getFileName().toString().startsWith(prefix)).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
