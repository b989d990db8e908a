package ipc.core.launch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassDirectoryJarsTest {

    @Test
    void aSnapshotHoldsEveryFileAndDirectoryStoredWithTheManifestFirst(@TempDir Path tmp) throws IOException {
        Path classes = classes(tmp.resolve("classes"));
        Path jar = ClassDirectoryJars.snapshot(classes, tmp.resolve("jars"));
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            List<String> names = new ArrayList<>();
            zip.stream().forEach(e -> names.add(e.getName()));
            assertEquals("META-INF/MANIFEST.MF", names.getFirst(), names.toString());
            assertTrue(names.containsAll(List.of("META-INF/", "a/", "a/b/", "a/A.class", "a/b/B.class", "r.txt")),
                names.toString());
            assertEquals(7, names.size(), names.toString());
            ZipEntry b = zip.getEntry("a/b/B.class");
            assertEquals(ZipEntry.STORED, b.getMethod());
            assertArrayEquals(new byte[] {(byte) 0xCA, (byte) 0xFE, 1, 2}, zip.getInputStream(b).readAllBytes());
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(jar)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("jars"))));
    }

    @Test
    void anUnchangedDirectoryMapsToTheSameJarAndAChangedOneToANewOne(@TempDir Path tmp) throws IOException {
        Path classes = classes(tmp.resolve("classes"));
        Path jars = tmp.resolve("jars");
        Path first = ClassDirectoryJars.snapshot(classes, jars);
        FileTime made = Files.getLastModifiedTime(first);
        assertEquals(first, ClassDirectoryJars.snapshot(classes, jars));
        assertEquals(made, Files.getLastModifiedTime(first), "not rewritten: its mtime is part of the AOT key");

        Files.write(classes.resolve("a/A.class"), new byte[] {(byte) 0xCA, (byte) 0xFE, 9, 9, 9});
        Path second = ClassDirectoryJars.snapshot(classes, jars);
        assertNotEquals(first, second, "a rebuilt class gives a new snapshot");
        Files.setLastModifiedTime(classes.resolve("r.txt"), FileTime.fromMillis(1_000));
        assertNotEquals(second, ClassDirectoryJars.snapshot(classes, jars), "an mtime counts too");
    }

    @Test
    void theClassPathKeepsItsOrderAndOnlyNonEmptyDirectoriesAreReplaced(@TempDir Path tmp) throws IOException {
        Path classes = classes(tmp.resolve("classes"));
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        Path lib = Files.write(tmp.resolve("lib.jar"), new byte[0]);
        String sep = File.pathSeparator;
        String cp = classes + sep + lib + sep + empty + sep + tmp.resolve("missing") + sep + sep + classes;
        String[] jarred = ClassDirectoryJars.jarred(cp, tmp.resolve("aot")).split(sep, -1);
        Path jar = tmp.resolve("aot").resolve(ClassDirectoryJars.SUBDIRECTORY);
        assertEquals(6, jarred.length);
        assertTrue(Path.of(jarred[0]).startsWith(jar) && jarred[0].endsWith(".jar"), jarred[0]);
        assertEquals(List.of(lib.toString(), empty.toString(), tmp.resolve("missing").toString(), ""),
            List.of(jarred).subList(1, 5));
        assertEquals(jarred[0], jarred[5], "the same directory twice, one snapshot");
    }

    @Test
    void aDirectoryOverTheLimitIsLeftAsItIs(@TempDir Path tmp) throws IOException {
        Path big = Files.createDirectory(tmp.resolve("big"));
        for (int i = 0; i <= ClassDirectoryJars.MAX_FILES; i++) {
            Files.write(big.resolve("f" + i), new byte[0]);
        }
        assertNull(ClassDirectoryJars.snapshot(big, tmp.resolve("jars")));
        assertEquals(big.toString(), ClassDirectoryJars.jarred(big.toString(), tmp.resolve("aot")));
    }

    @Test
    void pruneKeepsTheNewestSnapshotsAndTemporariesOfLiveProcesses(@TempDir Path tmp) throws IOException {
        Path jars = Files.createDirectory(tmp.resolve("jars"));
        int total = ClassDirectoryJars.KEEP + 3;
        for (int i = 0; i < total; i++) {
            Path jar = Files.write(jars.resolve("j" + i + ".jar"), new byte[0]);
            Files.setLastModifiedTime(jar, FileTime.fromMillis(1_000_000L * (i + 1)));
        }
        Path mine = Files.write(jars.resolve("x.jar.tmp-" + ProcessHandle.current().pid()), new byte[0]);
        Path dead = Files.write(jars.resolve("y.jar.tmp-" + Integer.MAX_VALUE), new byte[0]);
        ClassDirectoryJars.prune(jars);
        try (Stream<Path> left = Files.list(jars)) {
            List<String> names = left.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(ClassDirectoryJars.KEEP + 1, names.size(), names.toString());
            assertTrue(names.contains(mine.getFileName().toString()));
            assertTrue(names.contains("j" + (total - 1) + ".jar"));
            assertTrue(!names.contains("j0.jar") && !names.contains(dead.getFileName().toString()), names.toString());
        }
    }

    /** A small class directory: a manifest, two classes in nested packages, a resource. */
    private static Path classes(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("a/b"));
        Files.createDirectories(dir.resolve("META-INF"));
        Files.writeString(dir.resolve("META-INF/MANIFEST.MF"), "Manifest-Version: 1.0\n");
        Files.write(dir.resolve("a/A.class"), new byte[] {(byte) 0xCA, (byte) 0xFE, 0});
        Files.write(dir.resolve("a/b/B.class"), new byte[] {(byte) 0xCA, (byte) 0xFE, 1, 2});
        Files.writeString(dir.resolve("r.txt"), "resource");
        return dir;
    }
}
