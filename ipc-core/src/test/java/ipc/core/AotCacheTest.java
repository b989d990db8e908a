package ipc.core;

import ipc.core.launch.AotCache;
import ipc.core.launch.AotCacheStore;
import ipc.core.launch.AotCacheKey;
import ipc.core.launch.AotTrainer;
import ipc.core.launch.BackendLauncher;
import ipc.core.launch.ClassDirectoryJars;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend AOT cache: which class paths get one, what its key covers, where it lives and with
 * which modes, and that no cache - bad, damaged, stale or missing - stops a backend from starting.
 * The last two tests run real frontends and backends with a class path of jars (surefire's own has
 * directories first, which gets no cache, also tested).
 */
class AotCacheTest {

    private static final String JAVA = BackendLauncher.thisJavaBinary();
    private static final List<String> OPTIONS = BackendLauncher.DEFAULT_JVM_OPTIONS;

    // ------------------------------------------------------------------ in this JVM

    @Test
    void theJarPrefixEndsAtTheFirstDirectoryMissingFileOrEmptyEntry(@TempDir Path dir) throws IOException {
        Path a = jar(dir, "a.jar");
        Path b = jar(dir, "b.jar");
        Path classes = Files.createDirectory(dir.resolve("classes"));
        String sep = File.pathSeparator;

        assertEquals(List.of(a, b), AotCacheKey.jarPrefix(a + sep + b + sep + classes + sep + a));
        assertEquals(List.of(a), AotCacheKey.jarPrefix(a + sep + dir.resolve("missing.jar") + sep + b));
        assertEquals(List.of(a), AotCacheKey.jarPrefix(a + sep + sep + b)); // "" is the current directory
        assertEquals(List.of(), AotCacheKey.jarPrefix(classes + sep + a));
        assertEquals(List.of(), AotCacheKey.jarPrefix(""));
    }

    @Test
    void theKeyCoversJarsOptionsAndFlagsButNotSystemProperties(@TempDir Path dir) throws IOException {
        Path core = jar(dir, "core.jar");
        Path lib = jar(dir, "lib.jar");
        String cp = core + File.pathSeparator + lib;
        List<String> flags = List.of("--enable-native-access=ALL-UNNAMED");
        AotCacheKey key = AotCacheKey.of(JAVA, flags, OPTIONS, cp, core);

        assertEquals(key, AotCacheKey.of(JAVA, flags, OPTIONS, cp, core), "same inputs, same key");
        assertEquals(cp, key.classpath());
        assertEquals(32, key.hash().length());
        assertEquals(key.hash(), AotCacheKey.of(JAVA, flags, plus(OPTIONS, "-Dipc.dir=/x", "-Da=b"), cp, core).hash(),
            "-D properties vary per run and do not shape the archive");
        assertNotEquals(key.hash(), AotCacheKey.of(JAVA, flags, plus(OPTIONS, "-Xmx1g"), cp, core).hash());
        assertNotEquals(key.hash(), AotCacheKey.of(JAVA, List.of(), OPTIONS, cp, core).hash());
        assertNotEquals(key.hash(), AotCacheKey.of("/other/java", flags, OPTIONS, cp, core).hash());
        assertNotEquals(key.hash(), AotCacheKey.of(JAVA, flags, OPTIONS, lib + File.pathSeparator + core, core).hash(),
            "order counts");

        Files.write(lib, new byte[] {1}, java.nio.file.StandardOpenOption.APPEND);
        assertNotEquals(key.hash(), AotCacheKey.of(JAVA, flags, OPTIONS, cp, core).hash(), "a jar that changed");
        Files.setLastModifiedTime(core, FileTime.from(Instant.now().minusSeconds(3600)));
        AotCacheKey touched = AotCacheKey.of(JAVA, flags, OPTIONS, cp, core);
        Files.setLastModifiedTime(core, FileTime.from(Instant.now()));
        assertNotEquals(touched.hash(), AotCacheKey.of(JAVA, flags, OPTIONS, cp, core).hash(), "same size, new mtime");
    }

    @Test
    void noCacheWhenIpcCoreIsNotAJarOfThePrefixAsInSurefire(@TempDir Path dir) throws IOException {
        Path core = jar(dir, "core.jar");
        Path lib = jar(dir, "lib.jar");
        Path classes = Files.createDirectory(dir.resolve("classes"));
        String sep = File.pathSeparator;

        assertNull(AotCacheKey.of(JAVA, List.of(), OPTIONS, classes + sep + core, core), "directory first");
        assertNull(AotCacheKey.of(JAVA, List.of(), OPTIONS, lib + sep + classes + sep + core, core));
        assertNull(AotCacheKey.of(JAVA, List.of(), OPTIONS, lib + sep + core, null), "ipc-core from a directory");
        assertNotNull(AotCacheKey.of(JAVA, List.of(), OPTIONS, core + sep + lib + sep + classes, core),
            "directories after the jars are read as usual, the jars are cached");

        // surefire: target/test-classes and target/classes first; nothing is created or started
        Path cacheDir = dir.resolve("aot");
        withProperty(AotCacheStore.DIR_PROPERTY, cacheDir.toString(), () -> {
            assertNull(AotCacheKey.libraryJar(), "ipc-core comes from target/classes here");
            assertEquals(List.of(), AotCache.optionsFor(JAVA, BackendLauncher.libraryFlags(), java.util.Map.of(),
                OPTIONS, System.getProperty("java.class.path")));
            assertFalse(Files.exists(cacheDir), "no directory made, no training started");
        });
    }

    @Test
    void offWhenDisabledOrWhenTheBackendOptionsNameAnArchive() {
        withProperty(AotCache.ENABLED_PROPERTY, "false", () -> assertFalse(AotCache.enabled()));
        withProperty(AotCache.ENABLED_PROPERTY, "FALSE ", () -> assertFalse(AotCache.enabled()));
        assertTrue(AotCache.enabled());
        for (String option : List.of("-XX:AOTCache=/a.aot", "-XX:AOTCacheOutput=/a.aot", "-XX:AOTMode=off",
            "-XX:SharedArchiveFile=/a.jsa", "-XX:+AutoCreateSharedArchive", "-Xshare:off", "-XX:ArchiveClassesAtExit=a")) {
            assertTrue(AotCache.managesArchive(plus(OPTIONS, option)), option);
        }
        assertFalse(AotCache.managesArchive(OPTIONS));
    }

    @Test
    void theDirectoryIsMadeOwnerOnlyAndAnOpenOrLinkedOneIsRefused(@TempDir Path dir) throws IOException {
        Path fresh = dir.resolve("a/b/aot");
        withProperty(AotCacheStore.DIR_PROPERTY, fresh.toString(),
            () -> assertEquals(fresh, AotCacheStore.directory()));
        assertEquals("rwx------", mode(fresh));
        assertEquals("rwx------", mode(fresh.getParent()), "directories it makes are 0700");

        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-x---"));
        withProperty(AotCacheStore.DIR_PROPERTY, open.toString(), () -> assertNull(AotCacheStore.directory()));

        Path link = Files.createSymbolicLink(dir.resolve("link"), fresh);
        withProperty(AotCacheStore.DIR_PROPERTY, link.toString(), () -> assertNull(AotCacheStore.directory()));

        Path foreign = Files.createDirectory(dir.resolve("foreign"), PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
        boolean chowned;
        try {
            Files.setOwner(foreign, foreign.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
            chowned = true;
        } catch (IOException | UnsupportedOperationException notRoot) {
            chowned = false;
        }
        if (chowned) {
            withProperty(AotCacheStore.DIR_PROPERTY, foreign.toString(), () -> assertNull(AotCacheStore.directory()));
        }
    }

    @Test
    void aCacheIsNamedOnlyWithItsSumAndADamagedOneIsDeleted(@TempDir Path dir) throws IOException {
        Path cache = dir.resolve("k.aot");
        Path sum = dir.resolve("k.sum");
        Files.write(cache, new byte[] {1, 2, 3, 4});

        assertFalse(AotCacheStore.isIntact(cache, sum), "no sum: not ours");
        assertTrue(Files.exists(cache));

        Files.writeString(sum, "4 " + AotCacheStore.crc32c(cache) + "\n");
        assertTrue(AotCacheStore.isIntact(cache, sum));
        assertTrue(AotCacheStore.isIntact(cache, sum), "checked once per size and mtime, then remembered");

        FileTime checked = Files.getLastModifiedTime(cache);
        Files.write(cache, new byte[] {1, 2, 3, 5}); // same size, new content and mtime
        // Within one tick of the kernel's file clock the rewrite keeps the old mtime: give it a new one.
        Files.setLastModifiedTime(cache, FileTime.from(checked.toInstant().plusSeconds(1)));
        assertFalse(AotCacheStore.isIntact(cache, sum));
        assertFalse(Files.exists(cache), "a damaged cache is deleted");
        assertFalse(Files.exists(sum));
        assertFalse(AotCacheStore.isIntact(dir.resolve("missing.aot"), sum));
    }

    @Test
    void aLockIsTakenOnceAndFreedWhenItsProcessIsGone(@TempDir Path dir) throws Exception {
        Path lock = dir.resolve("k.lock");
        assertTrue(AotCacheStore.tryLock(lock));
        assertEquals("rw-------", mode(lock));
        assertEquals(Long.toString(ProcessHandle.current().pid()), Files.readString(lock));
        assertFalse(AotCacheStore.tryLock(lock), "held by a live process (this one)");

        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(lock, Long.toString(gone.pid()));
        assertTrue(AotCacheStore.isStale(lock));
        assertTrue(AotCacheStore.tryLock(lock), "a dead holder's lock is taken over");

        Files.writeString(lock, Long.toString(ProcessHandle.current().pid()));
        Files.setLastModifiedTime(lock, FileTime.from(Instant.now().minus(AotCacheStore.STALE_LOCK).minusSeconds(1)));
        assertTrue(AotCacheStore.isStale(lock), "too old, whoever holds it");
    }

    @Test
    void pruneKeepsTheMostRecentlyUsedKeysAndTemporaryFilesOfLiveProcesses(@TempDir Path dir) throws Exception {
        Instant now = Instant.now();
        for (int i = 0; i < AotCacheStore.KEEP + 3; i++) {
            for (String suffix : List.of(".aot", ".sum", ".log")) {
                Path file = Files.writeString(dir.resolve("key" + i + suffix), "x");
                Files.setLastModifiedTime(file, FileTime.from(now.minusSeconds(60L * i)));
            }
        }
        Files.writeString(dir.resolve("key" + (AotCacheStore.KEEP + 2) + ".lock"),
            Long.toString(ProcessHandle.current().pid()));
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Files.writeString(dir.resolve("key0.aot.tmp-" + gone.pid()), "partial");
        Files.writeString(dir.resolve("key0.aot.tmp-" + gone.pid() + ".config"), "partial");
        Files.writeString(dir.resolve("key1.aot.tmp-" + ProcessHandle.current().pid()), "in progress");

        AotCacheStore.prune(dir);

        for (int i = 0; i < AotCacheStore.KEEP; i++) {
            assertTrue(Files.exists(dir.resolve("key" + i + ".aot")), "kept key" + i);
        }
        assertFalse(Files.exists(dir.resolve("key" + AotCacheStore.KEEP + ".aot")), "oldest beyond KEEP");
        assertFalse(Files.exists(dir.resolve("key" + AotCacheStore.KEEP + ".log")));
        assertTrue(Files.exists(dir.resolve("key" + (AotCacheStore.KEEP + 2) + ".aot")), "locked by a live process");
        assertFalse(Files.exists(dir.resolve("key0.aot.tmp-" + gone.pid())));
        assertFalse(Files.exists(dir.resolve("key0.aot.tmp-" + gone.pid() + ".config")));
        assertTrue(Files.exists(dir.resolve("key1.aot.tmp-" + ProcessHandle.current().pid())));
    }

    // ------------------------------------------------------------------ real frontends and backends

    /**
     * Garbage with a matching sum gets past the frontend's check and onto the backend's command
     * line: the JVM refuses it and starts anyway. A cache whose sum does not match is deleted and
     * not named; the backend starts without one.
     */
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aBadOrDamagedCacheNeverStopsABackend(@TempDir Path dir) throws Exception {
        Path cacheDir = dir.resolve("aot");
        String out = runFrontend(dir, cacheDir, "plant-garbage", "start", "plant-damaged", "plant-failed", "start");

        List<String> cmdlines = AotStartProbe.lines(out, "cmdline");
        Path planted = Path.of(AotStartProbe.lines(out, "planted").getFirst());
        assertEquals(2, cmdlines.size(), out);
        assertTrue(cmdlines.get(0).contains("-XX:AOTCache=" + planted), cmdlines.get(0));
        assertFalse(cmdlines.get(1).contains("-XX:AOTCache"), cmdlines.get(1));
        assertEquals(List.of("true", "true"), AotStartProbe.lines(out, "ready"));
        assertEquals(List.of("0", "0"), AotStartProbe.lines(out, "exit"));
        assertFalse(Files.exists(planted), "the damaged cache was deleted");
        assertNoTrainingLeft(cacheDir);
    }

    /**
     * The first start trains a cache in the background; it is owner-only, its sum matches, no
     * lock or temporary file is left, and the next start names it. After a jar of the class path
     * changed, a start names no cache (the key changed) and still starts.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theFirstStartTrainsAnOwnerOnlyCacheThatTheNextUsesUntilAJarChanges(@TempDir Path dir) throws Exception {
        Path cacheDir = dir.resolve("aot");
        Path extra = jar(dir, "extra.jar");
        String out = runFrontend(dir, cacheDir, List.of(extra), "start", "await-cache", "start",
            "grow=" + extra, "plant-failed", "start");

        String trained = AotStartProbe.lines(out, "trained").getFirst();
        assertNotEquals("timeout", trained, out);
        System.out.println("AotCacheTest: training took " + trained + " ms");
        List<String> cmdlines = AotStartProbe.lines(out, "cmdline");
        assertEquals(3, cmdlines.size(), out);
        assertFalse(cmdlines.get(0).contains("-XX:AOTCache"), "the first start does not wait for the training");
        List<Path> caches = files(cacheDir, ".aot");
        assertEquals(1, caches.size(), caches.toString());
        Path cache = caches.getFirst();
        assertTrue(cmdlines.get(1).contains("-XX:AOTCache=" + cache), cmdlines.get(1));
        assertFalse(cmdlines.get(2).contains("-XX:AOTCache"), "a jar changed: " + cmdlines.get(2));
        assertEquals(List.of("true", "true", "true"), AotStartProbe.lines(out, "ready"));
        assertEquals(List.of("0", "0", "0"), AotStartProbe.lines(out, "exit"));

        String stem = cache.getFileName().toString().replace(".aot", "");
        assertEquals("rwx------", mode(cacheDir));
        for (String suffix : List.of(".aot", ".sum", ".log")) {
            assertEquals("rw-------", mode(cacheDir.resolve(stem + suffix)), suffix);
        }
        assertEquals(Files.size(cache) + " " + AotCacheStore.crc32c(cache),
            Files.readString(cacheDir.resolve(stem + ".sum")).strip());
        assertTrue(Files.readString(cacheDir.resolve(stem + ".log")).contains("installed"));
        assertNoTrainingLeft(cacheDir);
    }

    /**
     * A class path that starts with a class directory (an IDE's or {@code mvn exec}'s layout: the
     * user's classes first) gets a cache too: the backend runs on a jar snapshot of the directory,
     * which the training covers, and the second start names the cache.
     */
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aClassPathThatStartsWithAClassDirectoryGetsACacheThroughASnapshotJar(@TempDir Path dir) throws Exception {
        Path cacheDir = dir.resolve("aot");
        String out = runFrontend(dir, cacheDir, List.of(), true, "start", "await-cache", "start");

        assertNotEquals("timeout", AotStartProbe.lines(out, "trained").getFirst(), out);
        List<String> cmdlines = AotStartProbe.lines(out, "cmdline");
        assertEquals(2, cmdlines.size(), out);
        List<Path> caches = files(cacheDir, ".aot");
        assertEquals(1, caches.size(), caches.toString());
        assertTrue(cmdlines.get(1).contains("-XX:AOTCache=" + caches.getFirst()), cmdlines.get(1));
        List<Path> snapshots = files(cacheDir.resolve(ClassDirectoryJars.SUBDIRECTORY), ".jar");
        assertEquals(1, snapshots.size(), "one snapshot of the test classes: " + snapshots);
        Path testClasses = Path.of(AotCacheTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        for (String cmdline : cmdlines) {
            assertTrue(cmdline.contains("-cp " + snapshots.getFirst() + File.pathSeparator), cmdline);
            assertFalse(cmdline.contains(testClasses.toString()), "the backend reads the snapshot: " + cmdline);
        }
        assertEquals("rwx------", mode(cacheDir.resolve(ClassDirectoryJars.SUBDIRECTORY)));
        assertEquals("rw-------", mode(snapshots.getFirst()));
        assertEquals(List.of("true", "true"), AotStartProbe.lines(out, "ready"));
        assertEquals(List.of("0", "0"), AotStartProbe.lines(out, "exit"));
        assertNoTrainingLeft(cacheDir);
    }

    // ------------------------------------------------------------------ helpers

    /** Runs {@link AotStartProbe} with the given steps; returns its stdout. */
    private static String runFrontend(Path dir, Path cacheDir, String... steps) throws Exception {
        return runFrontend(dir, cacheDir, List.of(), steps);
    }

    private static String runFrontend(Path dir, Path cacheDir, List<Path> extraJars, String... steps) throws Exception {
        return runFrontend(dir, cacheDir, extraJars, false, steps);
    }

    private static String runFrontend(Path dir, Path cacheDir, List<Path> extraJars, boolean classesFirst,
                                      String... steps) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(JAVA);
        cmd.add("@" + System.getProperty("ipc.jvm.options"));
        cmd.addAll(List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        cmd.add("-D" + AotCacheStore.DIR_PROPERTY + "=" + cacheDir);
        if (System.getProperty("ipc.dir") != null) {
            cmd.add("-Dipc.dir=" + System.getProperty("ipc.dir"));
        }
        cmd.add("-cp");
        cmd.add(jarClassPath(dir, extraJars, classesFirst));
        cmd.add(AotStartProbe.class.getName());
        cmd.addAll(List.of(steps));
        Process frontend = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (InputStream stdout = frontend.getInputStream()) {
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertTrue(frontend.waitFor(4, TimeUnit.MINUTES), "frontend did not finish");
            String text = out.get(10, TimeUnit.SECONDS);
            System.out.print(text);
            assertEquals(0, frontend.exitValue(), text);
            return text;
        } finally {
            frontend.destroyForcibly();
        }
    }

    /**
     * Surefire's class path with every directory but this module's test classes turned into a
     * jar (ipc-core's classes, and ipc-sync's when the reactor hands over its classes), the given
     * extra jars after them, and the test classes directory last (or first, {@code classesFirst}).
     */
    private static String jarClassPath(Path dir, List<Path> extraJars, boolean classesFirst) throws Exception {
        Path testClasses = Path.of(AotCacheTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> entries = new ArrayList<>();
        if (classesFirst) {
            entries.add(testClasses.toString());
        }
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (path.equals(testClasses)) {
                continue;
            }
            if (Files.isDirectory(path)) {
                Path jar = dir.resolve("classes-" + n++ + ".jar");
                if (!Files.exists(jar)) {
                    int status = ToolProvider.findFirst("jar").orElseThrow()
                        .run(System.out, System.err, "--create", "--file", jar.toString(), "-C", entry, ".");
                    assertEquals(0, status, "jar of " + entry);
                }
                entries.add(jar.toString());
            } else {
                entries.add(entry);
            }
        }
        extraJars.forEach(jar -> entries.add(jar.toString()));
        if (!classesFirst) {
            entries.add(testClasses.toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    private static void assertNoTrainingLeft(Path cacheDir) throws IOException {
        try (Stream<Path> files = Files.list(cacheDir)) {
            for (Path file : files.toList()) {
                String name = file.getFileName().toString();
                assertFalse(name.endsWith(".lock") || name.contains(AotTrainer.TEMP_MARK), "left over: " + name);
            }
        }
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    /** An empty (but valid) jar. */
    private static Path jar(Path dir, String name) throws IOException {
        Path jar = dir.resolve(name);
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new java.util.zip.ZipEntry("empty.txt"));
        }
        return jar;
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    private static List<String> plus(List<String> options, String... more) {
        List<String> all = new ArrayList<>(options);
        all.addAll(List.of(more));
        return all;
    }

    private interface Body {
        void run() throws IOException;
    }

    private static void withProperty(String name, String value, Body body) {
        String old = System.getProperty(name);
        System.setProperty(name, value);
        try {
            body.run();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            if (old == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, old);
            }
        }
    }
}
