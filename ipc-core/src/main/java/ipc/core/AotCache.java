package ipc.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The backends' JDK AOT cache (JEP 483/514/515): classes of the JDK, Chronicle and the library
 * loaded and linked ahead of time, so that a backend JVM reaches READY in about half the time.
 *
 * <p>Use: {@link #optionsFor} returns {@code -XX:AOTCache=<file>} when an intact cache for exactly
 * this backend command exists. When none does, it returns nothing (the backend starts without
 * one, as before) and starts, once, a background training process, {@link AotTrainer}, which runs
 * a probe backend with {@code -XX:AOTCacheOutput}, checks the result with {@code -XX:AOTMode=on},
 * and renames it into place. The first start after a change
 * therefore pays nothing extra; later starts find the cache.
 *
 * <p>Where: {@value #DIR_PROPERTY}, else {@code $XDG_CACHE_HOME/ipc-core/aot}, else
 * {@code ~/.cache/ipc-core/aot}, else {@code java.io.tmpdir/ipc-core-aot-<user>}; the directory
 * is created 0700 and refused (no cache, one warning) when it is a symlink, owned by another
 * user or open to group/other: the JVM maps a cache as trusted class metadata, so whoever can
 * write it can run code in every backend. Cache files are 0600.
 *
 * <p>Key: a SHA-256 over the java binary, the JDK's version and module image (size, mtime), every
 * JVM option of the backend except {@code -D} properties (they vary per run and do not shape the
 * archive), and each class path entry of the cached prefix with its size and mtime. Any change
 * (a rebuilt jar, another JDK, other options) gives another file name, so a stale cache is never
 * named on a command line; the JVM also checks the jars itself and ignores a cache that does not
 * match. Files of the key: {@code <key>.aot} the cache, {@code <key>.lock} a training in progress
 * (holds the trainer's pid), {@code <key>.sum} its size and CRC32C, {@code <key>.failed} the last
 * training failed (no retry for {@link #RETRY_AFTER_FAILURE}), {@code <key>.log} the training's
 * output.
 *
 * <p>Class path: a JDK 25 cache can only be created from jar files ("Cannot have non-empty
 * directory in paths"), and at run time it requires its class path to be a prefix of the
 * JVM's. The cache therefore covers the longest prefix of the class path made of jar files; a
 * class path whose leading entries are jars and whose trailing ones are directories
 * ({@code app.jar:lib/*:conf/}) gets a cache of the jars, and the directories are read as
 * usual. The prefix must hold ipc-core itself (the probe backend lives there); otherwise (e.g.
 * Maven's {@code target/classes} first, as in surefire) there is no cache. The backend's class
 * path and its order are never changed.
 *
 * <p>Safety: a cache that is missing, truncated, of another JDK or of another class path never
 * stops a backend: with {@code -XX:AOTMode} left at its default ({@code auto}) the JVM prints why
 * and runs without it. A damaged cache of the right size is another matter (it crashed the JVM
 * here), so a frontend checks each cache's CRC32C against the trainer's once before naming it
 * ({@link #isIntact}). Switch the cache off with {@code -Dipc.aot=false}; a backend whose own JVM
 * options already name an archive ({@code -XX:AOTCache}, {@code -Xshare:off}, ...) is left alone.
 */
final class AotCache {
    private static final Logger LOG = LoggerFactory.getLogger(AotCache.class);

    /** {@code -Dipc.aot=false} turns the cache off (no use, no training). */
    static final String ENABLED_PROPERTY = "ipc.aot";
    /** Overrides the cache directory (tests, or a home directory that cannot be written). */
    static final String DIR_PROPERTY = "ipc.aot.dir";

    /**
     * Options with which the user manages the backend's class-data archive: with any of them the
     * library adds nothing (two archives on one command line are an error or a surprise).
     */
    static final List<String> USER_ARCHIVE_OPTIONS = List.of("-XX:AOTCache=", "-XX:AOTCacheOutput=",
        "-XX:AOTConfiguration=", "-XX:AOTMode=", "-XX:SharedArchiveFile=", "-XX:ArchiveClassesAtExit=",
        "-XX:+AutoCreateSharedArchive", "-Xshare:");

    /**
     * A failed training is not retried for a day: it fails the same way until something in the key
     * changes (which makes a new key), and each attempt costs several CPU-seconds; a day lets a
     * transient cause (a full disk, a killed trainer) heal by itself.
     */
    static final Duration RETRY_AFTER_FAILURE = Duration.ofDays(1);

    /**
     * A lock older than this is stale even when its pid is alive (a hung trainer, or a recycled
     * pid): a training takes ~10 s here on a busy machine; 10 minutes is far beyond it.
     */
    static final Duration STALE_LOCK = Duration.ofMinutes(10);

    /**
     * Caches kept per directory, most recently used first: each is ~25-30 MB; a developer who
     * rebuilds jars gets a new key per build, and 8 covers a few projects or branches at once.
     */
    static final int KEEP = 8;

    /**
     * A cache used a day after its last touch is touched again, so that pruning sees it as recent;
     * a day, not less, because each touch makes every other frontend JVM check its sum once more.
     */
    static final Duration TOUCH_AFTER = Duration.ofDays(1);

    static final String CACHE_SUFFIX = ".aot";
    static final String LOCK_SUFFIX = ".lock";
    static final String FAILED_SUFFIX = ".failed";
    static final String LOG_SUFFIX = ".log";
    static final String SUM_SUFFIX = ".sum";

    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> GROUP_OR_OTHER = EnumSet.of(
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    /** Keys this JVM has started a training for: at most one attempt per key per JVM. */
    private static final Set<String> TRAINING_STARTED = ConcurrentHashMap.newKeySet();
    /** Key descriptions already hashed: SHA-256 of a few KB is cheap, but not free per start. */
    private static final Map<String, String> HASHES = new ConcurrentHashMap<>();
    /** Caches whose checksum this JVM has checked, with the size and mtime they had then. */
    private static final Map<Path, String> VERIFIED = new ConcurrentHashMap<>();
    /** The last directory that passed the owner/mode check. */
    private static volatile Path checkedDirectory;
    private static volatile boolean warnedUnusable;

    private AotCache() {
    }

    /**
     * What a backend's command needs to use the cache: {@code -XX:AOTCache=<file>} when an intact
     * cache for this command exists, else nothing (and a
     * training is started in the background, at most once per key and JVM). Never throws: any
     * problem means a start without the cache.
     *
     * @param libraryFlags the flags of ipc/core/jvm.options
     * @param forwarded    the {@code -D} properties the backend gets (passed on to the trainer)
     * @param jvmOptions   the backend's own options
     */
    static List<String> optionsFor(String javaBinary, List<String> libraryFlags, Map<String, String> forwarded,
                                   List<String> jvmOptions, String classpath) {
        if (!enabled() || managesArchive(jvmOptions)) {
            return List.of();
        }
        try {
            Key key = Key.of(javaBinary, libraryFlags, jvmOptions, classpath, libraryJar());
            if (key == null) {
                return List.of();
            }
            Path dir = directory();
            if (dir == null) {
                return List.of();
            }
            Path cache = dir.resolve(key.hash() + CACHE_SUFFIX);
            if (isIntact(cache, dir.resolve(key.hash() + SUM_SUFFIX))) {
                return List.of("-XX:AOTCache=" + cache);
            }
            startTraining(dir, key, javaBinary, libraryFlags, forwarded, jvmOptions);
        } catch (IOException | RuntimeException e) {
            LOG.debug("backend AOT cache not used: {}", e.toString(), e);
        }
        return List.of();
    }

    static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY, "true").strip());
    }

    static boolean managesArchive(List<String> jvmOptions) {
        for (String option : jvmOptions) {
            for (String archiveOption : USER_ARCHIVE_OPTIONS) {
                if (option.startsWith(archiveOption)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The inputs that decide whether a cache fits a backend command, and their hash.
     *
     * @param hash        hex SHA-256 (128 bits of it) of {@code description}: the file name
     * @param classpath   the cached prefix of the class path: the training's class path
     * @param description what was hashed, one input per line (logged at debug level)
     */
    record Key(String hash, String classpath, String description) {

        /** Bumped when the key's contents or the training change meaning. */
        static final int FORMAT = 1;

        /**
         * The key for this command, or null when the jar prefix of its class path does not hold
         * {@code library} (ipc-core's jar, {@link #libraryJar()}; null when it is not a jar).
         */
        static Key of(String javaBinary, List<String> libraryFlags, List<String> jvmOptions, String classpath,
                      Path library) throws IOException {
            List<Path> prefix = jarPrefix(classpath);
            if (library == null || !prefix.contains(library)) {
                LOG.debug("no backend AOT cache: the class path does not start with jars up to ipc-core's"
                    + " (directories end the cached prefix): library={} prefix={}", library, prefix.size());
                return null;
            }
            StringBuilder description = new StringBuilder();
            description.append("format=").append(FORMAT).append('\n');
            description.append("java=").append(javaBinary).append('\n');
            description.append("java.home=").append(System.getProperty("java.home")).append('\n');
            description.append("java.vm.version=").append(System.getProperty("java.vm.version")).append('\n');
            Path modules = Path.of(System.getProperty("java.home"), "lib", "modules");
            description.append("modules=").append(stamp(modules)).append('\n');
            for (String option : libraryFlags) {
                description.append("flag=").append(option).append('\n');
            }
            for (String option : jvmOptions) {
                if (!option.startsWith("-D")) {
                    description.append("option=").append(option).append('\n');
                }
            }
            List<String> entries = new ArrayList<>();
            for (Path jar : prefix) {
                description.append("cp=").append(jar).append(',').append(stamp(jar)).append('\n');
                entries.add(jar.toString());
            }
            String text = description.toString();
            String hash = HASHES.computeIfAbsent(text, AotCache::sha256);
            return new Key(hash, String.join(File.pathSeparator, entries), text);
        }

        /** size and mtime in ms: what the JVM itself compares for a jar of an archive. */
        private static String stamp(Path file) throws IOException {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return a.size() + "," + a.lastModifiedTime().toMillis();
        }
    }

    /**
     * The leading entries of {@code classpath} that are jar files, as absolute normalized paths;
     * the first directory, missing or empty entry (the current directory) ends it.
     */
    static List<Path> jarPrefix(String classpath) {
        List<Path> jars = new ArrayList<>();
        if (classpath == null || classpath.isEmpty()) {
            return jars;
        }
        for (String entry : classpath.split(File.pathSeparator, -1)) {
            if (entry.isEmpty()) {
                break;
            }
            Path path = Path.of(entry).toAbsolutePath().normalize();
            if (!Files.isRegularFile(path) || !isJarName(path)) {
                break;
            }
            jars.add(path);
        }
        return jars;
    }

    private static boolean isJarName(Path path) {
        String name = path.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return name.endsWith(".jar") || name.endsWith(".zip");
    }

    /** The jar ipc-core's classes come from; null when they come from a directory or the JVM does not say. */
    static Path libraryJar() {
        try {
            var source = AotCache.class.getProtectionDomain().getCodeSource();
            if (source == null || source.getLocation() == null) {
                return null;
            }
            Path path = Path.of(source.getLocation().toURI()).toAbsolutePath().normalize();
            return Files.isRegularFile(path) ? path : null;
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }

    // ------------------------------------------------------------------ directory

    /**
     * The cache directory, created 0700 on first use; null (after one warning) when it cannot be
     * created or is not private.
     */
    static Path directory() {
        Path dir = configuredDirectory();
        Path checked = checkedDirectory;
        if (dir.equals(checked)) {
            return dir;
        }
        synchronized (AotCache.class) {
            try {
                createPrivateDirectories(dir);
                checkPrivate(dir);
                checkedDirectory = dir;
                return dir;
            } catch (IOException | RuntimeException e) {
                if (!warnedUnusable) {
                    warnedUnusable = true;
                    LOG.warn("backend AOT cache off, its directory is unusable: {} (set -D{}=<private dir>,"
                        + " or -D{}=false)", e.getMessage(), DIR_PROPERTY, ENABLED_PROPERTY);
                }
                return null;
            }
        }
    }

    static Path configuredDirectory() {
        String override = System.getProperty(DIR_PROPERTY);
        if (override != null && !override.isBlank()) {
            return Path.of(override).toAbsolutePath().normalize();
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "ipc-core", "aot");
        }
        Path home = Path.of(System.getProperty("user.home", "/nonexistent"));
        if (Files.isDirectory(home) && Files.isWritable(home)) {
            return home.resolve(Path.of(".cache", "ipc-core", "aot"));
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "ipc-core-aot-" + System.getProperty("user.name"));
    }

    /** Creates the missing directories of {@code dir}; the ones this creates are 0700. */
    private static void createPrivateDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null) {
            createPrivateDirectories(parent);
        }
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_DIR));
            Files.setPosixFilePermissions(dir, OWNER_DIR); // the umask may have cut bits, never added
        } catch (FileAlreadyExistsException raced) {
            // another process made it; checked by the caller
        }
    }

    private static void checkPrivate(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalStateException("not a directory (or a symlink): path=" + dir);
        }
        UserPrincipal owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS);
        UserPrincipal me = dir.getFileSystem().getUserPrincipalLookupService()
            .lookupPrincipalByName(System.getProperty("user.name"));
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
        if (!owner.equals(me) || mode.stream().anyMatch(GROUP_OR_OTHER::contains)) {
            throw new IllegalStateException("owned by another user or open to group/other: path=" + dir
                + " owner=" + owner.getName() + " mode=" + PosixFilePermissions.toString(mode)
                + " expectedOwner=" + me.getName() + " expectedMode=rwx------");
        }
    }

    private static BasicFileAttributes attributesOrNull(Path file) throws IOException {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * True when {@code cache} is a regular file whose size and CRC32C are those the trainer wrote to
     * {@code sum}. The checksum is computed once per JVM for each size and mtime the file has (a
     * ~30 MB read from the page cache, ~10 ms here: on the first start of a frontend only). A cache
     * that fails is deleted with its sum (a new training replaces it); one without a sum is not
     * used (not ours, or its sum was removed).
     *
     * <p>Why: the JVM notices a truncated, foreign or mismatched cache and runs without it, but not a
     * damaged one of the right size: such a file crashed the JVM here ({@code ShouldNotReachHere},
     * exit 134) unless started with {@code -XX:+VerifySharedSpaces}, which CRCs the whole archive
     * at every start (+30-60 ms per backend on this machine). The check here costs a backend nothing.
     */
    static boolean isIntact(Path cache, Path sum) throws IOException {
        BasicFileAttributes attributes = attributesOrNull(cache);
        if (attributes == null || !attributes.isRegularFile()) {
            return false;
        }
        String stamp = attributes.size() + "," + attributes.lastModifiedTime().toMillis();
        if (stamp.equals(VERIFIED.get(cache))) {
            touchIfOld(cache, attributes);
            return true;
        }
        String expected;
        try {
            expected = Files.readString(sum, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            LOG.debug("backend AOT cache has no checksum file, not used: cache={}", cache);
            return false;
        }
        String actual = attributes.size() + " " + crc32c(cache);
        if (!actual.equals(expected)) {
            LOG.warn("backend AOT cache damaged, deleted (a new one will be trained): cache={} expected={} actual={}",
                cache, expected, actual);
            Files.deleteIfExists(cache);
            Files.deleteIfExists(sum);
            VERIFIED.remove(cache);
            return false;
        }
        VERIFIED.put(cache, stamp);
        touchIfOld(cache, attributes);
        return true;
    }

    /** The file's CRC32C in hex (an intrinsic on direct buffers: a few GB/s). */
    static String crc32c(Path file) throws IOException {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ)) {
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocateDirect(1 << 20);
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                crc.update(buffer);
                buffer.clear();
            }
        }
        return Long.toHexString(crc.getValue());
    }

    private static void touchIfOld(Path cache, BasicFileAttributes attributes) {
        Instant now = Instant.now();
        if (attributes.lastModifiedTime().toInstant().isBefore(now.minus(TOUCH_AFTER))) {
            try {
                Files.setLastModifiedTime(cache, FileTime.from(now));
                BasicFileAttributes touched = Files.readAttributes(cache, BasicFileAttributes.class);
                VERIFIED.computeIfPresent(cache,
                    (c, old) -> touched.size() + "," + touched.lastModifiedTime().toMillis());
            } catch (IOException e) {
                LOG.debug("cannot touch backend AOT cache: path={}", cache, e); // only pruning order suffers
            }
        }
    }

    // ------------------------------------------------------------------ training

    private static void startTraining(Path dir, Key key, String javaBinary, List<String> libraryFlags,
                                      Map<String, String> forwarded, List<String> jvmOptions) throws IOException {
        if (!TRAINING_STARTED.add(key.hash())) {
            return;
        }
        Path failed = dir.resolve(key.hash() + FAILED_SUFFIX);
        BasicFileAttributes failure = attributesOrNull(failed);
        if (failure != null
            && failure.lastModifiedTime().toInstant().isAfter(Instant.now().minus(RETRY_AFTER_FAILURE))) {
            LOG.debug("backend AOT cache: last training failed, not retried before {} after it: see {}",
                RETRY_AFTER_FAILURE, dir.resolve(key.hash() + LOG_SUFFIX));
            return;
        }
        Path lock = dir.resolve(key.hash() + LOCK_SUFFIX);
        if (!tryLock(lock)) {
            LOG.debug("backend AOT cache: another process is training it: lock={}", lock);
            return;
        }
        try {
            Path log = dir.resolve(key.hash() + LOG_SUFFIX);
            Files.deleteIfExists(log);
            ipc.sync.ShmDirectory.createPrivateFile(log);
            Files.writeString(log, "# backend AOT cache training, key inputs:\n" + key.description(),
                StandardOpenOption.APPEND);
            // spawn: a trainer started from a pinned thread would train on that thread's one CPU
            Process trainer = BackendLauncher.spawn(
                AotTrainer.processBuilder(javaBinary, libraryFlags, forwarded, dir, key, jvmOptions)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())));
            trainer.getOutputStream().close();
            Files.writeString(lock, Long.toString(trainer.pid()), StandardOpenOption.TRUNCATE_EXISTING);
            LOG.debug("backend AOT cache: training started: pid={} cache={} log={}", trainer.pid(),
                dir.resolve(key.hash() + CACHE_SUFFIX), log);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(lock);
            throw e;
        }
    }

    /**
     * Takes the training lock: creates it (0600, holding this pid), or replaces it when stale (its
     * pid is gone, or it is older than {@link #STALE_LOCK}). Two processes that both find it stale
     * may both train: each writes its own temporary file and renames it into place, so the worst
     * case is work done twice, never a broken cache.
     */
    static boolean tryLock(Path lock) throws IOException {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                try (var channel = Files.newByteChannel(lock,
                    EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(OWNER_FILE))) {
                    channel.write(java.nio.ByteBuffer.wrap(
                        Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII)));
                }
                return true;
            } catch (FileAlreadyExistsException held) {
                if (!isStale(lock)) {
                    return false;
                }
                Files.deleteIfExists(lock);
            }
        }
        return false;
    }

    static boolean isStale(Path lock) throws IOException {
        BasicFileAttributes attributes = attributesOrNull(lock);
        if (attributes == null) {
            return true;
        }
        if (attributes.lastModifiedTime().toInstant().isBefore(Instant.now().minus(STALE_LOCK))) {
            return true;
        }
        String text;
        try {
            text = Files.readString(lock, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException gone) {
            return true;
        }
        try {
            long pid = Long.parseLong(text);
            return !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            // being written right now (created empty, then filled) unless it is old, checked above
            return false;
        }
    }

    // ------------------------------------------------------------------ pruning

    /**
     * Deletes the files of all but the {@link #KEEP} most recently used keys (by the newest mtime
     * among a key's files; a key being trained, with a live lock, is kept and not counted), and
     * temporary files whose process is gone. Run by the trainer after it installed a cache.
     */
    static void prune(Path dir) throws IOException {
        Map<String, List<Path>> byKey = new HashMap<>();
        Map<String, FileTime> newest = new HashMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                OptionalLong tempOwner = AotTrainer.temporaryOwner(name);
                if (tempOwner.isPresent()) {
                    if (!ProcessHandle.of(tempOwner.getAsLong()).map(ProcessHandle::isAlive).orElse(false)) {
                        ipc.sync.ShmDirectory.deleteRecursively(file);
                    }
                    continue;
                }
                int dot = name.indexOf('.');
                if (dot <= 0) {
                    continue;
                }
                String key = name.substring(0, dot);
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(file);
                BasicFileAttributes attributes = attributesOrNull(file);
                if (attributes != null && !name.endsWith(LOCK_SUFFIX)) {
                    newest.merge(key, attributes.lastModifiedTime(), (a, b) -> a.compareTo(b) >= 0 ? a : b);
                }
            }
        }
        List<String> keys = new ArrayList<>();
        for (String key : byKey.keySet()) {
            Path lock = dir.resolve(key + LOCK_SUFFIX);
            if (!Files.exists(lock) || isStale(lock)) {
                keys.add(key);
            }
        }
        keys.sort(Comparator.comparing((String k) -> newest.getOrDefault(k, FileTime.fromMillis(0))).reversed());
        for (String key : keys.subList(Math.min(KEEP, keys.size()), keys.size())) {
            for (Path file : byKey.get(key)) {
                Files.deleteIfExists(file);
            }
        }
    }
}
