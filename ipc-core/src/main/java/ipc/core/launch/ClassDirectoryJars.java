package ipc.core.launch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Jar snapshots of the class directories on a backend's class path, so that the backend AOT
 * cache ({@link AotCache}) applies to a program run from class directories (an IDE, {@code mvn
 * exec}, {@code java -cp target/classes:...}).
 *
 * <p>Why: a JDK 25 AOT cache (like a CDS archive) is made from, and used with, jar files only:
 * a training fails with "Cannot have non-empty directory in paths", and a cache covers only the
 * jar prefix of the class path. A user's own classes usually come first, as a directory, so
 * without this their backends never got a cache (0.7-0.9 s to READY instead of ~0.4 s here).
 *
 * <p>What: each directory entry of the class path is replaced, for the backend only, by a jar of
 * its files as they are at {@code start()}, in {@code <AotCacheStore.directory()>/classes/}. The jar's
 * name is a hash of the directory's path and of every file's relative path, size and mtime (what
 * the JVM itself compares for a cached jar), so a directory that has not changed maps to the same
 * jar, hence the same AOT key, run after run; a rebuild makes a new jar (and, once, a new
 * training). Entries keep their order; jars, missing and empty entries are left as they are.
 * Entries are STORED (a class is read without inflating), directories have their own entries
 * (as the {@code jar} tool writes them), {@code META-INF/MANIFEST.MF} comes first when present.
 * The frontend keeps loading from the directories; a class file changed after a backend's start
 * is seen by the next start, as a JVM started then would see it.
 *
 * <p>Limits: a directory of more than {@link #MAX_FILES} files or {@link #MAX_BYTES} bytes (a
 * project root put on the class path by mistake) is not copied: the backend keeps the directory,
 * and so gets no cache. Files are 0600 in a 0700 directory (AotCache's checks), written to a
 * temporary name and linked into place, so concurrent frontends never see half a jar and never
 * replace one another's (a replaced jar would change its mtime and so the AOT key).
 */
public final class ClassDirectoryJars {
    private static final Logger LOG = LoggerFactory.getLogger(ClassDirectoryJars.class);

    /** Subdirectory of the AOT cache directory that holds the snapshots. */
    public static final String SUBDIRECTORY = "classes";

    /**
     * 20 000 files: a large application's output directory (thousands of classes and resources);
     * walking and stat-ing that many takes ~50 ms here, more than a start should pay for a
     * directory that is probably not a class directory at all.
     */
    static final int MAX_FILES = 20_000;

    /** 256 MiB copied per directory at most: far beyond class files, a sign of a data directory. */
    static final long MAX_BYTES = 256L << 20;

    /**
     * Snapshots kept: twice {@link AotCache#KEEP}, since a key may hold a snapshot per class
     * directory (main and test classes, a few modules); older ones are deleted at each new one.
     */
    static final int KEEP = 2 * AotCacheStore.KEEP;

    /** Directory listings already hashed in this JVM, to their jar: a second start only stats. */
    private static final Map<String, Path> SNAPSHOTS = new ConcurrentHashMap<>();

    private ClassDirectoryJars() {
    }

    /**
     * {@code classpath} with every directory entry replaced by its snapshot jar under
     * {@code cacheDir}; an entry that cannot be snapshotted (too large, unreadable) stays a
     * directory. Never throws: a failure leaves that entry as it was.
     */
    public static String jarred(String classpath, Path cacheDir) {
        if (classpath == null || classpath.isEmpty()) {
            return classpath;
        }
        String[] entries = classpath.split(File.pathSeparator, -1);
        boolean changed = false;
        for (int i = 0; i < entries.length; i++) {
            if (entries[i].isEmpty()) {
                continue;
            }
            Path dir = Path.of(entries[i]).toAbsolutePath().normalize();
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try {
                Path jar = snapshot(dir, cacheDir.resolve(SUBDIRECTORY));
                if (jar != null) {
                    entries[i] = jar.toString();
                    changed = true;
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("class directory not jarred for the backend AOT cache: dir={} ({})", dir, e.toString());
            }
        }
        return changed ? String.join(File.pathSeparator, entries) : classpath;
    }

    /** The snapshot jar of {@code dir}, made if missing; null when the directory is over the limits. */
    static Path snapshot(Path dir, Path jarDir) throws IOException {
        List<Path> files = new ArrayList<>();
        List<Path> directories = new ArrayList<>();
        StringBuilder listing = new StringBuilder("dir=").append(dir).append('\n');
        long bytes = 0;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) walk.sorted()::iterator) {
                if (path.equals(dir)) {
                    continue;
                }
                BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
                String name = entryName(dir, path, a.isDirectory());
                if (a.isDirectory()) {
                    directories.add(path);
                } else if (a.isRegularFile()) {
                    files.add(path);
                    bytes += a.size();
                } else {
                    continue; // sockets, fifos: not class path content
                }
                if (files.size() + directories.size() > MAX_FILES || bytes > MAX_BYTES) {
                    LOG.debug("class directory too large to jar: dir={} maxFiles={} maxBytes={}", dir, MAX_FILES,
                        MAX_BYTES);
                    return null;
                }
                listing.append(name).append(',').append(a.size()).append(',')
                    .append(a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS)).append('\n');
            }
        }
        if (files.isEmpty()) {
            return null; // an empty directory costs the JVM nothing and blocks no cache
        }
        String text = listing.toString();
        Path known = SNAPSHOTS.get(text);
        if (known != null && Files.isRegularFile(known, LinkOption.NOFOLLOW_LINKS)) {
            return known;
        }
        Files.createDirectories(jarDir);
        Files.setPosixFilePermissions(jarDir, PosixFilePermissions.fromString("rwx------"));
        Path jar = jarDir.resolve(AotCacheKey.sha256(text) + ".jar");
        if (!Files.isRegularFile(jar, LinkOption.NOFOLLOW_LINKS)) {
            write(dir, directories, files, jar);
            prune(jarDir);
        }
        SNAPSHOTS.put(text, jar);
        return jar;
    }

    private static void write(Path dir, List<Path> directories, List<Path> files, Path jar) throws IOException {
        Path temp = jar.resolveSibling(jar.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        Files.deleteIfExists(temp);
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(AotCacheStore.OWNER_FILE));
        try {
            try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.WRITE);
                 ZipOutputStream zip = new ZipOutputStream(out)) {
                Path manifest = dir.resolve("META-INF").resolve("MANIFEST.MF");
                if (files.contains(manifest)) {
                    storeFile(zip, dir, manifest);
                }
                for (Path d : directories) {
                    ZipEntry entry = new ZipEntry(entryName(dir, d, true));
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(0);
                    entry.setCrc(0);
                    entry.setLastModifiedTime(Files.getLastModifiedTime(d));
                    zip.putNextEntry(entry);
                    zip.closeEntry();
                }
                for (Path f : files) {
                    if (!f.equals(manifest)) {
                        storeFile(zip, dir, f);
                    }
                }
            }
            try {
                Files.createLink(jar, temp); // fails if another frontend linked its copy first: keep that one
            } catch (FileAlreadyExistsException raced) {
                LOG.debug("class directory jar made by another process meanwhile: jar={}", jar);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void storeFile(ZipOutputStream zip, Path dir, Path file) throws IOException {
        byte[] content = Files.readAllBytes(file);
        CRC32 crc = new CRC32();
        crc.update(content);
        ZipEntry entry = new ZipEntry(entryName(dir, file, false));
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(content.length);
        entry.setCrc(crc.getValue());
        entry.setLastModifiedTime(Files.getLastModifiedTime(file));
        zip.putNextEntry(entry);
        zip.write(content);
        zip.closeEntry();
    }

    /** The zip entry name: '/'-separated, relative, with a trailing '/' for a directory. */
    private static String entryName(Path dir, Path path, boolean directory) {
        String name = dir.relativize(path).toString().replace(File.separatorChar, '/');
        return directory ? name + "/" : name;
    }

    /** Deletes all but the {@link #KEEP} newest snapshots (and temporaries of dead processes). */
    static void prune(Path jarDir) throws IOException {
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(jarDir)) {
            for (Path file : stream) {
                String name = file.getFileName().toString();
                int temp = name.indexOf(".tmp-");
                if (temp >= 0) {
                    long pid = parsePid(name.substring(temp + 5));
                    if (pid > 0 && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                        Files.deleteIfExists(file);
                    }
                } else if (name.endsWith(".jar")) {
                    jars.add(file);
                }
            }
        }
        if (jars.size() <= KEEP) {
            return;
        }
        Map<Path, FileTime> mtimes = new java.util.HashMap<>();
        for (Path jar : jars) {
            mtimes.put(jar, Files.getLastModifiedTime(jar));
        }
        jars.sort(Comparator.comparing(mtimes::get, Comparator.reverseOrder()));
        for (Path old : jars.subList(KEEP, jars.size())) {
            Files.deleteIfExists(old); // a backend that has it open keeps reading it (unlinked, not gone)
        }
    }

    private static long parsePid(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
