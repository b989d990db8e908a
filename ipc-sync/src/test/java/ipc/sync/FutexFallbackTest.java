package ipc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.Test;

/** Runs in both surefire executions: checks that each really takes the wait path it names. */
class FutexFallbackTest {
    static boolean fallbackRequested() {
        return "false".equalsIgnoreCase(System.getProperty(Futex.ENABLED_PROPERTY));
    }

    @Test
    void theWaitPathIsTheOneThisRunAskedFor() {
        assertEquals(!fallbackRequested(), Futex.isAvailable(), Futex.status());
        if (fallbackRequested()) {
            assertTrue(Futex.status().contains("ipc.sync.futex=false"), Futex.status());
            try (Arena arena = Arena.ofConfined()) {
                assertThrows(UnsupportedOperationException.class, () -> Futex.wake(arena.allocate(4, 4), 0, 1));
                assertThrows(UnsupportedOperationException.class, () -> Futex.await(arena.allocate(4, 4), 0, 0, 1));
            }
        }
    }
}
