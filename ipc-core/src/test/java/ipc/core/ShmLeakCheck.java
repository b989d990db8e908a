package ipc.core;

import ipc.core.channel.SelectBell;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Base of the fault test classes ({@link FaultTest}, {@link StartStopFaultTest}): every test leaves
 * no shm entry of this JVM behind, checked against a snapshot taken before it (descriptors and
 * threads: see LoadTest).
 */
abstract class ShmLeakCheck {
    private LeakProbe start;

    @BeforeEach
    void snapshot() {
        SelectBell.frontend(); // one per JVM, made on first use and kept: part of the start state
        start = LeakProbe.now();
    }

    @AfterEach
    void nothingLeftInShm() {
        LeakProbe end = LeakProbe.settle(start, Duration.ofSeconds(5));
        assertEquals(start.shm().keySet(), end.shm().keySet(), end.diff(start));
    }
}
