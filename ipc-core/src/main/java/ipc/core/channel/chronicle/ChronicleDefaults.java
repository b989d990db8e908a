package ipc.core.channel.chronicle;


/**
 * The library's defaults for Chronicle, set as system properties before Chronicle's first use in
 * a JVM (frontend: {@code Channel#create} / {@code Channel#open}; backend: the start of
 * {@code BackendMain#main}), each only when the property is not set already, so a user's
 * {@code -D} always wins. Chronicle reads them once, in static initialisers, so they do nothing
 * in a JVM whose own code touched Chronicle first.
 *
 * <ul>
 *   <li>{@value #LOG_LEVEL_PROPERTY}{@code =warn}: Chronicle's INFO lines ("Chronicle core loaded
 *       from ...", and its PERF notes "Took 1128 us to grow file", "Took 9 ms to add mapping",
 *       "Took 2.5 ms to pollDiskSpace") are about Chronicle, not about the user's program. The
 *       property is slf4j-simple's per-logger level, read when each logger is created, and covers
 *       every logger under {@code net.openhft} (chronicle-*, affinity, posix); warnings and errors
 *       still show. Other slf4j bindings ignore it and apply their own configuration.
 *       {@code -Dorg.slf4j.simpleLogger.log.net.openhft=info} shows the lines again.</li>
 *   <li>{@value #DISK_MONITOR_PROPERTY}{@code =true}: Chronicle's {@code DiskSpaceMonitor}
 *       (chronicle-threads) otherwise runs a thread, "disk~space~checker", that wakes every 10 s
 *       to check the free space of each queue's file system (/dev/shm here), and checks it again
 *       at each new cycle file (1-5 ms here). A wake-up of an extra thread is what a latency
 *       library should not add, and a full /dev/shm is reported by the library itself
 *       (an {@code ipc.sync.OutOfSpaceException} from {@code ChannelWriter.write}, {@link CycleFileSpace}). The switch
 *       is Chronicle's only one: it turns the monitor off for every queue of this JVM, also a
 *       user's own queues on disk; {@code -Dchronicle.disk.monitor.disable=false} keeps it.</li>
 * </ul>
 */
public final class ChronicleDefaults {

    /** slf4j-simple's level for the loggers under net.openhft. */
    static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.log.net.openhft";

    /** chronicle-threads' DiskSpaceMonitor switch, read once in its static initialiser (Jvm.getBoolean). */
    static final String DISK_MONITOR_PROPERTY = "chronicle.disk.monitor.disable";

    private static volatile boolean applied;

    private ChronicleDefaults() {
    }

    /** Sets each default the user has not set; cheap after the first call. */
    public static void apply() {
        if (applied) {
            return;
        }
        setUnlessSet(LOG_LEVEL_PROPERTY, "warn");
        setUnlessSet(DISK_MONITOR_PROPERTY, "true");
        applied = true;
    }

    private static void setUnlessSet(String name, String value) {
        System.getProperties().putIfAbsent(name, value); // atomic: a user's concurrent set is kept
    }

    /**
     * Replaces Chronicle's posix layer (a JNR-generated binding, the largest uncacheable cost of a
     * backend's start) with its no-op implementation; why that is safe for a channel:
     * {@code BackendMain.skipChroniclePosix}. Call before the first queue is opened.
     */
    public static void skipPosixLayer() {
        net.openhft.posix.PosixAPI.useNoOpPosixApi();
    }
}
