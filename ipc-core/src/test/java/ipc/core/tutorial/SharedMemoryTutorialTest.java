package ipc.core.tutorial;

import ipc.core.MessageObject;
import ipc.core.MessageProcess;
import ipc.core.SharedMemory;
import ipc.sync.EventGroup;
import ipc.sync.SyncIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The seed tutorial's shm1 and shm2: a shared array written by the backend, read by the frontend.
 * The seed's numpy arrays become MemorySegments of doubles (shm1) and floats (shm2's float16 has no
 * Java type; float keeps the example's point).
 */
@Timeout(60)
class SharedMemoryTutorialTest {
    private static final Duration SYNC = Duration.ofSeconds(20);

    /** shm1: created in the constructor (frontend), opened in preRun__ (backend: {@link SharedArrayProcess}). */
    static final class Shm1Process extends SharedArrayProcess {
        private final EventGroup eg;
        private final int rows = 100;
        private final int cols = 100;
        private final transient SharedMemory shmem;   // frontend side; backend side: arrayBack

        Shm1Process(String name, String shmemName) {
            super(name, shmemName);
            this.eg = new EventGroup(10);
            this.shmem = SharedMemory.create(shmemName, (long) rows * cols * Double.BYTES);
            MemorySegment array = shmem.segment();
            for (long i = 0; i < (long) rows * cols; i++) {
                array.setAtIndex(ValueLayout.JAVA_DOUBLE, i, 1.0);
            }
        }

        void c__readWrite(int sync_index) {
            logger.info("c__readWrite: will change array values from {} to {}",
                arrayBack.getAtIndex(ValueLayout.JAVA_DOUBLE, 0), 3.0);
            arrayBack.fill((byte) 0);
            for (long i = 0; i < (long) rows * cols; i++) {
                arrayBack.setAtIndex(ValueLayout.JAVA_DOUBLE, i, 3.0);
            }
            logger.info("c__readWrite: ..did that!");
            eg.set(sync_index);
        }

        void readWrite() {
            logger.info("readWrite : calling backend");
            try (SyncIndex sync = new SyncIndex(eg, SYNC)) {
                sendMessageToBack(new MessageObject("readWrite", "sync_index", sync.index()));
            }
            logger.info("readWrite: array values now {}", value(0));
        }

        double value(long i) {
            return shmem.segment().getAtIndex(ValueLayout.JAVA_DOUBLE, i);
        }

        @Override
        public void close() {
            super.close();
            shmem.close();
            eg.close();
        }
    }

    @Test
    void shm1() {
        String name = "my-shm-1-" + ProcessHandle.current().pid();
        try (Shm1Process p = new Shm1Process("my-process", name)) {
            p.start();
            assertEquals(1.0, p.value(0));
            p.readWrite();
            assertEquals(3.0, p.value(0));
            assertEquals(3.0, p.value(100 * 100 - 1), "the whole array was written");
            p.stop();
            assertEquals(OptionalInt.of(0), p.exitCode());
        }
        assertThrows(IllegalStateException.class, () -> SharedMemory.open(name), "closing the creator unlinks");
    }

    /** shm2: created on demand; the name and shape travel in a message. */
    static final class Shm2Process extends MessageProcess {
        private final EventGroup eg;
        private transient SharedMemory shmem;
        private transient SharedMemory shmemBack;
        private transient MemorySegment arrayBack;

        Shm2Process(String name) {
            super(name);
            this.eg = new EventGroup(10);
        }

        void c__create(String name, int[] shape, int sync_index) {
            shmemBack = SharedMemory.open(name);
            arrayBack = shmemBack.segment();
            if (arrayBack.byteSize() != (long) shape[0] * shape[1] * Float.BYTES) {
                throw new IllegalStateException("shape does not match the segment");
            }
            eg.set(sync_index);
        }

        void c__close(int sync_index) {
            shmemBack.unlink();
            shmemBack.close();
            logger.info("c__close: client side shmem unlinked");
            eg.set(sync_index);
        }

        void c__readWrite(int sync_index) {
            logger.info("c__readWrite: will change array values from {} to {}",
                arrayBack.getAtIndex(ValueLayout.JAVA_FLOAT, 0), 3.0);
            for (long i = 0; i < arrayBack.byteSize() / Float.BYTES; i++) {
                arrayBack.setAtIndex(ValueLayout.JAVA_FLOAT, i, 3.0f);
            }
            logger.info("c__readWrite: ..did that!");
            eg.set(sync_index);
        }

        void create(String name, int[] shape) {
            shmem = SharedMemory.create(name, (long) shape[0] * shape[1] * Float.BYTES);
            try (SyncIndex sync = new SyncIndex(eg, SYNC)) {
                sendMessageToBack(new MessageObject("create", "name", name, "shape", shape, "sync_index", sync.index()));
            }
        }

        float value(long i) {
            return shmem.segment().getAtIndex(ValueLayout.JAVA_FLOAT, i);
        }

        void readWrite() {
            try (SyncIndex sync = new SyncIndex(eg, SYNC)) {
                sendMessageToBack(new MessageObject("readWrite", "sync_index", sync.index()));
            }
            logger.info("readWrite: array values now {}", value(0));
        }

        void closeShared() {
            try (SyncIndex sync = new SyncIndex(eg, SYNC)) {
                sendMessageToBack(new MessageObject("close", "sync_index", sync.index()));
            }
            logger.info("close: closing server side shmem");
            shmem.close();
        }

        @Override
        public void close() {
            super.close();
            eg.close();
        }
    }

    @Test
    void shm2() {
        String name = "my-shm-2-" + ProcessHandle.current().pid();
        try (Shm2Process p = new Shm2Process("my-process")) {
            p.start();
            p.create(name, new int[] {200, 200});
            assertEquals(0.0f, p.value(0));
            p.readWrite();
            assertEquals(3.0f, p.value(0));
            assertEquals(3.0f, p.value(200 * 200 - 1));
            p.closeShared();
            assertFalse(SharedMemoryTestSupport.exists(name), "the backend unlinked the name");
            p.stop();
            assertEquals(OptionalInt.of(0), p.exitCode());
        }
    }
}
