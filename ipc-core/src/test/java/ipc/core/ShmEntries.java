package ipc.core;

import ipc.sync.ShmDirectory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

/**
 * The entries of {@link ShmDirectory#root()} that a given process created (their names carry its
 * pid). Other JVMs on the machine share the root, so a test asserts on its own pids only.
 */
final class ShmEntries {
    private ShmEntries() {
    }

    /** Names of the root's entries whose owner pid is one of {@code pids}. */
    static Set<String> ownedBy(long... pids) {
        Set<String> names = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(ShmDirectory.root())) {
            for (Path entry : entries) {
                long owner = ShmDirectory.ownerPid(entry).orElse(-1);
                for (long pid : pids) {
                    if (owner == pid) {
                        names.add(entry.getFileName().toString());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + ShmDirectory.root(), e);
        }
        return names;
    }

    /** Names of this JVM's channel directories ({@code ch-<pid>-<n>}). */
    static Set<String> channelsOfThisJvm() {
        Set<String> channels = new TreeSet<>();
        for (String name : ownedBy(ProcessHandle.current().pid())) {
            if (name.startsWith("ch-")) {
                channels.add(name);
            }
        }
        return channels;
    }
}
