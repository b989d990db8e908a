package ipc.sync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;

/** The kernel's own view of CPU masks, for tests to check ours against: /proc and /sys CPU lists. */
public final class CpuLists {

    private CpuLists() {
    }

    /** The Cpus_allowed_list line of a /proc status file ({@code /proc/self/status}, {@code /proc/<pid>/task/<tid>/status}). */
    public static BitSet allowed(Path status) {
        try {
            String list = Files.readAllLines(status).stream()
                .filter(l -> l.startsWith("Cpus_allowed_list:"))
                .findFirst().orElseThrow(() -> new IllegalStateException("no Cpus_allowed_list in " + status))
                .substring("Cpus_allowed_list:".length()).strip();
            return parse(list);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The online CPUs ({@code /sys/devices/system/cpu/online}). */
    public static BitSet online() {
        try {
            return parse(Files.readString(Path.of("/sys/devices/system/cpu/online")).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A kernel CPU list, e.g. "0-1" or "0,2-3". */
    public static BitSet parse(String list) {
        BitSet cpus = new BitSet();
        for (String range : list.split(",")) {
            String[] ends = range.split("-");
            int from = Integer.parseInt(ends[0]);
            int to = ends.length == 1 ? from : Integer.parseInt(ends[1]);
            cpus.set(from, to + 1);
        }
        return cpus;
    }
}
