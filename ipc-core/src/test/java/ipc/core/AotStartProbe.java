package ipc.core;

import ipc.core.launch.AotCacheStore;
import ipc.core.launch.AotCacheKey;
import ipc.core.launch.BackendLauncher;
import ipc.core.launch.BackendLauncherTest;
import ipc.core.launch.ClassDirectoryJars;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The frontend JVM of {@link AotCacheTest}: run with a class path of jars (ipc-core's classes
 * jarred) and {@code -Dipc.aot.dir}, it performs its arguments as steps and prints one
 * {@code key=value} line per result for the test to read.
 *
 * <ul>
 *   <li>{@code start}: starts a {@link Worker} (options {@link BackendLauncherTest#LEAN}: C1 only,
 *       which also makes the training cheaper), prints the backend's
 *       command line as {@code cmdline=...} and {@code ready=true}, closes it, prints {@code exit=}</li>
 *   <li>{@code await-cache}: waits (up to 3 min) for this command's cache and for its trainer to
 *       exit; prints {@code trained=<ms>} or {@code trained=timeout}</li>
 *   <li>{@code plant-garbage}: writes 4 KiB of garbage as this command's cache, with a matching sum</li>
 *   <li>{@code plant-damaged}: writes a cache whose sum does not match</li>
 *   <li>{@code plant-failed}: marks this command's training as failed just now (no training starts)</li>
 *   <li>{@code grow=<jar>}: appends to a jar of the class path (it changes size and mtime)</li>
 * </ul>
 */
final class AotStartProbe {

    /** A backend with nothing of its own: the library's loop only. */
    static final class Worker extends MessageProcess {
        Worker() {
            super("aot-probe");
        }
    }

    static void main(String[] args) throws Exception {
        for (String step : args) {
            switch (step) {
                case "start" -> start();
                case "await-cache" -> awaitCache();
                case "plant-garbage" -> plant(garbage(), true);
                case "plant-damaged" -> plant(garbage(), false);
                case "plant-failed" -> Files.writeString(file(AotCacheStore.FAILED_SUFFIX), "planted by the test\n");
                default -> {
                    if (step.startsWith("grow=")) {
                        Files.write(Path.of(step.substring(5)), new byte[] {0},
                            java.nio.file.StandardOpenOption.APPEND);
                    } else {
                        throw new IllegalArgumentException("unknown step: step=" + step);
                    }
                }
            }
        }
        System.out.flush();
        System.exit(0);
    }

    /** The cache file name stem of this JVM's backend command (what a start computes). */
    static String key() throws java.io.IOException {
        String backendClasspath = ClassDirectoryJars.jarred(System.getProperty("java.class.path"),
            AotCacheStore.directory());
        return AotCacheKey.of(BackendLauncher.thisJavaBinary(), BackendLauncher.libraryFlags(),
            BackendLauncherTest.LEAN, backendClasspath, AotCacheKey.libraryJar()).hash();
    }

    static Path file(String suffix) throws java.io.IOException {
        return AotCacheStore.directory().resolve(key() + suffix);
    }

    private static void start() throws Exception {
        try (Worker worker = new Worker()) {
            worker.setJvmOptions(BackendLauncherTest.LEAN);
            worker.start();
            long pid = worker.pid().orElseThrow();
            String cmdline = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
                .replace('\0', ' ').strip();
            System.out.println("cmdline=" + cmdline);
            System.out.println("ready=true");
            worker.close();
            System.out.println("exit=" + worker.exitCode().orElse(-1));
        }
    }

    private static void awaitCache() throws Exception {
        long begin = System.nanoTime();
        long deadline = begin + Duration.ofMinutes(3).toNanos();
        Path cache = file(AotCacheStore.CACHE_SUFFIX);
        Path lock = file(AotCacheStore.LOCK_SUFFIX);
        Optional<ProcessHandle> trainer = Optional.empty();
        while (System.nanoTime() - deadline < 0) {
            if (trainer.isEmpty() && Files.exists(lock)) {
                try {
                    trainer = ProcessHandle.of(Long.parseLong(Files.readString(lock).strip()));
                } catch (NumberFormatException | java.nio.file.NoSuchFileException notYet) {
                    // written a moment after creation, or already gone
                }
            }
            if (Files.exists(cache) && !Files.exists(lock)) {
                trainer.ifPresent(t -> t.onExit().join()); // the lock goes just before the trainer exits
                System.out.println("trained=" + (System.nanoTime() - begin) / 1_000_000);
                return;
            }
            Thread.sleep(100);
        }
        System.out.println("trained=timeout");
    }

    private static byte[] garbage() {
        byte[] bytes = new byte[4096];
        new java.util.Random(42).nextBytes(bytes);
        return bytes;
    }

    private static void plant(byte[] content, boolean matchingSum) throws java.io.IOException {
        Path cache = file(AotCacheStore.CACHE_SUFFIX);
        Files.write(cache, content);
        String crc = matchingSum ? AotCacheStore.crc32c(cache) : "0";
        Files.writeString(file(AotCacheStore.SUM_SUFFIX), content.length + " " + crc + "\n");
        System.out.println("planted=" + cache);
    }

    static List<String> lines(String output, String key) {
        return output.lines().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1)).toList();
    }
}
