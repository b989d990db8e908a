package ipc.core.launch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where backend AOT caches ({@link AotCache}) live and how they are kept: the private directory,
 * the files of one key ({@code <key>.aot}, {@code .sum}, {@code .lock}, {@code .failed}, {@code .log}),
 * their integrity check, the training lock, and pruning to the newest {@link #KEEP}. Every file
 * is owner-only and the directory is refused unless private: the JVM maps a cache as trusted
 * class metadata.
 */
public final class AotCacheStore {
    private static final Logger LOG = LoggerFactory.getLogger(AotCacheStore.class);

    /** Overrides the cache directory (tests, or a home directory that cannot be written). */
    public static final String DIR_PROPERTY = "ipc.aot.dir";

    /**
     * A lock older than this is stale even when its pid is alive (a hung trainer, or a recycled
     * pid): a training takes ~10 s here on a busy machine; 10 minutes is far beyond it.
     */
    public static final Duration STALE_LOCK = Duration.ofMinutes(10);

    /**
     * Caches kept per directory, most recently used first: each is ~25-30 MB; a developer who
     * rebuilds jars gets a new key per build, and 8 covers a few projects or branches at once.
     */
    public static final int KEEP = 8;

    /**
     * A cache used a day after its last touch is touched again, so that pruning sees it as recent;
     * a day, not less, because each touch makes every other frontend JVM check its sum once more.
     */
    static final Duration TOUCH_AFTER = Duration.ofDays(1);

    public static final String CACHE_SUFFIX = ".aot";
    public static final String LOCK_SUFFIX = ".lock";
    public static final String FAILED_SUFFIX = ".failed";
    static final String LOG_SUFFIX = ".log";
    public static final String SUM_SUFFIX = ".sum";

    private static final Set<PosixFilePermission> OWNER_DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> GROUP_OR_OTHER = EnumSet.of(
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    /** Caches whose checksum this JVM has checked, with the size and mtime they had then. */
    private static final Map<Path, String> VERIFIED = new ConcurrentHashMap<>();
    /** The last directory that passed the owner/mode check. */
    private static volatile Path checkedDirectory;
    private static volatile boolean warnedUnusable;

    // ------------------------------------------------------------------ directory

    /**
     * The cache directory, created 0700 on first use; null (after one warning) when it cannot be
     * created or is not private.
     */
    public static Path directory() {
        Path dir = configuredDirectory();
        Path checked = checkedDirectory;
        if (dir.equals(checked)) {
            return dir;
        }
        synchronized (AotCacheStore.class) {
            try {
                createPrivateDirectories(dir);
                checkPrivate(dir);
                checkedDirectory = dir;
                return dir;
            } catch (IOException | RuntimeException e) {
                if (!warnedUnusable) {
                    warnedUnusable = true;
                    LOG.warn("backend AOT cache off, its directory is unusable: {} (set -D{}=<private dir>,"
                        + " or -D{}=false)", e.getMessage(), DIR_PROPERTY, AotCache.ENABLED_PROPERTY);
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

    static BasicFileAttributes attributesOrNull(Path file) throws IOException {
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
    public static boolean isIntact(Path cache, Path sum) throws IOException {
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
    public static String crc32c(Path file) throws IOException {
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

    /**
     * Takes the training lock: creates it (0600, holding this pid), or replaces it when stale (its
     * pid is gone, or it is older than {@link #STALE_LOCK}). Two processes that both find it stale
     * may both train: each writes its own temporary file and renames it into place, so the worst
     * case is work done twice, never a broken cache.
     */
    public static boolean tryLock(Path lock) throws IOException {
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

    public static boolean isStale(Path lock) throws IOException {
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
    public static void prune(Path dir) throws IOException {
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

    private AotCacheStore() {
    }
}
