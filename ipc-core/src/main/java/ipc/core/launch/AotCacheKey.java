package ipc.core.launch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The key of a backend AOT cache ({@link AotCache}): the inputs that decide whether a cache fits a
 * backend command, and their hash, which names the cache's files in {@link AotCacheStore}.
 *
 * @param hash        hex SHA-256 (128 bits of it) of {@code description}: the file name
 * @param classpath   the cached prefix of the class path: the training's class path
 * @param description what was hashed, one input per line (logged at debug level)
 */
public record AotCacheKey(String hash, String classpath, String description) {

    /** Bumped when the key's contents or the training change meaning. */
    static final int FORMAT = 1;

    private static final Logger LOG = LoggerFactory.getLogger(AotCacheKey.class);

    /** Key descriptions already hashed: SHA-256 of a few KB is cheap, but not free per start. */
    private static final Map<String, String> HASHES = new ConcurrentHashMap<>();

    /**
     * The key for this command, or null when the jar prefix of its class path does not hold
     * {@code library} (ipc-core's jar, {@link #libraryJar()}; null when it is not a jar).
     */
    public static AotCacheKey of(String javaBinary, List<String> libraryFlags, List<String> jvmOptions,
                                 String classpath, Path library) throws IOException {
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
        String hash = HASHES.computeIfAbsent(text, AotCacheKey::sha256);
        return new AotCacheKey(hash, String.join(File.pathSeparator, entries), text);
    }

    /** size and mtime in ms: what the JVM itself compares for a jar of an archive. */
    private static String stamp(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        return a.size() + "," + a.lastModifiedTime().toMillis();
    }

    /**
     * The leading entries of {@code classpath} that are jar files, as absolute normalized paths;
     * the first directory, missing or empty entry (the current directory) ends it.
     */
    public static List<Path> jarPrefix(String classpath) {
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
    public static Path libraryJar() {
        try {
            var source = AotCacheKey.class.getProtectionDomain().getCodeSource();
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
}
