package ipc.core.launch;

import ipc.core.JvmFlagsProbe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ipc.sync.testing.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The argfile carries exactly what {@link JvmFlags} requires, and a JVM started without a flag
 * gets an IllegalStateException naming the argfile and that flag (spawned JVMs, since flags
 * cannot change in a running one).
 */
public class JvmFlagsTest {
    private static final Path ARGFILE = Path.of(System.getProperty("ipc.jvm.options", "jvm.options"));

    private static List<String> argfileLines() throws IOException {
        return Files.readAllLines(ARGFILE).stream().map(String::trim)
            .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    @Test
    void thisJvmHasEveryFlag() {
        assertEquals(List.of(), JvmFlags.missing());
        JvmFlags.check();
    }

    @Test
    void agronaBuffersWorkUnderTheArgfile() {
        // Agrona 2.x reaches jdk.internal.misc.Unsafe: IllegalAccessError without the export.
        org.agrona.concurrent.UnsafeBuffer buffer =
            new org.agrona.concurrent.UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(64));
        buffer.putLongVolatile(8, 42L);
        assertEquals(42L, buffer.getLongVolatile(8));
    }

    @Test
    void theArgfileHoldsTheRequiredFlagsAndTheChronicleSwitches() throws IOException {
        List<String> expected = new ArrayList<>(JvmFlags.REQUIRED);
        expected.add("-Dchronicle.analytics.disable=true");
        expected.add("-Dchronicle.announcer.disable=true");
        assertEquals(expected, argfileLines());
    }

    /** Starts {@code JvmFlagsProbe} with {@code flags} (and no argfile) and returns its stdout. */
    private static Process probe(List<String> flags, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ChildJvm.javaBinary());
        cmd.addAll(flags);
        cmd.addAll(List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
        String dir = System.getProperty("ipc.dir");
        if (dir != null) {
            cmd.add("-Dipc.dir=" + dir);
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), JvmFlagsProbe.class.getName()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static String finish(Process p, Path log) throws Exception {
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe JVM did not finish");
        String out = Files.readString(log, StandardCharsets.UTF_8);
        Files.deleteIfExists(log);
        return out;
    }

    @Test
    void withoutTheArgfileChannelCreationNamesTheArgfileAndEveryFlag() throws Exception {
        Path log = Files.createTempFile("jvmflags", ".log");
        String out = finish(probe(List.of(), log), log);
        assertTrue(out.contains("missing=" + String.join(" ", JvmFlags.REQUIRED)), out);
        assertTrue(out.contains("error=java.lang.IllegalStateException: JVM flags missing"), out);
        assertTrue(out.contains("@ipc-core/jvm.options"), out);
        for (String flag : JvmFlags.REQUIRED) {
            assertTrue(out.contains(flag), "message names " + flag + ": " + out);
        }
        assertTrue(out.contains("openError=java.lang.IllegalStateException: JVM flags missing: "
            + String.join(" ", JvmFlags.REQUIRED) + " - start java with @ipc-core/jvm.options"),
            "Channel.open, the backend's way in, checks the flags first: " + out);
        assertFalse(out.contains("AssertionError"), out);
    }

    @Test
    void eachFlagOnItsOwnIsDetected() throws Exception {
        List<String> all = argfileLines();
        Map<String, Process> probes = new LinkedHashMap<>();
        Map<String, Path> logs = new LinkedHashMap<>();
        for (String flag : JvmFlags.REQUIRED) {
            List<String> without = new ArrayList<>(all);
            without.remove(flag);
            Path log = Files.createTempFile("jvmflags", ".log");
            logs.put(flag, log);
            probes.put(flag, probe(without, log));
        }
        for (String flag : JvmFlags.REQUIRED) {
            String out = finish(probes.get(flag), logs.get(flag));
            assertTrue(out.contains("missing=" + flag + "\n"), "only " + flag + " missing: " + out);
            assertTrue(out.contains("error=java.lang.IllegalStateException: JVM flags missing: " + flag
                + " - start java with @ipc-core/jvm.options"), "names the flag and the argfile: " + out);
            assertTrue(out.contains("openError=java.lang.IllegalStateException: JVM flags missing: " + flag + " "), out);
            assertFalse(out.contains("AssertionError"), "Chronicle's own failure must not surface: " + out);
        }
    }

    @Test
    void withEveryFlagAChannelWorksAndNoAnalyticsClassLoads() throws Exception {
        Path log = Files.createTempFile("jvmflags", ".log");
        // A path that does not exist yet: -Xlog renames an existing file to <file>.0, which would stay behind.
        Path classesDir = Files.createTempDirectory("jvmflags-classes");
        Path classes = classesDir.resolve("classes.log");
        List<String> flags = new ArrayList<>(argfileLines());
        flags.add("-Xlog:class+load=info:file=" + classes);
        String out = finish(probe(flags, log), log);
        assertTrue(out.contains("missing=\n") && out.contains("created"), out);
        List<String> loaded = Files.readAllLines(classes);
        ipc.sync.ShmDirectory.deleteRecursively(classesDir);
        assertTrue(loaded.stream().anyMatch(l -> l.contains("net.openhft.chronicle.queue")), "class log works");
        // chronicle-core carries a facade that picks an implementation; the reporting one lives in
        // the excluded chronicle-analytics artifact (package net.openhft.chronicle.analytics).
        List<String> reporting = loaded.stream().filter(l -> l.contains(" net.openhft.chronicle.analytics.")).toList();
        assertEquals(List.of(), reporting);
        assertTrue(loaded.stream().anyMatch(l -> l.contains(" net.openhft.chronicle.core.internal.analytics.MuteAnalytics ")),
            "the facade falls back to the mute implementation");
    }
}
