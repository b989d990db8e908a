package ipc.core;

import ipc.core.channel.Channel;
import ipc.core.channel.ChannelOptions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ipc.sync.SharedMapping;
import ipc.sync.testing.ChildJvm;
import ipc.sync.testing.SmallTmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A directory the library cannot write: a clear IllegalStateException that names the path and the
 * reason the OS gave, and nothing left behind. The test runs as root, which ignores permission bits, so "cannot write" is
 * made with what root cannot override: a read-only tmpfs mount (root only, else skipped) and a
 * path whose parent is a regular file.
 */
class UnwritableDirectoryTest {
    @TempDir
    Path tmp;

    private static List<String> list(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    @Test
    void aChannelDirectoryOnAReadOnlyFilesystemNamesThePath() throws Exception {
        try (SmallTmpfs fs = SmallTmpfs.mountReadOnly()) {
            Path dir = fs.dir().resolve("ch");
            IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Channel.create(ChannelOptions.defaults().withDirectory(dir)));
            assertTrue(e.getMessage().contains("path=" + dir + " (Read-only file system)"), e.getMessage());
            Path file = fs.dir().resolve("m");
            e = assertThrows(IllegalStateException.class, () -> SharedMapping.create(file, 4096));
            assertTrue(e.getMessage().contains("path=" + file + " (Read-only file system"), e.getMessage());
            assertEquals(List.of(), list(fs.dir()));
        }
    }

    @Test
    void aChannelDirectoryUnderARegularFileNamesThePath() throws Exception {
        Path notADirectory = Files.writeString(tmp.resolve("plain-file"), "keep");
        Path dir = notADirectory.resolve("ch");
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> Channel.create(ChannelOptions.defaults().withDirectory(dir)));
        assertTrue(e.getMessage().contains("path=" + dir + " (Not a directory)"), e.getMessage());
        Path file = notADirectory.resolve("m");
        e = assertThrows(IllegalStateException.class, () -> SharedMapping.create(file, 4096));
        assertTrue(e.getMessage().contains("path=" + file + " (Not a directory"), e.getMessage());
        assertEquals("keep", Files.readString(notADirectory));
        assertEquals(List.of("plain-file"), list(tmp));
    }

    /**
     * In child JVMs, since the root comes from {@code ipc.dir}: a root that cannot be created (on a
     * read-only filesystem), and a root that exists, is private and passes every check, but sits on
     * a filesystem remounted read-only. Channel, EventGroup and SelectBell each fail naming a path.
     */
    @Test
    void aRootThatCannotBeCreatedOrWrittenNamesThePathForEveryKindOfFile() throws Exception {
        try (SmallTmpfs readOnly = SmallTmpfs.mountReadOnly(); SmallTmpfs remounted = SmallTmpfs.mount(1L << 20)) {
            Path missingRoot = readOnly.dir().resolve("ipc");
            Path existingRoot = remounted.dir().resolve("ipc");
            Files.createDirectory(existingRoot, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            remounted.remountReadOnly();

            Path missingResult = tmp.resolve("missing-root.txt");
            Path existingResult = tmp.resolve("existing-root.txt");
            try (ChildJvm a = create(missingRoot, missingResult); ChildJvm b = create(existingRoot, existingResult)) {
                assertEquals(0, a.waitFor(Duration.ofSeconds(60)), "peer exit code");
                assertEquals(0, b.waitFor(Duration.ofSeconds(60)), "peer exit code");
            }
            Map<String, String> missing = read(missingResult);
            Map<String, String> existing = read(existingResult);
            for (String kind : List.of("channel", "eventGroup", "selectBell")) {
                assertTrue(missing.get(kind).startsWith("java.lang.IllegalStateException: cannot create ipc root directory: path="
                    + missingRoot), kind + ": " + missing);
                String error = existing.get(kind);
                assertTrue(error.startsWith("java.lang.IllegalStateException: ") && error.contains("path=" + existingRoot + "/"),
                    kind + ": " + existing);
                assertTrue(error.contains("(Read-only file system"), kind + ": " + existing);
            }
            assertEquals(List.of(), list(readOnly.dir()));
            assertEquals(List.of("ipc"), list(remounted.dir()), "nothing created in the root");
        }
    }

    /** Both peers at once: one JVM start of wall time. */
    private static ChildJvm create(Path root, Path result) {
        return ChildJvm.start(SharedFilesPeer.class, List.of("-Dipc.dir=" + root), "create", result.toString());
    }

    private static Map<String, String> read(Path result) throws Exception {
        Map<String, String> report = new LinkedHashMap<>();
        for (String line : Files.readAllLines(result)) {
            int eq = line.indexOf('=');
            report.put(line.substring(0, eq), line.substring(eq + 1));
        }
        Files.delete(result);
        return report;
    }
}
