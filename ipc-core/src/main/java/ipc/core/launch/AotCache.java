package ipc.core.launch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
public final class AotCache {
    private static final Logger LOG = LoggerFactory.getLogger(AotCache.class);

    /** {@code -Dipc.aot=false} turns the cache off (no use, no training). */
    public static final String ENABLED_PROPERTY = "ipc.aot";
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

    /** Keys this JVM has started a training for: at most one attempt per key per JVM. */
    private static final Set<String> TRAINING_STARTED = ConcurrentHashMap.newKeySet();

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
    public static List<String> optionsFor(String javaBinary, List<String> libraryFlags, Map<String, String> forwarded,
                                   List<String> jvmOptions, String classpath) {
        if (!enabled() || managesArchive(jvmOptions)) {
            return List.of();
        }
        try {
            AotCacheKey key = AotCacheKey.of(javaBinary, libraryFlags, jvmOptions, classpath, AotCacheKey.libraryJar());
            if (key == null) {
                return List.of();
            }
            Path dir = AotCacheStore.directory();
            if (dir == null) {
                return List.of();
            }
            Path cache = dir.resolve(key.hash() + AotCacheStore.CACHE_SUFFIX);
            if (AotCacheStore.isIntact(cache, dir.resolve(key.hash() + AotCacheStore.SUM_SUFFIX))) {
                return List.of("-XX:AOTCache=" + cache);
            }
            startTraining(dir, key, javaBinary, libraryFlags, forwarded, jvmOptions);
        } catch (IOException | RuntimeException e) {
            LOG.debug("backend AOT cache not used: {}", e.toString(), e);
        }
        return List.of();
    }

    public static boolean enabled() {
        return !"false".equalsIgnoreCase(System.getProperty(ENABLED_PROPERTY, "true").strip());
    }

    public static boolean managesArchive(List<String> jvmOptions) {
        for (String option : jvmOptions) {
            for (String archiveOption : USER_ARCHIVE_OPTIONS) {
                if (option.startsWith(archiveOption)) {
                    return true;
                }
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ training

    private static void startTraining(Path dir, AotCacheKey key, String javaBinary, List<String> libraryFlags,
                                      Map<String, String> forwarded, List<String> jvmOptions) throws IOException {
        if (!TRAINING_STARTED.add(key.hash())) {
            return;
        }
        Path failed = dir.resolve(key.hash() + AotCacheStore.FAILED_SUFFIX);
        BasicFileAttributes failure = AotCacheStore.attributesOrNull(failed);
        if (failure != null
            && failure.lastModifiedTime().toInstant().isAfter(Instant.now().minus(RETRY_AFTER_FAILURE))) {
            LOG.debug("backend AOT cache: last training failed, not retried before {} after it: see {}",
                RETRY_AFTER_FAILURE, dir.resolve(key.hash() + AotCacheStore.LOG_SUFFIX));
            return;
        }
        Path lock = dir.resolve(key.hash() + AotCacheStore.LOCK_SUFFIX);
        if (!AotCacheStore.tryLock(lock)) {
            LOG.debug("backend AOT cache: another process is training it: lock={}", lock);
            return;
        }
        try {
            Path log = dir.resolve(key.hash() + AotCacheStore.LOG_SUFFIX);
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
                dir.resolve(key.hash() + AotCacheStore.CACHE_SUFFIX), log);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(lock);
            throw e;
        }
    }
}
