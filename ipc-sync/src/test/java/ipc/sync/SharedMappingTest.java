package ipc.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedMappingTest {
    @TempDir
    Path tmp;

    @Test
    void createMakesAZeroFilledOwnerOnlyFileOfTheGivenSize() throws Exception {
        Path file = tmp.resolve("m");
        long size = 200_000; // more than one fill chunk, not a multiple of it
        try (SharedMapping m = SharedMapping.create(file, size)) {
            assertEquals(size, m.size());
            assertEquals(size, Files.size(file));
            assertEquals(file, m.path());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals(-1L, m.segment().mismatch(java.lang.foreign.MemorySegment.ofArray(new byte[(int) size])));
            m.unlink();
        }
    }

    @Test
    void twoMappingsOfOneFileShareTheBytes() {
        Path file = tmp.resolve("m");
        try (SharedMapping a = SharedMapping.create(file, 4096); SharedMapping b = SharedMapping.open(file)) {
            assertEquals(4096, b.size());
            a.segment().set(ValueLayout.JAVA_LONG, 128, 0x1234_5678_9abcL);
            assertEquals(0x1234_5678_9abcL, b.segment().get(ValueLayout.JAVA_LONG, 128));
            assertEquals(0, a.segment().address() % 4096, "page-aligned");
        }
    }

    @Test
    void closeIsIdempotentAndUnmaps() {
        SharedMapping m = SharedMapping.create(tmp.resolve("m"), 64);
        m.close();
        m.close();
        assertTrue(m.isClosed());
        assertThrows(IllegalStateException.class, () -> m.segment().get(ValueLayout.JAVA_INT, 0));
        assertTrue(Files.exists(m.path()), "close must not delete");
    }

    @Test
    void unlinkIsIdempotentAndKeepsTheMappingValid() {
        try (SharedMapping m = SharedMapping.create(tmp.resolve("m"), 64)) {
            m.unlink();
            m.unlink();
            assertFalse(Files.exists(m.path()));
            m.segment().set(ValueLayout.JAVA_INT, 0, 7);
            assertEquals(7, m.segment().get(ValueLayout.JAVA_INT, 0));
        }
    }

    @Test
    void openOfAMissingFileNamesThePath() {
        Path file = tmp.resolve("missing");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SharedMapping.open(file));
        assertTrue(e.getMessage().contains("path=" + file), e.getMessage());
        assertInstanceOf(NoSuchFileException.class, e.getCause());
    }

    @Test
    void createOnAnExistingFileFailsAndLeavesItAlone() throws Exception {
        Path file = tmp.resolve("m");
        Files.writeString(file, "keep");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SharedMapping.create(file, 64));
        assertTrue(e.getMessage().contains("path=" + file), e.getMessage());
        // SharedMemory.create tells a lost creation race by this cause
        assertInstanceOf(java.nio.file.FileAlreadyExistsException.class, e.getCause());
        assertEquals("keep", Files.readString(file));
    }

    @Test
    void badSizesAreRejected() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> SharedMapping.create(tmp.resolve("z"), 0));
        Path empty = Files.createFile(tmp.resolve("empty"));
        assertThrows(IllegalStateException.class, () -> SharedMapping.open(empty));
    }
}
