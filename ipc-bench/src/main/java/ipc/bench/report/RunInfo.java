package ipc.bench.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Where and how a run happened: the machine, the JDK, the suite's settings, and the load average
 * before and after (this machine is shared; a loaded run says so). Kept beside the raw results so a
 * report re-rendered later describes the run, not the machine it is rendered on.
 *
 * @param include the JMH include pattern of the run (which benchmarks it meant to measure)
 * @param seconds how long the run took
 */
public record RunInfo(String date, String command, String include, String suite, String cpuModel, int cores, String kernel,
                      String memory, String jdk, String loadBefore, String loadAfter, long seconds) {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    /** The machine now; {@link #finish()} adds the load after and the duration. */
    static RunInfo capture(String command, String include, String suite) {
        return new RunInfo(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), command, include, suite,
                readCpuModel(), Runtime.getRuntime().availableProcessors(), readKernel(), readMemory(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                        + " (" + System.getProperty("java.vm.vendor") + ")",
                loadAverage(), null, 0);
    }

    RunInfo finish() {
        long elapsed = Instant.now().getEpochSecond() - Instant.parse(date).getEpochSecond();
        return new RunInfo(date, command, include, suite, cpuModel, cores, kernel, memory, jdk, loadBefore, loadAverage(), elapsed);
    }

    void write(Path file) throws IOException {
        Files.writeString(file, GSON.toJson(this));
    }

    static RunInfo read(Path file) throws IOException {
        return GSON.fromJson(Files.readString(file), RunInfo.class);
    }

    private static String readCpuModel() {
        return procLines("/proc/cpuinfo").stream()
                .filter(line -> line.startsWith("model name"))
                .map(line -> line.substring(line.indexOf(':') + 1).strip())
                .findFirst().orElse("unknown");
    }

    private static String readKernel() {
        return procLines("/proc/sys/kernel/osrelease").stream().findFirst().orElse(System.getProperty("os.version"));
    }

    private static String readMemory() {
        return procLines("/proc/meminfo").stream()
                .filter(line -> line.startsWith("MemTotal:"))
                .map(line -> Long.parseLong(line.replaceAll("\\D", "")) / (1024 * 1024) + " GiB")
                .findFirst().orElse("unknown");
    }

    /** 1, 5 and 15 minute load averages ("0.40 0.30 0.15"). */
    private static String loadAverage() {
        return procLines("/proc/loadavg").stream()
                .map(line -> String.join(" ", List.of(line.split(" ")).subList(0, 3)))
                .findFirst().orElse("unknown");
    }

    private static List<String> procLines(String file) {
        try {
            return Files.readAllLines(Path.of(file));
        } catch (IOException e) {
            return List.of();
        }
    }
}
